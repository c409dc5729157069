#include "resources/hba_rule.h"

#include <catch2/catch.hpp>

#include "engine/facts/interpret.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/script_call.h"
#include "tests/unit/gathered_facts.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

using testing::RequireDetails;

using testing::GatheredFacts;

const char kFile[] = "/etc/postgresql/15/main/pg_hba.conf";

Manifest PairManifest(const std::string& hba_address = "198.18.0.12/32",
                      const std::string& method = "scram-sha-256") {
  Manifest manifest = testing::SandboxPair();
  manifest.replication = ReplicationSpec{};
  HbaSpec hba;
  hba.address = hba_address;
  hba.method = method;
  manifest.hba = hba;
  return manifest;
}

std::vector<std::string> Split(const std::string& list) {
  std::vector<std::string> items;
  size_t start = 0;
  for (size_t comma; (comma = list.find(',', start)) != std::string::npos; start = comma + 1) {
    items.push_back(list.substr(start, comma - start));
  }
  items.push_back(list.substr(start));
  return items;
}

// A parsed line as the facts hold it; `text` as Debian lays it out.
HbaLineFact Line(int number, const std::string& type, const std::string& databases,
                 const std::string& users, const std::string& address, const std::string& method) {
  HbaLineFact line;
  line.line_number = number;
  line.type = type;
  line.databases = Split(databases);
  line.users = Split(users);
  if (!address.empty()) line.address = address;
  line.method = method;
  line.text = type + "    " + databases + "     " + users + "     " + address + "    " + method;
  return line;
}

// The rules of Debian 12's pg_hba.conf for 15/main (tests/fixtures/gather/).
std::vector<HbaLineFact> Debian() {
  return {
      Line(90, "local", "all", "postgres", "", "peer"),
      Line(95, "local", "all", "all", "", "peer"),
      Line(97, "host", "all", "all", "127.0.0.1/32", "scram-sha-256"),
      Line(99, "host", "all", "all", "::1/128", "scram-sha-256"),
      Line(102, "local", "replication", "all", "", "peer"),
      Line(103, "host", "replication", "all", "127.0.0.1/32", "scram-sha-256"),
      Line(104, "host", "replication", "all", "::1/128", "scram-sha-256"),
  };
}

std::vector<HbaLineFact> DebianWith(std::vector<HbaLineFact> extra) {
  std::vector<HbaLineFact> lines = Debian();
  lines.insert(lines.end(), extra.begin(), extra.end());
  return lines;
}

HbaLineFact Ours(int number, const std::string& method = "scram-sha-256") {
  return Line(number, "host", "replication", "replicator", "198.18.0.12/32", method);
}

HostFacts Primary(std::optional<std::vector<HbaLineFact>> lines,
                  std::optional<std::string> ssl = std::nullopt) {
  HostFacts facts;
  facts.name = "pg1";
  facts.hba.file = kFile;
  facts.hba.lines = std::move(lines);
  if (ssl) {
    SettingFact setting;
    setting.name = "ssl";
    setting.value = ssl;
    facts.settings = std::vector<SettingFact>{setting};
  }
  return facts;
}

Plan DiffOf(const Manifest& manifest, const HostFacts& primary,
            std::optional<ReplicationLoginCheck> login_check = std::nullopt) {
  return testing::DiffResource(HbaRuleResource(), manifest, primary, HostFacts{},
                               std::move(login_check));
}

enum class Outcome { kNothing, kAppend, kInsertBefore, kReplace, kNote, kBlocker };

Outcome OutcomeOf(const Plan& plan, int* line_number) {
  if (!plan.blockers.empty()) return Outcome::kBlocker;
  if (plan.changes.empty()) return plan.notes.empty() ? Outcome::kNothing : Outcome::kNote;
  const HbaRuleDetails& details = RequireDetails<HbaRuleDetails>(plan.changes[0]);
  *line_number = details.line_number;
  switch (details.placement) {
    case HbaRuleDetails::Placement::kInsertBefore:
      return Outcome::kInsertBefore;
    case HbaRuleDetails::Placement::kReplace:
      return Outcome::kReplace;
    case HbaRuleDetails::Placement::kAppend:
      break;
  }
  return Outcome::kAppend;
}

