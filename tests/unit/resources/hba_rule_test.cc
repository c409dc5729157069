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

// Debian 12's pg_hba.conf for 15/main as captured (tests/fixtures/gather/):
// its rules are on lines 90 to 104, the file's last line.
std::string DebianHba() {
  Result<GatherSections> sections =
      ParseGatherOutput(testing::ReadFixture("gather/pg15_debian_stopped.txt"), "@@pgpair-fixture");
  REQUIRE(sections.ok());
  return sections->at(std::string("file ") + kFile).out;
}

// Debian's file with `extra` appended, one a line: the first on line 105.
std::string DebianWith(const std::vector<std::string>& extra) {
  std::string text = DebianHba();
  if (!text.empty() && text.back() != '\n') text += '\n';
  for (const std::string& line : extra) text += line + "\n";
  return text;
}

// pgpair's rule as it writes it.
std::string Ours(const std::string& method = "scram-sha-256") {
  return "host    replication,postgres replicator      198.18.0.12/32          " + method;
}

// pgpair's rule as it wrote it before it admitted pg_rewind's login.
std::string OursBeforeRewind(const std::string& method = "scram-sha-256") {
  return "host    replication     replicator      198.18.0.12/32          " + method;
}

// The primary's facts with `hba` as its pg_hba.conf (empty: unreadable),
// through the real parser and interpreter. Stopped, ssl is unknown; running
// (`ssl_off`), the captured server runs with ssl off.
HostFacts Primary(const std::optional<std::string>& hba, bool ssl_off = false) {
  return testing::DebianWithHba(hba, ssl_off);
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

TEST_CASE("hba_rule: diff against pg_hba.conf files as written", "[hba_rule]") {
  struct Case {
    const char* proves;
    Manifest manifest;
    HostFacts primary;
    Outcome outcome;
    int line = 0;
  };
  const Manifest v4 = PairManifest();
  const Manifest v6 = PairManifest("2001:db8::12/128");
  const Manifest md5 = PairManifest("198.18.0.12/32", "md5");
  const bool ssl_off = true;

  const Case cases[] = {
      {"Debian's file: no line takes the standby, append", v4, Primary(DebianHba()),
       Outcome::kAppend},
      {"converged: our line is the first match", v4, Primary(DebianWith({Ours()})),
       Outcome::kNothing},
      {"shadowed by a reject above: insert before it", v4,
       Primary(DebianWith({"host replication all 198.18.0.0/24 reject", Ours()})),
       Outcome::kInsertBefore, 105},
      {"`all` as database does not match replication connections, but refuses pg_rewind's "
       "login first: a note",
       v4, Primary(DebianWith({"host all all 0.0.0.0/0 reject", Ours()})), Outcome::kNote},
      {"a database called \"replication\" is not the keyword", v4,
       Primary(DebianWith({"host \"replication\" all 0.0.0.0/0 reject", Ours()})),
       Outcome::kNothing},
      {"a role called \"all\" is not the keyword", v4,
       Primary(DebianWith({"host replication \"all\" 0.0.0.0/0 reject", Ours()})),
       Outcome::kNothing},
      {"a role called \"+replusers\" is no group", v4,
       Primary(DebianWith({"host replication \"+replusers\" 0.0.0.0/0 reject", Ours()})),
       Outcome::kNothing},
      {"the keyword in a list with a quoted name still matches", v4,
       Primary(DebianWith({"host \"replication\",replication all 0.0.0.0/0 reject", Ours()})),
       Outcome::kInsertBefore, 105},
      {"an address outside the CIDR does not match", v4,
       Primary(DebianWith({"host replication all 10.0.0.0/8 reject"})), Outcome::kAppend},
      {"another role's line does not match", v4,
       Primary(DebianWith({"host replication barman 0.0.0.0/0 reject"})), Outcome::kAppend},
      {"`all` as address matches", v4,
       Primary(DebianWith({"host replication all all reject", Ours()})), Outcome::kInsertBefore,
       105},
      {"a list of users naming the role matches", v4,
       Primary(DebianWith({"host replication barman,replicator 198.18.0.0/16 md5"})),
       Outcome::kInsertBefore, 105},
      {"a different method first: insert before it", v4,
       Primary(DebianWith({"host replication all 198.18.0.0/24 md5", Ours()})),
       Outcome::kInsertBefore, 105},
      {"our own line with another method: replace it", v4, Primary(DebianWith({Ours("md5")})),
       Outcome::kReplace, 105},
      {"our own line with options the manifest lacks: replace it", v4,
       Primary(DebianWith({Ours() + " clientcert=verify-full"})), Outcome::kReplace, 105},
      {"our own line with the role quoted is ours", v4,
       Primary(DebianWith({"host replication \"replicator\" 198.18.0.12/32 md5"})),
       Outcome::kReplace, 105},
      {"md5 declared: an md5 line of ours is converged", md5, Primary(DebianWith({Ours("md5")})),
       Outcome::kNothing},
      {"a broader line with the same method already lets the standby in: note only", v4,
       Primary(DebianWith({"host replication all 198.18.0.0/24 scram-sha-256"})), Outcome::kNote},
      {"IPv6: a covering IPv6 reject shadows", v6,
       Primary(DebianWith({"host replication all 2001:db8::/64 reject"})), Outcome::kInsertBefore,
       105},
      {"IPv6: an IPv4 rule never matches an IPv6 standby", v6,
       Primary(DebianWith({"host replication all 0.0.0.0/0 reject"})), Outcome::kAppend},
      {"IPv6: our line in another spelling is ours", v6,
       Primary(
           DebianWith({"host replication,postgres replicator 2001:0db8:0::12/128 scram-sha-256"})),
       Outcome::kNothing},
      {"our line from before pgpair admitted pg_rewind: replaced", v4,
       Primary(DebianWith({OursBeforeRewind()})), Outcome::kReplace, 105},
      {"pg_rewind's login admitted by a line of the operator's: nothing to do", v4,
       Primary(DebianWith({OursBeforeRewind(), "host all all 198.18.0.0/24 scram-sha-256"})),
       Outcome::kNothing},
      {"`replication` never admits pg_rewind's login: ours replaced", v4,
       Primary(DebianWith({OursBeforeRewind(), "host replication all 0.0.0.0/0 scram-sha-256"})),
       Outcome::kReplace, 105},
      {"hostssl may match (ssl unknown): insert before it", v4,
       Primary(DebianWith({"hostssl replication all 198.18.0.0/24 cert", Ours()})),
       Outcome::kInsertBefore, 105},
      {"hostssl cannot match with ssl off", v4,
       Primary(DebianWith({"hostssl replication all 198.18.0.0/24 cert", Ours()}), ssl_off),
       Outcome::kNothing},
      {"hostnossl matches with ssl off: insert before it", v4,
       Primary(DebianWith({"hostnossl replication all 198.18.0.0/24 reject"}), ssl_off),
       Outcome::kInsertBefore, 105},
      {"+group may match: insert before a different method", v4,
       Primary(DebianWith({"host replication +replusers 198.18.0.0/24 md5", Ours()})),
       Outcome::kInsertBefore, 105},
      {"+group with the same method lets the standby in either way", v4,
       Primary(DebianWith({"host replication +replusers 198.18.0.0/24 scram-sha-256", Ours()})),
       Outcome::kNothing},
      {"samenet may match: insert before a reject", v4,
       Primary(DebianWith({"host replication all samenet reject", Ours()})), Outcome::kInsertBefore,
       105},
      {"a host name may match: insert before a reject", v4,
       Primary(DebianWith({"host replication all .example.com reject"})), Outcome::kInsertBefore,
       105},
      {"a range covering part of ours may match", PairManifest("198.18.0.0/24"),
       Primary(DebianWith({"host replication all 198.18.0.0/25 reject"})), Outcome::kInsertBefore,
       105},
      {"lines unknown: note, no change", v4, Primary(std::nullopt), Outcome::kNote},
      {"a line pgpair cannot parse, server down: blocker", v4,
       Primary(DebianWith({"host replication all 198.18.0.0/24 scram"})), Outcome::kBlocker},
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
  Plan plan = DiffOf(PairManifest(), Primary(DebianHba()));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.address == "hba_rule[pg1/replication replicator 198.18.0.12/32]");
  CHECK(change.action == Action::kCreate);
  CHECK_FALSE(change.before.has_value());
  CHECK(change.after == "host replication,postgres replicator 198.18.0.12/32 scram-sha-256");
  CHECK(RequireDetails<HbaRuleDetails>(change).line == Ours());
  CHECK(RequireDetails<HbaRuleDetails>(change).comment ==
        "pgpair: lets the standby pg2 stream (replication) and pg_rewind rejoin it (postgres)");
  CHECK(change.reason ==
        "no line of /etc/postgresql/15/main/pg_hba.conf matches a replication "
        "connection as replicator from pg2 (198.18.0.12): the primary would "
        "refuse the standby");
}

TEST_CASE("hba_rule: a shadowing line is named with its text", "[hba_rule]") {
  Plan plan = DiffOf(PairManifest(), Primary("host replication all 198.18.0.0/24 reject\n"));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.reason ==
        "line 1 `host replication all 198.18.0.0/24 reject` matches first and "
        "would refuse the standby; pgpair's rule goes before it");
  CHECK(RequireDetails<HbaRuleDetails>(change).placement ==
        HbaRuleDetails::Placement::kInsertBefore);
  CHECK(RequireDetails<HbaRuleDetails>(change).line_number == 1);
  CHECK(RequireDetails<HbaRuleDetails>(change).expected_text ==
        "host replication all 198.18.0.0/24 reject");

  Plan maybe = DiffOf(PairManifest(), Primary("hostssl replication all 198.18.0.0/24 md5\n"));
  REQUIRE(maybe.changes.size() == 1);
  CHECK(maybe.changes[0].reason ==
        "line 1 `hostssl replication all 198.18.0.0/24 md5` may match first (when the "
        "standby's connection uses SSL) and would authenticate the standby with md5, not "
        "scram-sha-256; pgpair's rule goes before it");
}

