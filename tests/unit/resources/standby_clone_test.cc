#include "resources/standby_clone.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "engine/apply/standby_clone.sh.inc"
#include "engine/apply/standby_setup.h"
#include "engine/facts/standby_state.h"
#include "engine/plan/apply_time_note.h"
#include "engine/util/digest.h"
#include "resources/recovery_config.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/script_call.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

using testing::RequireDetails;

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
    if (c.details) text += "|" + c.details->ToJson().dump();
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
      {"a primary that is down defers the clone, so its own start can be planned",
       [](Pair& p) {
         p.standby = FreshStandby();
         p.primary.server.running = false;
       },
       CloneVerdict::kDeferred, ""},
      {"a copy of the primary never started and never configured is re-cloned, not called "
       "promoted",
       [](Pair& p) {
         p.standby.server.running = false;
         p.standby.server.in_recovery.reset();
         p.standby.server.cluster_state = "in production";
         p.standby.recovery.standby_signal = false;
         p.standby.recovery.backup_label = true;
       },
       CloneVerdict::kReplace, "never started and is not configured as a standby"},
      {"leftovers of an interrupted clone are named and removed before the next clone",
       [](Pair& p) {
         p.standby = FreshStandby();
         p.standby.layout.clone_leftovers =
             std::vector<std::string>{"/var/lib/postgresql/15/main.pgpair-staging"};
       },
       CloneVerdict::kReplace,
       "/var/lib/postgresql/15/main.pgpair-staging, left by an interrupted clone (never "
       "started), is removed first"},
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
        // Where the old data goes, in reason and details.
        if (pair.standby.layout.data_dir_exists != false) {
          CHECK(Contains(change.reason,
                         std::string(kData) + " is moved to " + kAside + " (never deleted)"));
        }
        CHECK(RequireDetails<StandbyCloneDetails>(change).aside == kAside);
        CHECK(change.server_step == ServerStep::kStart);
        CHECK(plan.blockers.empty());
      } else {
        CHECK(plan.changes.empty());
      }
      if (c.verdict == CloneVerdict::kBlocked) {
        REQUIRE_FALSE(plan.blockers.empty());
        CHECK(Contains(plan.blockers[0].message, c.expected));
      }
      if (c.verdict == CloneVerdict::kKeep) CHECK(plan.empty());
      if (c.verdict == CloneVerdict::kDeferred) {
        CHECK(plan.blockers.empty());
        CHECK(plan.deferred == std::vector<std::string>{"standby_clone[pg2]"});
        REQUIRE_FALSE(plan.notes.empty());
        CHECK(Contains(plan.notes.back(), "pg1's server is stopped; apply starts it first"));
      }
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

TEST_CASE("A standby data directory that is a mount point blocks the clone, with the way out",
          "[standby_clone]") {
  Pair pair;
  pair.standby = FreshStandby();
  pair.standby.layout.data_dir_mount_point = true;
  Plan plan;
  StandbyCloneResource().Diff(pair.Input(), &plan);
  CHECK(plan.changes.empty());
  REQUIRE(plan.blockers.size() == 1);
  CHECK(plan.blockers[0].host == "pg2");
  CHECK(Contains(plan.blockers[0].message, "pg2 needs a new copy of pg1 ("));
  CHECK(Contains(plan.blockers[0].message,
                 "but /var/lib/postgresql/15/main is a mount point: pgpair makes the copy beside "
                 "it and puts it in place by renaming"));
  CHECK(Contains(plan.blockers[0].message,
                 "mount the volume on /var/lib/postgresql/15 instead, with the data directory "
                 "inside it"));
  // A streaming standby needs no copy: its mount point is no matter.
  Pair streaming;
  streaming.standby.layout.data_dir_mount_point = true;
  Plan kept;
  StandbyCloneResource().Diff(streaming.Input(), &kept);
  CHECK(kept.blockers.empty());
}