TEST_CASE("hba_rule: diff against hand-built facts", "[hba_rule]") {
  struct Case {
    const char* proves;
    Manifest manifest;
    HostFacts primary;
    Outcome outcome;
    int line = 0;
  };
  HbaLineFact group = Line(105, "host", "replication", "+replusers", "198.18.0.0/24", "md5");
  HbaLineFact group_same =
      Line(105, "host", "replication", "+replusers", "198.18.0.0/24", "scram-sha-256");
  HbaLineFact with_options = Ours(106);
  with_options.options["clientcert"] = "verify-full";
  HbaLineFact broken = Line(105, "host", "replication", "all", "198.18.0.0/24", "scram-sha-256");
  broken.error = "invalid authentication method \"scram\"";
  const Manifest v4 = PairManifest();
  const Manifest v6 = PairManifest("2001:db8::12/128");
  const Manifest md5 = PairManifest("198.18.0.12/32", "md5");

  const Case cases[] = {
      {"Debian's file: no line takes the standby, append", v4, Primary(Debian()), Outcome::kAppend},
      {"converged: our line is the first match", v4, Primary(DebianWith({Ours(106)})),
       Outcome::kNothing},
      {"shadowed by a reject above: insert before it", v4,
       Primary(DebianWith(
           {Line(105, "host", "replication", "all", "198.18.0.0/24", "reject"), Ours(107)})),
       Outcome::kInsertBefore, 105},
      {"`all` as database does not match replication connections", v4,
       Primary(DebianWith({Line(105, "host", "all", "all", "0.0.0.0/0", "reject"), Ours(106)})),
       Outcome::kNothing},
      {"a database called \"replication\" is not the keyword", v4,
       Primary(DebianWith(
           {Line(105, "host", "\"replication\"", "all", "0.0.0.0/0", "reject"), Ours(106)})),
       Outcome::kNothing},
      {"an address outside the CIDR does not match", v4,
       Primary(DebianWith({Line(105, "host", "replication", "all", "10.0.0.0/8", "reject")})),
       Outcome::kAppend},
      {"another role's line does not match", v4,
       Primary(DebianWith({Line(105, "host", "replication", "barman", "0.0.0.0/0", "reject")})),
       Outcome::kAppend},
      {"`all` as address matches", v4,
       Primary(DebianWith({Line(105, "host", "replication", "all", "all", "reject"), Ours(106)})),
       Outcome::kInsertBefore, 105},
      {"a list of users naming the role matches", v4,
       Primary(DebianWith(
           {Line(105, "host", "replication", "barman,replicator", "198.18.0.0/16", "md5")})),
       Outcome::kInsertBefore, 105},
      {"a different method first: insert before it", v4,
       Primary(DebianWith(
           {Line(105, "host", "replication", "all", "198.18.0.0/24", "md5"), Ours(106)})),
       Outcome::kInsertBefore, 105},
      {"our own line with another method: replace it", v4, Primary(DebianWith({Ours(105, "md5")})),
       Outcome::kReplace, 105},
      {"our own line with options the manifest lacks: replace it", v4,
       Primary(DebianWith({with_options})), Outcome::kReplace, 106},
      {"md5 declared: an md5 line of ours is converged", md5,
       Primary(DebianWith({Ours(105, "md5")})), Outcome::kNothing},
      {"a broader line with the same method already lets the standby in: note only", v4,
       Primary(
           DebianWith({Line(105, "host", "replication", "all", "198.18.0.0/24", "scram-sha-256")})),
       Outcome::kNote},
      {"IPv6: a covering IPv6 reject shadows", v6,
       Primary(DebianWith({Line(105, "host", "replication", "all", "2001:db8::/64", "reject")})),
       Outcome::kInsertBefore, 105},
      {"IPv6: an IPv4 rule never matches an IPv6 standby", v6,
       Primary(DebianWith({Line(105, "host", "replication", "all", "0.0.0.0/0", "reject")})),
       Outcome::kAppend},
      {"IPv6: our line in another spelling is ours", v6,
       Primary(DebianWith({Line(105, "host", "replication", "replicator", "2001:0db8:0::12/128",
                                "scram-sha-256")})),
       Outcome::kNothing},
      {"hostssl may match (ssl unknown): insert before it", v4,
       Primary(DebianWith(
           {Line(105, "hostssl", "replication", "all", "198.18.0.0/24", "cert"), Ours(106)})),
       Outcome::kInsertBefore, 105},
      {"hostssl cannot match with ssl off", v4,
       Primary(DebianWith({Line(105, "hostssl", "replication", "all", "198.18.0.0/24", "cert"),
                           Ours(106)}),
               "off"),
       Outcome::kNothing},
      {"hostnossl matches with ssl off: insert before it", v4,
       Primary(
           DebianWith({Line(105, "hostnossl", "replication", "all", "198.18.0.0/24", "reject")}),
           "off"),
       Outcome::kInsertBefore, 105},
      {"+group may match: insert before a different method", v4,
       Primary(DebianWith({group, Ours(106)})), Outcome::kInsertBefore, 105},
      {"+group with the same method lets the standby in either way", v4,
       Primary(DebianWith({group_same, Ours(106)})), Outcome::kNothing},
      {"samenet may match: insert before a reject", v4,
       Primary(
           DebianWith({Line(105, "host", "replication", "all", "samenet", "reject"), Ours(106)})),
       Outcome::kInsertBefore, 105},
      {"a host name may match: insert before a reject", v4,
       Primary(DebianWith({Line(105, "host", "replication", "all", ".example.com", "reject")})),
       Outcome::kInsertBefore, 105},
      {"a range covering part of ours may match", PairManifest("198.18.0.0/24"),
       Primary(DebianWith({Line(105, "host", "replication", "all", "198.18.0.0/25", "reject")})),
       Outcome::kInsertBefore, 105},
      {"lines unknown: note, no change", v4, Primary(std::nullopt), Outcome::kNote},
      {"a line pgpair cannot parse, server down: blocker", v4, Primary(DebianWith({broken})),
       Outcome::kBlocker},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    Plan plan = DiffOf(c.manifest, c.primary);
    int line = 0;
    CHECK(OutcomeOf(plan, &line) == c.outcome);
    CHECK(line == c.line);
    for (const Change& change : plan.changes) {
      CHECK(change.resource == "hba_rule");
      CHECK(change.host == "pg1");
      CHECK(change.impact == Impact::kReload);
      CHECK(RequireDetails<HbaRuleDetails>(change).file == kFile);
    }
  }
}