TEST_CASE("hba_rule: pgpair's own rule shadowed by an earlier line is a move, not a create",
          "[hba_rule]") {
  Plan plan = DiffOf(PairManifest(),
                     Primary("host replication all 198.18.0.0/24 reject\n" + Ours() + "\n"));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.action == Action::kUpdate);
  CHECK(change.before ==
        "line 2: host replication,postgres replicator 198.18.0.12/32 scram-sha-256");
  CHECK(change.after ==
        "before line 1: host replication,postgres replicator 198.18.0.12/32 scram-sha-256");
  CHECK(change.reason ==
        "pgpair's rule at line 2 is shadowed: line 1 `host replication all 198.18.0.0/24 "
        "reject` matches first and would refuse the standby; it is moved up before it");
  CHECK(RequireDetails<HbaRuleDetails>(change).placement ==
        HbaRuleDetails::Placement::kInsertBefore);
  CHECK(RequireDetails<HbaRuleDetails>(change).line_number == 1);
}

TEST_CASE("hba_rule: a continued record shows whole, its first line is what apply checks",
          "[hba_rule]") {
  Plan plan = DiffOf(PairManifest(),
                     Primary("host replication all \\\n    198.18.0.0/24 reject  # no one\n"));
  REQUIRE(plan.changes.size() == 1);
  INFO(plan.changes[0].reason);
  CHECK(plan.changes[0].reason.rfind("line 1 `host replication all 198.18.0.0/24 reject` "
                                     "matches first",
                                     0) == 0);
  CHECK(RequireDetails<HbaRuleDetails>(plan.changes[0]).expected_text == "host replication all \\");
}