TEST_CASE("A standby in recovery that does not stream, with the right conninfo, is only noted",
          "[standby_clone]") {
  Pair pair;
  auto primary_listens_on = [&pair](const std::string& value) {
    if (!pair.primary.settings) pair.primary.settings.emplace();
    auto& settings = *pair.primary.settings;
    auto it = std::find_if(settings.begin(), settings.end(),
                           [](const SettingFact& s) { return s.name == "listen_addresses"; });
    if (it == settings.end()) {
      SettingFact listen;
      listen.name = "listen_addresses";
      it = settings.insert(settings.end(), listen);
    }
    it->value = value;
  };
  primary_listens_on("*");
  pair.standby.replication.receiver_present = false;
  pair.standby.replication.receiver.reset();
  Plan plan = DiffStandby(pair);
  CHECK(plan.changes.empty());
  CHECK(plan.blockers.empty());
  REQUIRE(plan.notes.size() == 1);
  CHECK(
      Contains(plan.notes[0], "pg2 is a standby of pg1 but not streaming (no WAL receiver runs)"));
  CHECK(Contains(plan.notes[0], "it may be catching up"));

  // When the cause is known, the note says it instead of guessing.
  primary_listens_on("localhost");
  plan = DiffStandby(pair);
  REQUIRE(plan.notes.size() == 1);
  CHECK(Contains(plan.notes[0],
                 "pg1 listens on localhost only (listen_addresses), so pg2 cannot reach it"));
  CHECK_FALSE(Contains(plan.notes[0], "catching up"));
  primary_listens_on("*");

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

TEST_CASE("The clone's details are what apply needs, and no secret", "[standby_clone]") {
  Pair pair;
  pair.standby = FreshStandby();
  Plan plan;
  StandbyCloneResource().Diff(pair.Input(), &plan);
  REQUIRE(plan.changes.size() == 1);
  const StandbyCloneDetails& clone = RequireDetails<StandbyCloneDetails>(plan.changes[0]);
  CHECK(clone.data_dir == kData);
  CHECK(clone.bin_dir == "/usr/lib/postgresql/15/bin");
  CHECK(clone.major == 15);
  CHECK(clone.primary.host == "198.18.0.11");
  CHECK(clone.primary.port == 5432);
  CHECK(clone.primary.user == "replicator");
  CHECK(clone.primary.application_name == "pg2");
  CHECK(plan.changes[0].before == "system identifier 7712359110385930221");
  CHECK(plan.changes[0].after == "copy of pg1 (system identifier 7712359091470470057)");
  CHECK_FALSE(Contains(AllText(plan), "password="));
}

TEST_CASE("A plan only shown names no time, and a saved plan's time is the one applied",
          "[standby_clone][apply_time]") {
  Pair pair;
  pair.standby = FreshStandby();
  // plan without -o: the apply plans again with its own time.
  pair.Input().timestamp = kApplyTimeTimestamp;
  Plan shown;
  StandbyCloneResource().Diff(pair.Input(), &shown);
  REQUIRE(shown.changes.size() == 1);
  CHECK(RequireDetails<StandbyCloneDetails>(shown.changes[0]).aside ==
        std::string(kData) + ".pgpair-YYYYMMDDTHHMMSSZ");
  CHECK(Contains(shown.changes[0].reason, "main.pgpair-YYYYMMDDTHHMMSSZ (never deleted)"));
  AddApplyTimeNote(&shown);
  REQUIRE(shown.notes.size() == 1);
  CHECK(Contains(shown.notes[0],
                 "YYYYMMDDTHHMMSSZ in a moved-aside name is the UTC time of the "
                 "apply"));
  // A saved plan (or apply's own): its time, and no note.
  pair.Input().timestamp = "20261126T061500Z";
  Plan saved;
  StandbyCloneResource().Diff(pair.Input(), &saved);
  REQUIRE(saved.changes.size() == 1);
  CHECK(RequireDetails<StandbyCloneDetails>(saved.changes[0]).aside == kAside);
  AddApplyTimeNote(&saved);
  CHECK(saved.notes.empty());
}

TEST_CASE("PgpassLine escapes colons and backslashes as libpq's password file needs",
          "[standby_clone]") {
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

// The answers of a clone that goes well, step by step.
// What the command that writes the copy's primary_conninfo contains: the
// file, given to postgres with mode 0600.
const std::string kConninfoWrite =
    ScriptCalled("pgpair-write-file",
                 std::string(kData) + ".pgpair-staging/postgresql.auto.conf postgres '' 0600");

// What the command of one step of the clone script contains.
std::string CloneStep(const std::string& step) {
  return ScriptCalled("pgpair-standby-clone", step + " ");
}

// The primary's default and global tablespaces: 100 MiB.
constexpr char kPrimaryBytes[] = "104857600\n";

void AnswerAGoodClone(FakeTransport& standby, FakeTransport& primary) {
  primary.OnCommand("psql", FakeTransport::Stdout(kPrimaryBytes));
  standby.OnCommand(CloneStep("stage"), FakeTransport::Stdout(""));
  standby.OnCommand(CloneStep("ready"), FakeTransport::Stdout(""));
  standby.OnCommand(CloneStep("swap"),
                    FakeTransport::Stdout(std::string("moved ") + kAside + "\n"));
  standby.OnCommand("pg_ctlcluster 15 main stop", FakeTransport::Stdout(""));
  standby.OnCommand(ScriptCalled("pgpair-standby-files"), FakeTransport::Stdout(""));
  standby.OnCommand("cat -- /var/lib/postgresql/15/main.pgpair-staging/postgresql.auto.conf",
                    FakeTransport::Stdout("# Do not edit this file manually!\n"));
  standby.OnCommand(ScriptCalled("pgpair-write-file"), FakeTransport::Stdout(""));
  standby.OnCommand("stat -L", FakeTransport::Stdout("postgres 600\n"));
}

size_t IndexOf(const std::vector<FakeTransport::Call>& calls, const std::string& part) {
  for (size_t i = 0; i < calls.size(); ++i) {
    if (Contains(calls[i].command, part)) return i;
  }
  return calls.size();
}

TEST_CASE("Clone apply copies beside the data directory, configures the copy, then swaps",
          "[standby_clone]") {
  ApplyFixture f;
  AnswerAGoodClone(f.standby, f.primary);

  Status applied = f.Apply();
  REQUIRE(applied.message() == "");
  REQUIRE(applied.ok());
  // The primary is asked one thing: the size of what the copy holds.
  REQUIRE(f.primary.calls().size() == 1);
  CHECK(Contains(f.primary.calls()[0].stdin_data,
                 "pg_tablespace_size('pg_default') + pg_tablespace_size('pg_global')"));
  const auto& calls = f.standby.calls();
  const std::string staging = std::string(kData) + ".pgpair-staging";
  // 1. The copy goes into the staging directory, with the password on stdin.
  size_t stage = IndexOf(calls, CloneStep("stage"));
  REQUIRE(stage == 0);
  std::optional<ScriptCall> staged = ParseScriptCommand(calls[stage].command);
  REQUIRE(staged.has_value());
  CHECK(staged->script == kStandbyCloneScript);
  CHECK(staged->args == std::vector<std::string>{"stage", kData, kAside, "postgres",
                                                 "/usr/lib/postgresql/15/bin/pg_basebackup",
                                                 "198.18.0.11", "5432", "replicator",
                                                 // 100 MiB and 64 MiB for the WAL, in KiB
                                                 "167936"});
  CHECK(calls[stage].stdin_data ==
        "198.18.0.11:5432:replication:replicator:s3cr\\:t\\\\pw'\"$(reboot)\n");
  // A big cluster takes long: the host's command timeout, not a short default.
  CHECK(calls[stage].timeout == std::chrono::seconds(7200));
  // 2. The copy is configured as a standby where it is, before it is used.
  size_t conninfo = IndexOf(calls, kConninfoWrite);
  REQUIRE(conninfo < calls.size());
  CHECK(Contains(calls[conninfo].stdin_data,
                 "primary_conninfo = 'host=198.18.0.11 port=5432 user=replicator "));
  CHECK(Contains(calls[conninfo].stdin_data, "application_name=pg2'"));
  CHECK(Contains(calls[conninfo].command, staging + "/postgresql.auto.conf"));
  CHECK(IndexOf(calls, ScriptCalled("pgpair-standby-files")) < IndexOf(calls, CloneStep("ready")));
  // 3. Marked complete, then the server stops, then the two renames.
  size_t ready = IndexOf(calls, CloneStep("ready"));
  size_t stop = IndexOf(calls, "pg_ctlcluster 15 main stop -m fast");
  size_t swap = IndexOf(calls, CloneStep("swap"));
  CHECK(conninfo < ready);
  CHECK(ready < stop);
  CHECK(stop < swap);
  CHECK(swap == calls.size() - 1);
  CHECK(ScriptArgs(calls[swap].command, "pgpair-standby-clone").value().at(2) == kAside);
  // The password is in file content on stdin, never in a command or progress line.
  for (const auto& call : calls) CHECK_FALSE(Contains(call.command, "s3cr"));
  for (const std::string& line : f.progress) CHECK_FALSE(Contains(line, "s3cr"));
  CHECK(Contains(calls[conninfo].stdin_data, "s3cr"));
}

TEST_CASE("Clone apply goes on when the server was already stopped", "[standby_clone]") {
  ApplyFixture f;
  f.standby.OnCommand("pg_ctlcluster 15 main stop",
                      FakeTransport::Exit(2, "Cluster is not running.\n"));
  f.standby.OnCommand("LC_ALL=C cat", FakeTransport::Exit(1, "cat: x: No such file or directory"));
  AnswerAGoodClone(f.standby, f.primary);
  REQUIRE(f.Apply().ok());
  // A new postgresql.auto.conf starts with ALTER SYSTEM's own header.
  const auto& calls = f.standby.calls();
  size_t conninfo = IndexOf(calls, kConninfoWrite);
  REQUIRE(conninfo < calls.size());
  CHECK(calls[conninfo].stdin_data.rfind("# Do not edit this file manually!\n", 0) == 0);
}

TEST_CASE("A failed pg_basebackup leaves the data directory and the server alone",
          "[standby_clone]") {
  ApplyFixture f;
  f.standby.OnCommand(CloneStep("stage"),
                      FakeTransport::Exit(1,
                                          "pg_basebackup failed: FATAL: no pg_hba.conf entry for "
                                          "replication connection\n"));
  AnswerAGoodClone(f.standby, f.primary);
  Status applied = f.Apply();
  REQUIRE_FALSE(applied.ok());
  CHECK(Contains(applied.message(), "pg2 (198.18.0.12): pg_basebackup failed"));
  CHECK(Contains(applied.message(), std::string(kData) + " is unchanged"));
  // Nothing is configured, stopped or moved after a failed copy.
  CHECK(f.standby.calls().size() == 1);
}

TEST_CASE("A clone cut off by the transport says the data directory is unchanged",
          "[standby_clone]") {
  ApplyFixture f;
  f.standby.OnCommand(CloneStep("stage"),
                      Status::Error("pg2 (198.18.0.12): command timed out after 7200 s"));
  AnswerAGoodClone(f.standby, f.primary);
  Status applied = f.Apply();
  REQUIRE_FALSE(applied.ok());
  CHECK(Contains(applied.message(), "command timed out"));
  CHECK(Contains(applied.message(), std::string(kData) + " is unchanged"));
  CHECK_FALSE(Contains(applied.message(), kAside));
  CHECK(f.standby.calls().size() == 1);
}

TEST_CASE("A copy that cannot be configured is never put in place", "[standby_clone]") {
  ApplyFixture f;
  f.standby.OnCommand("stat -L", FakeTransport::Stdout("postgres 644\n"));
  AnswerAGoodClone(f.standby, f.primary);
  Status applied = f.Apply();
  REQUIRE_FALSE(applied.ok());
  CHECK(Contains(applied.message(), "is not configured as a standby and is never started"));
  CHECK(IndexOf(f.standby.calls(), CloneStep("ready")) == f.standby.calls().size());
  CHECK(IndexOf(f.standby.calls(), CloneStep("swap")) == f.standby.calls().size());
}

TEST_CASE("A refused swap reports the script's reason", "[standby_clone]") {
  ApplyFixture f;
  f.standby.OnCommand(CloneStep("swap"),
                      FakeTransport::Exit(1, std::string("the PostgreSQL server still runs in ") +
                                                 kData + " (pid 42); nothing was changed\n"));
  AnswerAGoodClone(f.standby, f.primary);
  Status applied = f.Apply();
  REQUIRE_FALSE(applied.ok());
  CHECK(Contains(applied.message(), "still runs in"));
  CHECK(Contains(applied.message(), "nothing was changed"));
}

TEST_CASE("A clone whose size cannot be read from the primary is not started", "[standby_clone]") {
  ApplyFixture f;
  f.primary.OnCommand("psql", FakeTransport::Exit(2, "psql: error: connection refused\n"));
  AnswerAGoodClone(f.standby, f.primary);
  Status applied = f.Apply();
  REQUIRE_FALSE(applied.ok());
  CHECK(Contains(applied.message(), "connection refused"));
  CHECK(Contains(applied.message(), "the room the copy needs on pg2 is unknown"));
  CHECK(Contains(applied.message(), std::string(kData) + " is unchanged"));
  CHECK(f.standby.calls().empty());
}

TEST_CASE("Clone apply without the password changes nothing", "[standby_clone]") {
  ApplyFixture f;
  f.context.replication_password.clear();
  CHECK_FALSE(f.Apply().ok());
  CHECK(f.standby.calls().empty());
}

}  // namespace
}  // namespace pgpair