TEST_CASE("hba_rule: an appended rule explains itself", "[hba_rule]") {
  Plan plan = DiffOf(PairManifest(), Primary(Debian()));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.address == "hba_rule[pg1/replication replicator 198.18.0.12/32]");
  CHECK(change.action == Action::kCreate);
  CHECK_FALSE(change.before.has_value());
  CHECK(change.after == "host replication replicator 198.18.0.12/32 scram-sha-256");
  CHECK(RequireDetails<HbaRuleDetails>(change).line ==
        "host    replication     replicator      198.18.0.12/32          scram-sha-256");
  CHECK(RequireDetails<HbaRuleDetails>(change).comment ==
        "pgpair: lets the standby pg2 stream (replication)");
  CHECK(change.reason ==
        "no line of /etc/postgresql/15/main/pg_hba.conf matches a replication "
        "connection as replicator from pg2 (198.18.0.12): the primary would "
        "refuse the standby");
}

TEST_CASE("hba_rule: a shadowing line is named with its text", "[hba_rule]") {
  HbaLineFact reject = Line(95, "host", "replication", "all", "198.18.0.0/24", "reject");
  Plan plan = DiffOf(PairManifest(), Primary(std::vector<HbaLineFact>{reject}));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.reason ==
        "line 95 `host replication all 198.18.0.0/24 reject` matches first and "
        "would refuse the standby; pgpair's rule goes before it");
  CHECK(RequireDetails<HbaRuleDetails>(change).placement ==
        HbaRuleDetails::Placement::kInsertBefore);
  CHECK(RequireDetails<HbaRuleDetails>(change).line_number == 95);
  CHECK(RequireDetails<HbaRuleDetails>(change).expected_text ==
        "host replication all 198.18.0.0/24 reject");

  HbaLineFact ssl = Line(95, "hostssl", "replication", "all", "198.18.0.0/24", "md5");
  Plan maybe = DiffOf(PairManifest(), Primary(std::vector<HbaLineFact>{ssl}));
  REQUIRE(maybe.changes.size() == 1);
  CHECK(maybe.changes[0].reason ==
        "line 95 `hostssl replication all 198.18.0.0/24 md5` may match first (when the "
        "standby's connection uses SSL) and would authenticate the standby with md5, not "
        "scram-sha-256; pgpair's rule goes before it");
}