TEST_CASE("hba_rule: our line's method is replaced in place", "[hba_rule]") {
  Plan plan = DiffOf(PairManifest(), Primary(DebianWith({Ours("md5")})));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.action == Action::kUpdate);
  CHECK(change.before == "host replication,postgres replicator 198.18.0.12/32 md5");
  CHECK(change.after == "host replication,postgres replicator 198.18.0.12/32 scram-sha-256");
  CHECK(RequireDetails<HbaRuleDetails>(change).placement == HbaRuleDetails::Placement::kReplace);
  CHECK(RequireDetails<HbaRuleDetails>(change).line_number == 105);
}

TEST_CASE("hba_rule: errors the server reports block the plan", "[hba_rule]") {
  // The running server's own reading, with an error it found on line 12.
  HostFacts primary = Primary(DebianHba(), true);
  REQUIRE(primary.hba.server_rules);
  HbaRuleFact bad;
  bad.line_number = 12;
  bad.error = "invalid IP address \"198.18.0\": Name or service not known";
  primary.hba.server_rules->push_back(bad);
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
  Plan plan = DiffOf(PairManifest(), Primary(DebianWith({Ours()})),
                     ReplicationLoginCheck{false,
                                           "FATAL:  no pg_hba.conf entry for replication "
                                           "connection from host \"10.1.1.1\""});
  CHECK(plan.changes.empty());
  REQUIRE(plan.notes.size() == 1);
  CHECK(plan.notes[0].find("the standby connects from another address") != std::string::npos);
}