namespace pgpair {
namespace {

TEST_CASE("A rotated password is found by digest and rewritten, never shown",
          "[recovery_config][password]") {
  Pair pair;
  pair.standby.recovery.primary_conninfo_has_password = true;
  pair.standby.recovery.primary_conninfo_password_sha256 = Sha256Hex("the old one");
  SECTION("the same secret plans nothing") {
    pair.input.replication_password_sha256 = Sha256Hex("the old one");
    CHECK(DiffStandby(pair).empty());
  }
  SECTION("another secret plans primary_conninfo again, with a reload on 15") {
    pair.input.replication_password_sha256 = Sha256Hex("the new one");
    Plan plan = DiffStandby(pair);
    REQUIRE(plan.changes.size() == 1);
    const Change& change = plan.changes[0];
    CHECK(change.address == "recovery_config[pg2]");
    CHECK(change.impact == Impact::kReload);
    CHECK(Contains(change.reason, "not the manifest's replication.password"));
    CHECK(RequireDetails<RecoveryConfigDetails>(change).steps ==
          std::vector<std::string>{"write_primary_conninfo"});
    CHECK_FALSE(Contains(AllText(plan), "the new one"));
    CHECK_FALSE(Contains(AllText(plan), "the old one"));
    CHECK_FALSE(Contains(AllText(plan), Sha256Hex("the old one")));
  }
  SECTION("on 11 the rotation rewrites recovery.conf and needs a restart") {
    pair.primary.server.major = 11;
    pair.standby.server.major = 11;
    pair.standby.recovery.standby_signal = false;
    pair.standby.recovery.recovery_conf = true;
    pair.standby.recovery.recovery_conf_settings = std::map<std::string, std::string>{
        {"standby_mode", "on"}, {"primary_conninfo", *pair.standby.recovery.primary_conninfo}};
    pair.input.replication_password_sha256 = Sha256Hex("the new one");
    Plan plan = DiffStandby(pair);
    REQUIRE(plan.changes.size() == 1);
    CHECK(plan.changes[0].impact == Impact::kRestart);
    CHECK(RequireDetails<RecoveryConfigDetails>(plan.changes[0]).steps ==
          std::vector<std::string>{"write_recovery_conf"});
  }
  SECTION("an unknown digest (no password stored) is no change") {
    pair.standby.recovery.primary_conninfo_password_sha256.reset();
    pair.input.replication_password_sha256 = Sha256Hex("the new one");
    CHECK(DiffStandby(pair).empty());
  }
}

TEST_CASE("A base backup's WAL stream is never the standby streaming", "[standby_state]") {
  Pair pair;
  WalSenderFact backup;
  backup.application_name = "pg_basebackup";
  backup.client_addr = "198.18.0.12";
  backup.state = "streaming";
  pair.primary.replication.senders = std::vector<WalSenderFact>{backup};
  SECTION("a standby down during its clone does not stream") {
    pair.standby.server.running = false;
    CHECK_FALSE(StandbyStreams(pair.primary, pair.standby, "198.18.0.12", "pg2"));
    CHECK(WhyNotStreaming(pair.primary, pair.standby, "198.18.0.12", "pg2") ==
          "its server is stopped");
  }
  SECTION("a running receiver with only the backup's sender on the primary does not stream") {
    CHECK(WhyNotStreaming(pair.primary, pair.standby, "198.18.0.12", "pg2") ==
          "the primary serves no WAL stream to it");
  }
  SECTION("the standby's own sender next to the backup's streams") {
    WalSenderFact own;
    own.application_name = "pg2";
    own.client_addr = "198.18.0.12";
    own.state = "streaming";
    pair.primary.replication.senders->push_back(own);
    CHECK(StandbyStreams(pair.primary, pair.standby, "198.18.0.12", "pg2"));
  }
  SECTION("a receiver that waits does not stream") {
    pair.standby.replication.receiver->status = "waiting";
    CHECK(WhyNotStreaming(pair.primary, pair.standby, "198.18.0.12", "pg2") ==
          "its WAL receiver is waiting");
  }
  SECTION("a receiver still streaming from a primary out of reach is not taken at its word") {
    // The primary's facts are unknown: its senders were never read.
    pair.primary.replication.senders.reset();
    pair.primary.server.running.reset();
    CHECK_FALSE(StandbyStreams(pair.primary, pair.standby, "198.18.0.12", "pg2"));
    CHECK(WhyNotStreaming(pair.primary, pair.standby, "198.18.0.12", "pg2") ==
          "the primary's WAL senders could not be read");
  }
}

TEST_CASE("What the standby's data directory holds, relative to the primary", "[standby_state]") {
  struct Case {
    const char* proves;
    std::function<void(HostFacts&)> setup;
    StandbyData kind;
  };
  const Case cases[] = {
      {"a streaming standby", [](HostFacts&) {}, StandbyData::kStandby},
      {"no data directory",
       [](HostFacts& s) {
         s.layout.data_dir_exists = false;
         s.server = ServerFacts();
       },
       StandbyData::kMissing},
      {"another identifier", [](HostFacts& s) { s.server.system_identifier = kOtherId; },
       StandbyData::kOtherCluster},
      {"a stopped copy with backup_label and no standby.signal was never started",
       [](HostFacts& s) {
         s.server.running = false;
         s.server.in_recovery.reset();
         s.server.cluster_state = "in production";
         s.recovery.standby_signal = false;
         s.recovery.backup_label = true;
       },
       StandbyData::kUnstartedCopy},
      {"a stopped copy with backup_label and standby.signal is a standby (a clone not yet "
       "started)",
       [](HostFacts& s) {
         s.server.running = false;
         s.server.in_recovery.reset();
         s.server.cluster_state = "in production";
         s.recovery.backup_label = true;
       },
       StandbyData::kStandby},
      {"a stopped copy that last ran as a primary, without backup_label, was promoted",
       [](HostFacts& s) {
         s.server.running = false;
         s.server.in_recovery.reset();
         s.server.cluster_state = "shut down";
         s.recovery.standby_signal = false;
         s.recovery.backup_label = false;
       },
       StandbyData::kPromoted},
      {"a running copy out of recovery was promoted",
       [](HostFacts& s) { s.server.in_recovery = false; }, StandbyData::kPromoted},
  };
  for (const Case& c : cases) {
    SECTION(c.proves) {
      HostFacts standby = StreamingStandby();
      c.setup(standby);
      CHECK(ClassifyStandbyData(Primary(), standby).kind == c.kind);
    }
  }
}

TEST_CASE("A stopped primary is planned: its start, then the clone waits", "[standby_clone]") {
  Pair pair;
  pair.standby = FreshStandby();
  pair.primary.server.running = false;
  pair.primary.server.in_recovery.reset();
  pair.primary.server.cluster_state = "shut down";
  Plan plan = DiffStandby(pair);
  CHECK(plan.blockers.empty());
  CHECK(plan.changes.empty());
  CHECK(plan.deferred == std::vector<std::string>{"standby_clone[pg2]"});
}

}  // namespace
}  // namespace pgpair