TEST_CASE("hba_rule: a continued record shows whole, its first line is what apply checks",
          "[hba_rule]") {
  HbaLineFact reject = Line(95, "host", "replication", "all", "198.18.0.0/24", "reject");
  reject.text = "host replication all \\\n    198.18.0.0/24 reject  # no one";
  Plan plan = DiffOf(PairManifest(), Primary(std::vector<HbaLineFact>{reject}));
  REQUIRE(plan.changes.size() == 1);
  INFO(plan.changes[0].reason);
  CHECK(plan.changes[0].reason.rfind("line 95 `host replication all 198.18.0.0/24 reject` "
                                     "matches first",
                                     0) == 0);
  CHECK(RequireDetails<HbaRuleDetails>(plan.changes[0]).expected_text == "host replication all \\");
}

TEST_CASE("hba_rule: our line's method is replaced in place", "[hba_rule]") {
  Plan plan = DiffOf(PairManifest(), Primary(DebianWith({Ours(105, "md5")})));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.action == Action::kUpdate);
  CHECK(change.before == "host replication replicator 198.18.0.12/32 md5");
  CHECK(change.after == "host replication replicator 198.18.0.12/32 scram-sha-256");
  CHECK(RequireDetails<HbaRuleDetails>(change).placement == HbaRuleDetails::Placement::kReplace);
  CHECK(RequireDetails<HbaRuleDetails>(change).line_number == 105);
}

TEST_CASE("hba_rule: errors the server reports block the plan", "[hba_rule]") {
  HostFacts primary = Primary(Debian());
  HbaRuleFact bad;
  bad.line_number = 12;
  bad.error = "invalid IP address \"198.18.0\": Name or service not known";
  primary.hba.server_rules = std::vector<HbaRuleFact>{HbaRuleFact{}, bad};
  Plan plan = DiffOf(PairManifest(), primary);
  CHECK(plan.changes.empty());
  REQUIRE(plan.blockers.size() == 1);
  CHECK(plan.blockers[0].message ==
        "pg1 (198.18.0.11): /etc/postgresql/15/main/pg_hba.conf has errors (line 12: invalid IP "
        "address \"198.18.0\": Name or service not known); the server does not load a broken "
        "file on reload and keeps its old rules, so pgpair will not edit it. Fix these lines, "
        "then plan again");
}

TEST_CASE("hba_rule: a login refused for want of a rule, with the rule there, is noted",
          "[hba_rule]") {
  Plan plan = DiffOf(PairManifest(), Primary(DebianWith({Ours(105)})),
                     ReplicationLoginCheck{false,
                                           "FATAL:  no pg_hba.conf entry for replication "
                                           "connection from host \"10.1.1.1\""});
  CHECK(plan.changes.empty());
  REQUIRE(plan.notes.size() == 1);
  CHECK(plan.notes[0].find("the standby connects from another address") != std::string::npos);
}