// One pg_hba.conf line as the facts hold it, read by the real interpreter.
HbaLineFact LineOf(const std::string& text) {
  HostFacts facts = Primary(text + "\n");
  REQUIRE(facts.hba.lines);
  REQUIRE(facts.hba.lines->size() == 1);
  return facts.hba.lines->front();
}

TEST_CASE("Which lines take a replication login", "[hba_rule]") {
  struct Case {
    const char* proves;
    const char* line;
    const char* client;
    HbaMatch match;
  };
  const Case cases[] = {
      {"exact host", "host replication r 198.18.0.12/32 md5", "198.18.0.12/32", HbaMatch::kYes},
      {"a plain address is one host", "host replication r 198.18.0.12 255.255.255.255 md5",
       "198.18.0.12/32", HbaMatch::kYes},
      {"/0 covers every IPv4 address", "host replication r 0.0.0.0/0 md5", "198.18.0.12/32",
       HbaMatch::kYes},
      {"neighbour /32", "host replication r 198.18.0.13/32 md5", "198.18.0.12/32", HbaMatch::kNo},
      {"a netmask folded in", "host replication r 198.18.0.0 255.255.255.0 md5", "198.18.0.12/32",
       HbaMatch::kYes},
      {"a non-contiguous netmask", "host replication r 198.0.0.12 255.0.255.255 md5",
       "198.18.0.12/32", HbaMatch::kYes},
      {"IPv6 /64", "host replication r 2001:db8::/64 md5", "2001:db8::12/128", HbaMatch::kYes},
      {"IPv6 other prefix", "host replication r 2001:db9::/32 md5", "2001:db8::12/128",
       HbaMatch::kNo},
      {"::/0 does not match IPv4", "host replication r ::/0 md5", "198.18.0.12/32", HbaMatch::kNo},
      {"a /24 client under a /16 rule", "host replication r 198.18.0.0/16 md5", "198.18.0.0/24",
       HbaMatch::kYes},
      {"a /16 client under a /24 rule: only some", "host replication r 198.18.0.0/24 md5",
       "198.18.0.0/16", HbaMatch::kMaybe},
      {"local never", "local replication all peer", "198.18.0.12/32", HbaMatch::kNo},
      {"@file in users may", "host replication @admins all md5", "198.18.0.12/32",
       HbaMatch::kMaybe},
      {"a quoted @file is a role's name", "host replication \"@admins\" all md5", "198.18.0.12/32",
       HbaMatch::kNo},
      {"a quoted role name is the role", "host replication \"r\" all md5", "198.18.0.12/32",
       HbaMatch::kYes},
      {"a quoted \"replication\" is a database's name", "host \"replication\" r all md5",
       "198.18.0.12/32", HbaMatch::kNo},
      {"a quoted \"all\" user is a role's name", "host replication \"all\" all md5",
       "198.18.0.12/32", HbaMatch::kNo},
      {"+group may", "host replication +g all md5", "198.18.0.12/32", HbaMatch::kMaybe},
      {"a quoted +group is a role's name", "host replication \"+g\" all md5", "198.18.0.12/32",
       HbaMatch::kNo},
      {"hostgssenc may", "hostgssenc replication r all md5", "198.18.0.12/32", HbaMatch::kMaybe},
      {"an include directive may bring anything", "include_dir conf.d", "198.18.0.12/32",
       HbaMatch::kMaybe},
      {"no first: a line that cannot match never may", "hostssl all r all md5", "198.18.0.12/32",
       HbaMatch::kNo},
  };
  for (const Case& c : cases) {
    INFO(c.proves << ": " << c.line);
    CHECK(MatchReplicationLogin(LineOf(c.line), "r", c.client, std::nullopt) == c.match);
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
    primary = Primary(std::string());
  }
  // The change planned for a primary whose pg_hba.conf is `hba`.
  Change Planned(const std::string& hba) {
    primary = Primary(hba);
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

TEST_CASE("hba_rule apply: inserts before the shadowing line, keeping the rest", "[hba_rule]") {
  ApplyFixture f;
  Change change = f.Planned(kDebianTail);
  REQUIRE(RequireDetails<HbaRuleDetails>(change).line_number == 4);
  f.pg1.OnCommand("cat -- /etc/postgresql/15/main/pg_hba.conf", FakeTransport::Stdout(kDebianTail));
  f.pg1.OnCommand("mktemp", FakeTransport::Stdout(""));
  REQUIRE(HbaRuleResource().Apply(change, f.context).ok());
  CHECK(f.pg1.calls().size() == 2);
  CHECK(f.Written() ==
        "# Allow replication connections from localhost, by a user with the\n"
        "# replication privilege.\n"
        "local   replication     all                                     peer\n"
        "# pgpair: lets the standby pg2 stream (replication) and pg_rewind rejoin it (postgres)\n"
        "host    replication,postgres replicator      198.18.0.12/32          scram-sha-256\n"
        "host    replication     all             198.18.0.0/24           reject\n"
        "host    replication     all             ::1/128                 scram-sha-256\n");
  // Owner and mode are kept: no attributes are forced on the file.
  CHECK(ScriptArgs(f.pg1.calls()[1].command, "pgpair-write-file") ==
        std::vector<std::string>{"/etc/postgresql/15/main/pg_hba.conf", "", "", ""});
}

TEST_CASE("hba_rule apply: a file changed since the plan is left alone", "[hba_rule]") {
  ApplyFixture f;
  Change change = f.Planned(kDebianTail);
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
  Change change = f.Planned("local all all peer\n");
  f.pg1.OnCommand("cat -- ", FakeTransport::Stdout("local all all peer"));
  f.pg1.OnCommand("mktemp", FakeTransport::Stdout(""));
  REQUIRE(HbaRuleResource().Apply(change, f.context).ok());
  CHECK(f.Written() ==
        "local all all peer\n"
        "# pgpair: lets the standby pg2 stream (replication) and pg_rewind rejoin it (postgres)\n"
        "host    replication,postgres replicator      198.18.0.12/32          scram-sha-256\n");

  ApplyFixture g;
  g.pg1.OnCommand("cat -- ", FakeTransport::Stdout("local all all peer\nhost replication,postgres "
                                                   "replicator 198.18.0.12/32 scram-sha-256\n"));
  Status again = HbaRuleResource().Apply(change, g.context);
  REQUIRE_FALSE(again.ok());
  CHECK(again.message().find("line 2 already holds pgpair's rule") != std::string::npos);
}

TEST_CASE("hba_rule apply: replaces our line's method, keeping its comment", "[hba_rule]") {
  ApplyFixture f;
  Change change =
      f.Planned("local all all peer\nhost replication replicator 198.18.0.12/32 md5 # by hand\n");
  f.pg1.OnCommand("cat -- ", FakeTransport::Stdout("local all all peer\n"
                                                   "host replication replicator 198.18.0.12/32 "
                                                   "md5 # by hand\n"));
  f.pg1.OnCommand("mktemp", FakeTransport::Stdout(""));
  REQUIRE(HbaRuleResource().Apply(change, f.context).ok());
  CHECK(f.Written() ==
        "local all all peer\n"
        "host    replication,postgres replicator      198.18.0.12/32          scram-sha-256  # "
        "by hand\n");
}

TEST_CASE("hba_rule apply: an unreadable file fails with the transport's message", "[hba_rule]") {
  ApplyFixture f;
  Change change = f.Planned("local all all peer\n");
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
