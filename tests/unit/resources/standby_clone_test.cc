#include "resources/standby_clone.h"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "resources/recovery_config.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

const char kPrimaryId[] = "7712359091470470057";
const char kOtherId[] = "7712359110385930221";
const char kData[] = "/var/lib/postgresql/15/main";
const char kAside[] = "/var/lib/postgresql/15/main.pgpair-20261126T061500Z";
const char kPassword[] = "s3cr:t\\pw'\"$(reboot)";

Manifest PairManifest() {
  Manifest m = testing::SandboxPair();
  m.pair = "sandbox";
  m.hosts[1].ssh.command_timeout_seconds = 7200;
  m.replication = ReplicationSpec();
  return m;
}

// pg1 as the sandbox has it: Debian 15/main, running as a primary.
HostFacts Primary() {
  HostFacts f;
  f.name = "pg1";
  f.address = "198.18.0.11";
  f.declared_role = "primary";
  f.os.architecture = "x86_64";
  f.layout.cluster = "15/main";
  f.layout.data_dir = kData;
  f.layout.bin_dir = "/usr/lib/postgresql/15/bin";
  f.layout.port = 5432;
  f.server.major = 15;
  f.server.running = true;
  f.server.in_recovery = false;
  f.server.system_identifier = kPrimaryId;
  f.server.cluster_state = "in production";
  return f;
}

// pg2 as a healthy standby of pg1: same identifier, in recovery, streaming.
HostFacts StreamingStandby() {
  HostFacts f = Primary();
  f.name = "pg2";
  f.address = "198.18.0.12";
  f.declared_role = "standby";
  f.server.in_recovery = true;
  f.server.cluster_state = "in archive recovery";
  f.recovery.standby_signal = true;
  f.recovery.recovery_conf = false;
  f.recovery.recovery_signal = false;
  f.recovery.primary_conninfo =
      "user=replicator password=******** channel_binding=prefer host=198.18.0.11 port=5432 "
      "application_name=pg2 sslmode=prefer";
  f.replication.receiver_present = true;
  WalReceiverFact receiver;
  receiver.status = "streaming";
  receiver.sender_host = "198.18.0.11";
  f.replication.receiver = receiver;
  return f;
}

// pg2 out of the box: its own cluster from pg_createcluster, running as a primary.
HostFacts FreshStandby() {
  HostFacts f = Primary();
  f.name = "pg2";
  f.address = "198.18.0.12";
  f.declared_role = "standby";
  f.server.system_identifier = kOtherId;
  f.recovery.standby_signal = false;
  f.recovery.recovery_conf = false;
  f.recovery.primary_conninfo = "";
  f.replication.receiver_present = false;
  return f;
}

struct Pair : testing::FakePair {
  Pair() {
    manifest = PairManifest();
    primary = Primary();
    standby = StreamingStandby();
    input.timestamp = "20261126T061500Z";
  }
  PlanInput& Input() { return input; }
};

// Both standby resources' diffs, as the planner runs them.
Plan DiffStandby(Pair& pair) {
  Plan plan;
  StandbyCloneResource().Diff(pair.Input(), &plan);
  RecoveryConfigResource().Diff(pair.Input(), &plan);
  return plan;
}