TEST_CASE("Which lines take a replication login", "[hba_rule]") {
  struct Case {
    const char* proves;
    HbaLineFact line;
    const char* client;
    HbaMatch match;
  };
  const Case cases[] = {
      {"exact host", Line(1, "host", "replication", "r", "198.18.0.12/32", "md5"), "198.18.0.12/32",
       HbaMatch::kYes},
      {"a plain address is one host", Line(1, "host", "replication", "r", "198.18.0.12", "md5"),
       "198.18.0.12/32", HbaMatch::kYes},
      {"/0 covers every IPv4 address", Line(1, "host", "replication", "r", "0.0.0.0/0", "md5"),
       "198.18.0.12/32", HbaMatch::kYes},
      {"neighbour /32", Line(1, "host", "replication", "r", "198.18.0.13/32", "md5"),
       "198.18.0.12/32", HbaMatch::kNo},
      {"a netmask folded in",
       Line(1, "host", "replication", "r", "198.18.0.0/255.255.255.0", "md5"), "198.18.0.12/32",
       HbaMatch::kYes},
      {"a non-contiguous netmask",
       Line(1, "host", "replication", "r", "198.0.0.12/255.0.255.255", "md5"), "198.18.0.12/32",
       HbaMatch::kYes},
      {"IPv6 /64", Line(1, "host", "replication", "r", "2001:db8::/64", "md5"), "2001:db8::12/128",
       HbaMatch::kYes},
      {"IPv6 other prefix", Line(1, "host", "replication", "r", "2001:db9::/32", "md5"),
       "2001:db8::12/128", HbaMatch::kNo},
      {"::/0 does not match IPv4", Line(1, "host", "replication", "r", "::/0", "md5"),
       "198.18.0.12/32", HbaMatch::kNo},
      {"a /24 client under a /16 rule", Line(1, "host", "replication", "r", "198.18.0.0/16", "md5"),
       "198.18.0.0/24", HbaMatch::kYes},
      {"local never", Line(1, "local", "replication", "all", "", "peer"), "198.18.0.12/32",
       HbaMatch::kNo},
      {"@file in users may", Line(1, "host", "replication", "@admins", "all", "md5"),
       "198.18.0.12/32", HbaMatch::kMaybe},
      {"a quoted role name is the role", Line(1, "host", "replication", "\"r\"", "all", "md5"),
       "198.18.0.12/32", HbaMatch::kYes},
      {"hostgssenc may", Line(1, "hostgssenc", "replication", "r", "all", "md5"), "198.18.0.12/32",
       HbaMatch::kMaybe},
      {"an include directive may bring anything", Line(1, "include_dir", "", "", "", ""),
       "198.18.0.12/32", HbaMatch::kMaybe},
      {"no first: a line that cannot match never may", Line(1, "hostssl", "all", "r", "all", "md5"),
       "198.18.0.12/32", HbaMatch::kNo},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    CHECK(MatchReplicationLogin(c.line, "r", c.client, std::nullopt) == c.match);
  }
}

// Debian's file around the replication lines, as on disk.
const char kDebianTail[] =
    "# Allow replication connections from localhost, by a user with the\n"              // 1
    "# replication privilege.\n"                                                        // 2
    "local   replication     all                                     peer\n"            // 3
    "host    replication     all             198.18.0.0/24           reject\n"          // 4
    "host    replication     all             ::1/128                 scram-sha-256\n";  // 5

struct ApplyFixture : testing::FakePair {
  ApplyFixture() {
    manifest = PairManifest();
    primary = Primary(std::vector<HbaLineFact>{});
  }
  Change Planned(std::vector<HbaLineFact> lines) {
    primary.hba.lines = std::move(lines);
    Plan plan;
    HbaRuleResource().Diff(input, &plan);
    REQUIRE(plan.changes.size() == 1);
    return plan.changes[0];
  }
  // What the atomic write received on stdin.
  std::string Written() const {
    for (const FakeTransport::Call& call : pg1.calls()) {
      if (call.command.find("mktemp") != std::string::npos) return call.stdin_data;
    }
    return "<nothing written>";
  }
};

HbaLineFact RawLine(int number, const std::string& text, const std::string& type,
                    const std::string& address, const std::string& method) {
  HbaLineFact line = Line(number, type, "replication", "all", address, method);
  line.text = text;
  return line;
}

TEST_CASE("hba_rule apply: inserts before the shadowing line, keeping the rest", "[hba_rule]") {
  ApplyFixture f;
  Change change = f.Planned({RawLine(4,
                                     "host    replication     all             198.18.0.0/24    "
                                     "       reject",
                                     "host", "198.18.0.0/24", "reject")});
  f.pg1.OnCommand("cat -- /etc/postgresql/15/main/pg_hba.conf", FakeTransport::Stdout(kDebianTail));
  f.pg1.OnCommand("mktemp", FakeTransport::Stdout(""));
  REQUIRE(HbaRuleResource().Apply(change, f.context).ok());
  CHECK(f.pg1.calls().size() == 2);
  CHECK(f.Written() ==
        "# Allow replication connections from localhost, by a user with the\n"
        "# replication privilege.\n"
        "local   replication     all                                     peer\n"
        "# pgpair: lets the standby pg2 stream (replication)\n"
        "host    replication     replicator      198.18.0.12/32          scram-sha-256\n"
        "host    replication     all             198.18.0.0/24           reject\n"
        "host    replication     all             ::1/128                 scram-sha-256\n");
  // Owner and mode are kept: no attributes are forced on the file.
  CHECK(ScriptArgs(f.pg1.calls()[1].command, "pgpair-write-file") ==
        std::vector<std::string>{"/etc/postgresql/15/main/pg_hba.conf", "", "", ""});
}

TEST_CASE("hba_rule apply: a file changed since the plan is left alone", "[hba_rule]") {
  ApplyFixture f;
  Change change = f.Planned(
      {RawLine(4, "host replication all 198.18.0.0/24 reject", "host", "198.18.0.0/24", "reject")});
  std::string edited = kDebianTail;
  edited.insert(0, "# a line someone added\n");
  f.pg1.OnCommand("cat -- ", FakeTransport::Stdout(edited));
  Status status = HbaRuleResource().Apply(change, f.context);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message() ==
        "pg1 (198.18.0.11): /etc/postgresql/15/main/pg_hba.conf changed since the plan (line 4 "
        "is now `local replication all peer`, the plan expected `host replication all "
        "198.18.0.0/24 reject`); run plan again");
  CHECK(f.pg1.calls().size() == 1);  // read, never written
}

TEST_CASE("hba_rule apply: appends, and never twice", "[hba_rule]") {
  ApplyFixture f;
  Change change = f.Planned({});
  f.pg1.OnCommand("cat -- ", FakeTransport::Stdout("local all all peer"));
  f.pg1.OnCommand("mktemp", FakeTransport::Stdout(""));
  REQUIRE(HbaRuleResource().Apply(change, f.context).ok());
  CHECK(f.Written() ==
        "local all all peer\n"
        "# pgpair: lets the standby pg2 stream (replication)\n"
        "host    replication     replicator      198.18.0.12/32          scram-sha-256\n");

  ApplyFixture g;
  g.pg1.OnCommand("cat -- ", FakeTransport::Stdout("local all all peer\nhost replication "
                                                   "replicator 198.18.0.12/32 scram-sha-256\n"));
  Status again = HbaRuleResource().Apply(change, g.context);
  REQUIRE_FALSE(again.ok());
  CHECK(again.message().find("line 2 already holds pgpair's rule") != std::string::npos);
}

TEST_CASE("hba_rule apply: replaces our line's method, keeping its comment", "[hba_rule]") {
  ApplyFixture f;
  HbaLineFact ours = Ours(2, "md5");
  ours.text = "host replication replicator 198.18.0.12/32 md5 # by hand";
  Change change = f.Planned({ours});
  f.pg1.OnCommand("cat -- ", FakeTransport::Stdout("local all all peer\n"
                                                   "host replication replicator 198.18.0.12/32 "
                                                   "md5 # by hand\n"));
  f.pg1.OnCommand("mktemp", FakeTransport::Stdout(""));
  REQUIRE(HbaRuleResource().Apply(change, f.context).ok());
  CHECK(f.Written() ==
        "local all all peer\n"
        "host    replication     replicator      198.18.0.12/32          scram-sha-256  # by "
        "hand\n");
}

TEST_CASE("hba_rule apply: an unreadable file fails with the transport's message", "[hba_rule]") {
  ApplyFixture f;
  Change change = f.Planned({});
  f.pg1.OnCommand("cat -- ", FakeTransport::Exit(1, "cat: x: Permission denied"));
  Status status = HbaRuleResource().Apply(change, f.context);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message() ==
        "pg1 (198.18.0.11): /etc/postgresql/15/main/pg_hba.conf cannot be read: permission denied");
}

TEST_CASE("hba_rule: real facts of a fresh Debian cluster, running or stopped", "[hba_rule]") {
  for (const char* fixture : {"gather/pg15_debian_running.txt", "gather/pg15_debian_stopped.txt"}) {
    INFO(fixture);
    Plan plan = DiffOf(PairManifest(), GatheredFacts(fixture));
    // The file is read even when the server is down: the rule is appended.
    REQUIRE(plan.changes.size() == 1);
    CHECK(plan.blockers.empty());
    CHECK(plan.notes.empty());
    CHECK(plan.changes[0].action == Action::kCreate);
    CHECK(RequireDetails<HbaRuleDetails>(plan.changes[0]).placement ==
          HbaRuleDetails::Placement::kAppend);
    CHECK(RequireDetails<HbaRuleDetails>(plan.changes[0]).file == kFile);
  }
}

}  // namespace
}  // namespace pgpair