std::string AllText(const Plan& plan) {
  std::string text;
  for (const Change& c : plan.changes) {
    text += c.address + "|" + c.reason + "|" + c.before.value_or("") + "|" + c.after.value_or("");
    for (const auto& [key, value] : c.arguments) text += "|" + key + "=" + value;
  }
  for (const Blocker& b : plan.blockers) text += "|" + b.message;
  for (const std::string& n : plan.notes) text += "|" + n;
  return text;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("standby_clone decides from identifiers, roles, majors and architectures",
          "[standby_clone]") {
  struct Case {
    const char* proves;
    std::function<void(Pair&)> setup;
    CloneVerdict verdict;
    const char* expected;  // a part of the change's reason, or of the blocker; empty: none
  };
  // No ": " in these names: Catch2 v2's console reporter (-s) indents a
  // wrapped line after it and loops forever when a word does not fit.
  const Case cases[] = {
      {"the out-of-the-box independent cluster is replaced (the normal first apply), and the "
       "reason says it runs as a primary whose data is moved aside",
       [](Pair& p) { p.standby = FreshStandby(); }, CloneVerdict::kReplace,
       "runs as a primary (not in recovery) with its own data, which is moved aside"},
      {"a healthy streaming standby of the primary is kept", [](Pair&) {}, CloneVerdict::kKeep, ""},
      {"a standby of another cluster is replaced, and the reason names both identifiers",
       [](Pair& p) { p.standby.server.system_identifier = kOtherId; }, CloneVerdict::kReplace,
       "pg2's data directory belongs to another cluster (system identifier 7712359110385930221, "
       "primary has 7712359091470470057)"},
      {"a missing data directory is replaced",
       [](Pair& p) {
         p.standby.server = ServerFacts();
         p.standby.server.running = false;
         p.standby.recovery = RecoveryFacts();
         p.standby.layout.data_dir_exists = false;
       },
       CloneVerdict::kReplace, "pg2's data directory /var/lib/postgresql/15/main does not exist"},
      {"a promoted standby (same identifier, not in recovery) is a split-brain risk, so it is "
       "blocked",
       [](Pair& p) {
         p.standby.server.in_recovery = false;
         p.standby.recovery.standby_signal = false;
       },
       CloneVerdict::kBlocked, "split brain"},
      {"with --allow-overwrite-primary the promoted standby is replaced",
       [](Pair& p) {
         p.standby.server.in_recovery = false;
         p.standby.recovery.standby_signal = false;
         p.input.allow_overwrite_primary = true;
       },
       CloneVerdict::kReplace, "--allow-overwrite-primary discards its own data"},
      {"a stopped promoted standby (pg_controldata says shut down, no standby.signal) is blocked "
       "too",
       [](Pair& p) {
         p.standby.server.running = false;
         p.standby.server.in_recovery.reset();
         p.standby.server.cluster_state = "shut down";
         p.standby.recovery.standby_signal = false;
       },
       CloneVerdict::kBlocked, "is stopped and was last a primary (pg_controldata: shut down)"},
      {"a stopped standby with standby.signal is kept",
       [](Pair& p) {
         p.standby.server.running = false;
         p.standby.server.in_recovery.reset();
         p.standby.server.cluster_state = "shut down in recovery";
       },
       CloneVerdict::kKeep, ""},
      {"majors that differ block the plan before anything changes",
       [](Pair& p) {
         p.standby = FreshStandby();
         p.standby.server.major = 14;
       },
       CloneVerdict::kBlocked, "pg1 runs PostgreSQL 15 but pg2's cluster is 14"},
      {"the major of a missing data directory comes from the Debian cluster name",
       [](Pair& p) {
         p.standby.server = ServerFacts();
         p.standby.server.running = false;
         p.standby.layout.cluster = "13/main";
       },
       CloneVerdict::kBlocked, "pg2's cluster is 13"},
      {"architectures that differ block the plan",
       [](Pair& p) {
         p.standby = FreshStandby();
         p.standby.os.architecture = "aarch64";
       },
       CloneVerdict::kBlocked, "pg1 is x86_64 but pg2 is aarch64"},
      {"a primary that is down blocks the standby's plan",
       [](Pair& p) {
         p.standby = FreshStandby();
         p.primary.server.running = false;
       },
       CloneVerdict::kBlocked, "the primary is not running; cannot plan the standby"},
      {"an unknown identifier of an existing data directory blocks instead of guessing",
       [](Pair& p) { p.standby.server.system_identifier.reset(); }, CloneVerdict::kBlocked,
       "system identifier of pg2's data directory /var/lib/postgresql/15/main is unknown"},
      {"a standby whose recovery state is unknown is neither kept nor replaced",
       [](Pair& p) { p.standby.server.in_recovery.reset(); }, CloneVerdict::kUnknown, ""},
  };
  for (const Case& c : cases) {
    SECTION(c.proves) {
      Pair pair;
      c.setup(pair);
      CloneDecision decision = DecideStandbyClone(pair.Input());
      Plan plan;
      StandbyCloneResource().Diff(pair.Input(), &plan);
      CHECK(decision.verdict == c.verdict);
      if (c.verdict == CloneVerdict::kReplace) {
        REQUIRE(plan.changes.size() == 1);
        const Change& change = plan.changes[0];
        CHECK(change.address == "standby_clone[pg2]");
        CHECK(change.host == "pg2");
        CHECK(change.action == Action::kReplace);
        CHECK(change.impact == Impact::kReclone);
        CHECK(Contains(change.reason, c.expected));
        // Where the old data goes, in reason and arguments.
        CHECK(Contains(change.reason,
                       std::string(kData) + " is moved to " + kAside + " (never deleted)"));
        CHECK(change.arguments.at("aside") == kAside);
        CHECK(plan.blockers.empty());
      } else {
        CHECK(plan.changes.empty());
      }
      if (c.verdict == CloneVerdict::kBlocked) {
        REQUIRE_FALSE(plan.blockers.empty());
        CHECK(Contains(plan.blockers[0].message, c.expected));
      }
      if (c.verdict == CloneVerdict::kKeep) CHECK(plan.empty());
    }
  }
}

TEST_CASE("The split-brain blocker tells both ways out", "[standby_clone]") {
  Pair pair;
  pair.standby.server.in_recovery = false;
  Plan plan;
  StandbyCloneResource().Diff(pair.Input(), &plan);
  REQUIRE(plan.blockers.size() == 1);
  CHECK(plan.blockers[0].host == "pg2");
  CHECK(Contains(plan.blockers[0].message, "swap primary and standby in the manifest"));
  CHECK(Contains(plan.blockers[0].message, "--allow-overwrite-primary"));
}

TEST_CASE("A standby in recovery that does not stream, with the right conninfo, is only noted",
          "[standby_clone]") {
  Pair pair;
  pair.standby.replication.receiver_present = false;
  pair.standby.replication.receiver.reset();
  Plan plan = DiffStandby(pair);
  CHECK(plan.changes.empty());
  CHECK(plan.blockers.empty());
  REQUIRE(plan.notes.size() == 1);
  CHECK(
      Contains(plan.notes[0], "pg2 is a standby of pg1 but not streaming (no WAL receiver runs)"));

  // A receiver that is there but still starting reads the same way.
  pair.standby.replication.receiver_present = true;
  WalReceiverFact receiver;
  receiver.status = "startup";
  pair.standby.replication.receiver = receiver;
  plan = DiffStandby(pair);
  REQUIRE(plan.notes.size() == 1);
  CHECK(Contains(plan.notes[0], "its WAL receiver is startup"));

  // With the wrong conninfo it is recovery_config's change, not a note.
  pair.standby.recovery.primary_conninfo = "host=198.18.0.99 port=5432 user=replicator";
  plan = DiffStandby(pair);
  CHECK(plan.notes.empty());
  REQUIRE(plan.changes.size() == 1);
  CHECK(plan.changes[0].address == "recovery_config[pg2]");
}

TEST_CASE("A replaced standby gets no recovery_config change, the clone configures it",
          "[standby_clone][recovery_config]") {
  Pair pair;
  pair.standby = FreshStandby();
  Plan plan = DiffStandby(pair);
  REQUIRE(plan.changes.size() == 1);
  CHECK(plan.changes[0].resource == "standby_clone");
}

TEST_CASE("The clone's arguments are what apply needs, and no secret", "[standby_clone]") {
  Pair pair;
  pair.standby = FreshStandby();
  Plan plan;
  StandbyCloneResource().Diff(pair.Input(), &plan);
  REQUIRE(plan.changes.size() == 1);
  const auto& args = plan.changes[0].arguments;
  CHECK(args.at("data_dir") == kData);
  CHECK(args.at("bin_dir") == "/usr/lib/postgresql/15/bin");
  CHECK(args.at("major") == "15");
  CHECK(args.at("primary_host") == "198.18.0.11");
  CHECK(args.at("primary_port") == "5432");
  CHECK(args.at("user") == "replicator");
  CHECK(args.at("application_name") == "pg2");
  // The data directory's own file wins over anything the copy brings along.
  CHECK(args.at("conninfo_file") == std::string(kData) + "/postgresql.auto.conf");
  CHECK(plan.changes[0].before == "system identifier 7712359110385930221");
  CHECK(plan.changes[0].after == "copy of pg1 (system identifier 7712359091470470057)");
  CHECK_FALSE(Contains(AllText(plan), "password="));
}

TEST_CASE("PgpassLine escapes ':' and '\\' as libpq's password file needs", "[standby_clone]") {
  struct Case {
    const char* proves;
    std::string host, user, password, line;
  };
  const Case cases[] = {
      {"plain values pass unchanged", "198.18.0.11", "replicator", "pw",
       "198.18.0.11:5432:replication:replicator:pw\n"},
      {"a colon in the password would end the field", "198.18.0.11", "replicator", "a:b",
       "198.18.0.11:5432:replication:replicator:a\\:b\n"},
      {"a backslash is escaped too, and quotes are not special", "198.18.0.11", "rep", "a\\b'\"",
       "198.18.0.11:5432:replication:rep:a\\\\b'\"\n"},
      {"an IPv6 address's colons are escaped", "fd00::11", "replicator", "pw",
       "fd00\\:\\:11:5432:replication:replicator:pw\n"},
  };
  for (const Case& c : cases) {
    SECTION(c.proves) { CHECK(PgpassLine(c.host, 5432, c.user, c.password) == c.line); }
  }
}

struct ApplyFixture {
  Pair pair;
  Plan plan;
  FakeTransport primary{"pg1 (198.18.0.11)"};
  FakeTransport standby{"pg2 (198.18.0.12)"};
  ApplyContext context;
  std::vector<std::string> progress;

  ApplyFixture() {
    pair.standby = FreshStandby();
    StandbyCloneResource().Diff(pair.Input(), &plan);
    REQUIRE(plan.changes.size() == 1);
    context.manifest = &pair.manifest;
    context.plan_input = &pair.input;
    context.primary = &primary;
    context.standby = &standby;
    context.replication_password = kPassword;
    context.progress = [this](const std::string& line) { progress.push_back(line); };
  }
  Status Apply() { return StandbyCloneResource().Apply(plan.changes[0], context); }
};

TEST_CASE("Clone apply stops, clones with the password on stdin only, then configures",
          "[standby_clone]") {
  ApplyFixture f;
  f.standby.OnCommand("pg_ctlcluster 15 main stop", FakeTransport::Stdout(""));
  f.standby.OnCommand("pg_basebackup", FakeTransport::Stdout(""));
  f.standby.OnCommand("standby.signal", FakeTransport::Stdout(""));
  f.standby.OnCommand("cat -- /var/lib/postgresql/15/main/postgresql.auto.conf",
                      FakeTransport::Stdout("# Do not edit this file manually!\n"));
  f.standby.OnCommand("mktemp -- \"$dir/.$(basename", FakeTransport::Stdout(""));
  f.standby.OnCommand("stat -L", FakeTransport::Stdout("postgres 600\n"));

  Status applied = f.Apply();
  REQUIRE(applied.message() == "");
  REQUIRE(applied.ok());
  CHECK(f.primary.calls().empty());
  const auto& calls = f.standby.calls();
  REQUIRE(calls.size() == 6);
  // 1. The server stops first (fast: no waiting for clients).
  // (pg_ctl's wait bounded by the host's ssh.command_timeout_seconds.)
  CHECK(calls[0].command == "PGCTLTIMEOUT=7170 pg_ctlcluster 15 main stop -m fast");
  // 2. The clone: move aside, empty 0700 directory, password file, pg_basebackup.
  const std::string& clone = calls[1].command;
  CHECK(Contains(clone, "data=/var/lib/postgresql/15/main\n"));
  CHECK(Contains(clone, std::string("aside=") + kAside + "\n"));
  CHECK(Contains(clone, "mv -- \"$data\" \"$aside\""));
  CHECK(Contains(clone, "chmod 0700 \"$data\""));
  CHECK(Contains(clone,
                 "runuser -u \"$user\" -- env PGPASSFILE=\"$passfile\" "
                 "/usr/lib/postgresql/15/bin/pg_basebackup -h 198.18.0.11 -p 5432 "
                 "-U replicator -D \"$data\" -X stream -c fast -w"));
  // The password file goes on every exit, success, failure or signal.
  CHECK(Contains(clone, "trap cleanup EXIT"));
  CHECK(Contains(clone, "rm -f -- \"$passfile\""));
  CHECK(Contains(clone, "trap 'exit 1' HUP INT TERM PIPE"));
  CHECK(calls[1].stdin_data ==
        "198.18.0.11:5432:replication:replicator:s3cr\\:t\\\\pw'\"$(reboot)\n");
  // A big cluster takes long: the host's command timeout, not a short default.
  CHECK(calls[1].timeout == std::chrono::seconds(7200));
  // 3. The standby's configuration: signal, then primary_conninfo, 0600, checked.
  CHECK(Contains(calls[2].command, "standby.signal"));
  CHECK(calls[3].command == "LC_ALL=C cat -- /var/lib/postgresql/15/main/postgresql.auto.conf");
  CHECK(Contains(calls[4].command, "chown -- postgres \"$tmp\""));
  CHECK(Contains(calls[4].command, "chmod -- 0600 \"$tmp\""));
  CHECK(Contains(calls[4].stdin_data,
                 "primary_conninfo = 'host=198.18.0.11 port=5432 user=replicator "));
  CHECK(Contains(calls[4].stdin_data, "application_name=pg2'"));
  CHECK(calls[5].command ==
        "stat -L -c '%U %a' -- /var/lib/postgresql/15/main/postgresql.auto.conf");
  // The password is in file content on stdin, never in a command or progress line.
  for (const auto& call : calls) CHECK_FALSE(Contains(call.command, "s3cr"));
  for (const std::string& line : f.progress) CHECK_FALSE(Contains(line, "s3cr"));
  CHECK(Contains(calls[1].stdin_data, "s3cr"));
  CHECK(Contains(calls[4].stdin_data, "s3cr"));
}

TEST_CASE("Clone apply goes on when the server was already stopped", "[standby_clone]") {
  ApplyFixture f;
  f.standby.OnCommand("pg_ctlcluster 15 main stop",
                      FakeTransport::Exit(2, "Cluster is not running.\n"));
  f.standby.OnCommand("pg_basebackup", FakeTransport::Stdout(""));
  f.standby.OnCommand("standby.signal", FakeTransport::Stdout(""));
  f.standby.OnCommand("LC_ALL=C cat", FakeTransport::Exit(1, "cat: x: No such file or directory"));
  f.standby.OnCommand("mktemp -- \"$dir/.$(basename", FakeTransport::Stdout(""));
  f.standby.OnCommand("stat -L", FakeTransport::Stdout("postgres 600\n"));
  REQUIRE(f.Apply().ok());
  // A new postgresql.auto.conf starts with ALTER SYSTEM's own header.
  CHECK(f.standby.calls()[4].stdin_data.rfind("# Do not edit this file manually!\n", 0) == 0);
}

TEST_CASE("A failed pg_basebackup says where the old data is and stops there", "[standby_clone]") {
  ApplyFixture f;
  f.standby.OnCommand("pg_ctlcluster 15 main stop", FakeTransport::Stdout(""));
  f.standby.OnCommand(
      "pg_basebackup",
      FakeTransport::Exit(1, std::string("pg_basebackup failed: FATAL: no pg_hba.conf entry for "
                                         "replication connection; the partial copy in ") +
                                 kData + " is removed; the old data directory is at " + kAside +
                                 "; to put it back: mv " + kAside + " " + kData + "\n"));
  Status applied = f.Apply();
  REQUIRE_FALSE(applied.ok());
  CHECK(Contains(applied.message(), "pg2 (198.18.0.12): pg_basebackup failed"));
  CHECK(Contains(applied.message(), std::string("to put it back: mv ") + kAside + " " + kData));
  // Nothing is configured after a failed copy.
  CHECK(f.standby.calls().size() == 2);
}

TEST_CASE("A clone cut off by the transport names the moved-aside directory", "[standby_clone]") {
  ApplyFixture f;
  f.standby.OnCommand("pg_ctlcluster 15 main stop", FakeTransport::Stdout(""));
  f.standby.OnCommand("pg_basebackup",
                      Status::Error("pg2 (198.18.0.12): command timed out after 7200 s"));
  Status applied = f.Apply();
  REQUIRE_FALSE(applied.ok());
  CHECK(Contains(applied.message(), "command timed out"));
  CHECK(Contains(applied.message(), std::string("the old data directory is at ") + kAside));
}

TEST_CASE("Clone apply without the password changes nothing", "[standby_clone]") {
  ApplyFixture f;
  f.context.replication_password.clear();
  CHECK_FALSE(f.Apply().ok());
  CHECK(f.standby.calls().empty());
}

}  // namespace
}  // namespace pgpair
