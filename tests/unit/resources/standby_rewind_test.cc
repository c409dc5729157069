#include "resources/standby_rewind.h"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "engine/plan/planner.h"
#include "engine/util/text.h"
#include "resources/hba_rule.h"
#include "resources/replication_role.h"
#include "resources/standby_clone.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/script_call.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

using testing::RequireDetails;

const char kId[] = "7714290235701072356";
const char kData[] = "/var/lib/postgresql/15/main";

HbaLineFact Line(int number, const std::string& database, const std::string& user,
                 const std::string& address, const std::string& method) {
  HbaLineFact line;
  line.line_number = number;
  line.type = "host";
  for (const std::string& name : Split(database, ',')) line.databases.push_back({name, false});
  line.users = {HbaToken{user, false}};
  line.address = address;
  line.method = method;
  line.text = "host " + database + " " + user + " " + address + " " + method;
  return line;
}

// After a failover by hand: pg2 was promoted from pg1's timeline 1, the
// manifest now names pg2 primary; pg1 ran on as a primary, then stopped.
struct FailedOver : testing::FakePair {
  FailedOver() {
    manifest.primary = "pg2";
    manifest.standby = "pg1";
    manifest.replication = ReplicationSpec();
    HbaSpec hba;
    hba.address = "198.18.0.11/32";
    manifest.hba = hba;
    ArchiveSpec archive;
    archive.dir = "/var/backups/pgsql/archive";
    manifest.archive = archive;
    input.timestamp = "20261201T220000Z";

    primary.name = "pg2";
    primary.address = "198.18.0.12";
    primary.declared_role = "primary";
    primary.layout.data_dir = kData;
    primary.layout.bin_dir = "/usr/lib/postgresql/15/bin";
    primary.layout.port = 5432;
    primary.server.major = 15;
    primary.server.running = true;
    primary.server.in_recovery = false;
    primary.server.system_identifier = kId;
    primary.server.timeline = "1";  // no checkpoint since the promotion
    primary.replication.timeline_fork = TimelineForkFact{2, 1, "0/3025010"};
    RoleFact role;
    role.name = "replicator";
    role.exists = true;
    role.can_login = true;
    role.replication = true;
    role.connection_limit = 5;
    role.has_password = true;
    role.password_kind = "scram-sha-256";
    role.rewind_functions = true;
    primary.roles = std::vector<RoleFact>{role};
    primary.hba.lines = std::vector<HbaLineFact>{
        Line(1, "replication,postgres", "replicator", "198.18.0.11/32", "scram-sha-256")};

    standby.name = "pg1";
    standby.address = "198.18.0.11";
    standby.declared_role = "standby";
    standby.layout.data_dir = kData;
    standby.layout.data_dir_exists = true;
    standby.layout.bin_dir = "/usr/lib/postgresql/15/bin";
    standby.layout.config_file = "/etc/postgresql/15/main/postgresql.conf";
    standby.layout.pg_rewind = true;
    standby.layout.rewind_interrupted = false;
    standby.server.major = 15;
    standby.server.running = false;
    standby.server.system_identifier = kId;
    standby.server.cluster_state = "shut down";
    standby.server.timeline = "1";
    standby.server.checkpoint_location = "0/3100000";
    standby.server.wal_log_hints = true;
    standby.server.data_checksums = false;
    standby.recovery.standby_signal = false;
    standby.recovery.recovery_conf = false;
    standby.recovery.backup_label = false;
  }
};

std::string BlockerText(const Plan& plan) {
  std::string text;
  for (const Blocker& blocker : plan.blockers) text += blocker.message + "\n";
  return text;
}

TEST_CASE("A stopped former primary is rewound, without the flag, once the manifest follows",
          "[standby_rewind]") {
  FailedOver pair;
  CHECK(ChooseRewind(pair.input).possible);
  CloneDecision decision = DecideStandbyClone(pair.input);
  CHECK(decision.verdict == CloneVerdict::kRewind);
  CHECK(decision.blockers.empty());
  CHECK_FALSE(decision.change);

  Plan plan;
  StandbyRewindResource().Diff(pair.input, &plan);
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.address == "standby_rewind[pg1]");
  CHECK(change.host == "pg1");
  CHECK(change.server_step == ServerStep::kStart);
  CHECK(change.after == "rewound to pg2's timeline 2, streaming from it");
  INFO(change.reason);
  CHECK(change.reason.find("pg1 ran as a primary after pg2 was promoted from it") == 0);
  CHECK(change.reason.find("kept in /var/lib/postgresql/15/main.pgpair-20261201T220000Z first "
                           "(never deleted)") != std::string::npos);
  const StandbyRewindDetails& details = RequireDetails<StandbyRewindDetails>(change);
  CHECK(details.keep == std::string(kData) + ".pgpair-20261201T220000Z");
  CHECK(details.config_file == "/etc/postgresql/15/main/postgresql.conf");
  CHECK(details.archive_dir == "/var/backups/pgsql/archive");
  CHECK_FALSE(details.stop_first);
  CHECK(details.primary.host == "198.18.0.12");
  CHECK(details.primary.user == "replicator");
  // The script gets every value as an argument of its own.
  CHECK(ScriptArgs(RewindStepScript(details, "postgres", "rewind"), "pgpair-standby-rewind") ==
        std::vector<std::string>{"rewind", kData, details.keep, "postgres",
                                 "/usr/lib/postgresql/15/bin",
                                 "/etc/postgresql/15/main/postgresql.conf", "198.18.0.12", "5432",
                                 "replicator", "/var/backups/pgsql/archive"});
}

TEST_CASE("A former primary that still takes writes is stopped only with the operator's word",
          "[standby_rewind]") {
  FailedOver pair;
  pair.standby.server.running = true;
  pair.standby.server.in_recovery = false;
  pair.standby.replication.current_lsn = "0/303EEC0";
  CloneDecision refused = DecideStandbyClone(pair.input);
  CHECK(refused.verdict == CloneVerdict::kBlocked);
  REQUIRE(refused.blockers.size() == 1);
  const std::string& message = refused.blockers[0].message;
  INFO(message);
  CHECK(message.find("pg1 wrote 106160 bytes of WAL after the fork") != std::string::npos);
  CHECK(message.find("to stop pg1 (its sessions end), discard what it wrote after the fork and "
                     "rewind it from pg2 with pg_rewind, plan with --allow-overwrite-primary") !=
        std::string::npos);
  CHECK(message.find("swap primary and standby") == std::string::npos);  // it is swapped

  pair.input.allow_overwrite_primary = true;
  Plan allowed;
  StandbyRewindResource().Diff(pair.input, &allowed);
  REQUIRE(allowed.changes.size() == 1);
  CHECK(RequireDetails<StandbyRewindDetails>(allowed.changes[0]).stop_first);
  CHECK(allowed.changes[0].reason.find("it is stopped first (its sessions end)") !=
        std::string::npos);
}

TEST_CASE(
    "While the manifest still names the old primary, the promoted standby is never taken "
    "over without the flag",
    "[standby_rewind]") {
  FailedOver pair;
  // The manifest unchanged: pg1 (the old primary, timeline 1) declared
  // primary; pg2, promoted to timeline 2 and holding the newer writes, is
  // stopped. Nothing of pg2 may be discarded without the operator's word.
  std::swap(pair.primary, pair.standby);
  pair.manifest.primary = "pg1";
  pair.manifest.standby = "pg2";
  pair.manifest.hba->address = "198.18.0.12/32";
  pair.primary.declared_role = "primary";
  pair.primary.server.running = true;
  pair.primary.replication.timeline_fork.reset();
  pair.standby.declared_role = "standby";
  pair.standby.server.running = false;
  pair.standby.server.cluster_state = "shut down";
  pair.standby.server.timeline = "2";
  CloneDecision decision = DecideStandbyClone(pair.input);
  CHECK(decision.verdict == CloneVerdict::kBlocked);
  Plan refused;
  refused.blockers = decision.blockers;
  INFO(BlockerText(refused));
  REQUIRE(decision.blockers.size() == 1);
  CHECK(decision.blockers[0].message.find("if pg2 is now the primary, swap primary and standby in "
                                          "the manifest") != std::string::npos);
}

TEST_CASE("Why a former primary is cloned again rather than rewound", "[standby_rewind]") {
  struct Case {
    const char* proves;
    std::function<void(FailedOver&)> change;
    const char* why;
  };
  const std::vector<Case> cases = {
      {"PostgreSQL 10's pg_rewind needs a superuser",
       [](FailedOver& p) { p.primary.server.major = p.standby.server.major = 10; },
       "pg_rewind of PostgreSQL 10 logs in to its source as a superuser only"},
      {"no pg_rewind program", [](FailedOver& p) { p.standby.layout.pg_rewind = false; },
       "/usr/lib/postgresql/15/bin/pg_rewind does not exist on pg1"},
      {"neither wal_log_hints nor checksums",
       [](FailedOver& p) { p.standby.server.wal_log_hints = false; },
       "pg1 was last started with wal_log_hints = off and has no data checksums"},
      {"an interrupted rewind", [](FailedOver& p) { p.standby.layout.rewind_interrupted = true; },
       "an earlier pg_rewind of pg1 did not finish"},
      {"the role lacks the grants",
       [](FailedOver& p) { (*p.primary.roles)[0].rewind_functions = false; },
       "role replicator may not yet execute pg_rewind's file functions on pg2"},
      {"an earlier line refuses the login",
       [](FailedOver& p) {
         p.primary.hba.lines->insert(p.primary.hba.lines->begin(),
                                     Line(0, "all", "all", "0.0.0.0/0", "reject"));
       },
       "pg2's pg_hba.conf does not admit pg_rewind's login to database postgres as replicator "
       "(line 0 `host all all 0.0.0.0/0 reject` matches first and would refuse the standby)"},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    FailedOver pair;
    c.change(pair);
    RewindChoice choice = ChooseRewind(pair.input);
    CHECK_FALSE(choice.possible);
    CHECK(choice.why_not.find(c.why) == 0);
    // The clone takes over, its data moved aside, and says why.
    CloneDecision decision = DecideStandbyClone(pair.input);
    CHECK(decision.verdict == CloneVerdict::kReplace);
    REQUIRE(decision.change);
    const std::string shown = pair.standby.layout.rewind_interrupted == true
                                  ? "which did not finish"  // the clone's own words
                                  : c.why;
    CHECK(decision.change->reason.find(shown) != std::string::npos);
  }
  // With checksums, wal_log_hints is not needed.
  FailedOver checksums;
  checksums.standby.server.wal_log_hints = false;
  checksums.standby.server.data_checksums = true;
  CHECK(ChooseRewind(checksums.input).possible);
}

TEST_CASE("The new primary's hba rule planned in the same run admits the rewind",
          "[standby_rewind]") {
  // After the failover, pg2 has no rule of pgpair's yet: this plan adds it
  // before the rewind on pg1 runs.
  FailedOver pair;
  pair.primary.hba.lines =
      std::vector<HbaLineFact>{Line(1, "replication", "all", "127.0.0.1/32", "scram-sha-256")};
  pair.primary.hba.file = "/etc/postgresql/15/main/pg_hba.conf";
  CHECK(ChooseRewind(pair.input).possible);
  // A reject above where the rule would go still refuses it.
  pair.primary.hba.lines->push_back(Line(0, "postgres", "all", "198.18.0.0/24", "reject"));
  RewindChoice shadowed = ChooseRewind(pair.input);
  CHECK_FALSE(shadowed.possible);
  CHECK(shadowed.why_not.find("line 0 `host postgres all 198.18.0.0/24 reject` matches first") !=
        std::string::npos);
}

TEST_CASE("A rewind that did not finish is cloned again, never started as it is",
          "[standby_rewind]") {
  FailedOver pair;
  pair.standby.layout.rewind_interrupted = true;
  pair.standby.server.cluster_state = "in archive recovery";
  CloneDecision decision = DecideStandbyClone(pair.input);
  CHECK(decision.verdict == CloneVerdict::kReplace);
  REQUIRE(decision.change);
  CHECK(decision.change->reason.find("was being rewound by pg_rewind, which did not finish") !=
        std::string::npos);
  CHECK(RequireDetails<StandbyCloneDetails>(*decision.change).aside ==
        std::string(kData) + ".pgpair-20261201T220000Z");
}

TEST_CASE("pgpair prepares both hosts for a rewind: wal_log_hints and the role's grants",
          "[standby_rewind]") {
  CHECK(RewindFunctionsSql("re\"pl") ==
        "GRANT EXECUTE ON FUNCTION pg_catalog.pg_ls_dir(text, boolean, boolean) TO \"re\"\"pl\";\n"
        "GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_file(text, boolean) TO \"re\"\"pl\";\n"
        "GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text) TO \"re\"\"pl\";\n"
        "GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) "
        "TO \"re\"\"pl\";\n");
  FailedOver pair;
  // The role without the grants, on 15: an update that grants them.
  (*pair.primary.roles)[0].rewind_functions = false;
  Plan plan =
      testing::DiffResource(ReplicationRoleResource(), pair.manifest, pair.primary, pair.standby);
  REQUIRE(plan.changes.size() == 1);
  CHECK(RequireDetails<ReplicationRoleDetails>(plan.changes[0]).grant_rewind);
  CHECK(plan.changes[0].after->find("pg_rewind's file functions: granted") != std::string::npos);
  // On 10 pg_rewind needs a superuser: nothing is granted.
  pair.primary.server.major = 10;
  CHECK(testing::DiffResource(ReplicationRoleResource(), pair.manifest, pair.primary, pair.standby)
            .changes.empty());
}

TEST_CASE("A new primary not checkpointed since its promotion gets a CHECKPOINT before pg_rewind",
          "[standby_rewind]") {
  FailedOver pair;  // pg2's pg_control: timeline 1; its newest history: timeline 2
  Plan plan;
  StandbyRewindResource().Diff(pair.input, &plan);
  REQUIRE(plan.changes.size() == 1);
  const StandbyRewindDetails& details = RequireDetails<StandbyRewindDetails>(plan.changes[0]);
  CHECK(details.checkpoint_source);
  CHECK(plan.changes[0].reason.find(
            "pg2's pg_control still names timeline 1 (no checkpoint since its promotion to "
            "timeline 2), and pg_rewind reads its source's timeline there: a CHECKPOINT on pg2 "
            "first") != std::string::npos);
  CHECK(details.ToJson()["checkpoint_source"] == true);

  // Checkpointed on its new timeline: nothing more to do, nothing said.
  pair.primary.server.timeline = "2";
  Plan checkpointed;
  StandbyRewindResource().Diff(pair.input, &checkpointed);
  REQUIRE(checkpointed.changes.size() == 1);
  CHECK_FALSE(RequireDetails<StandbyRewindDetails>(checkpointed.changes[0]).checkpoint_source);
  CHECK(checkpointed.changes[0].reason.find("CHECKPOINT") == std::string::npos);
}

// The rewind's apply on fakes: pg2 is the new primary, pg1 the former one.
struct RewindApply {
  FailedOver pair;
  Plan plan;
  RewindApply() {
    pair.context.primary = &pair.pg2;
    pair.context.standby = &pair.pg1;
    pair.context.replication_password = "pw";
    StandbyRewindResource().Diff(pair.input, &plan);
    REQUIRE(plan.changes.size() == 1);
  }
  Status Apply() { return StandbyRewindResource().Apply(plan.changes[0], pair.context); }
};

TEST_CASE("The source's CHECKPOINT runs first, and its failure changes nothing",
          "[standby_rewind]") {
  SECTION("refused: the former primary is not touched") {
    RewindApply f;
    f.pair.pg2.OnCommand("psql", FakeTransport::Exit(1, "ERROR:  must be superuser\n"));
    Status applied = f.Apply();
    REQUIRE_FALSE(applied.ok());
    CHECK(applied.message().find("pg1 was not rewound, and nothing was changed") !=
          std::string::npos);
    CHECK(f.pair.pg1.calls().empty());
  }
  SECTION("done: then pg_rewind on the former primary") {
    RewindApply f;
    f.pair.pg2.OnCommand("psql", FakeTransport::Stdout(""));
    f.pair.pg1.OnCommand(ScriptCalled("pgpair-standby-rewind", "rewind"),
                         FakeTransport::Exit(1, "pg_rewind's dry run failed"));
    Status applied = f.Apply();
    CHECK_FALSE(applied.ok());
    REQUIRE(f.pair.pg2.calls().size() == 1);
    CHECK(f.pair.pg2.calls()[0].stdin_data.find("CHECKPOINT;") != std::string::npos);
    REQUIRE(f.pair.pg1.calls().size() == 1);
    CHECK(f.pair.pg1.calls()[0].command.find("pgpair-standby-rewind") != std::string::npos);
  }
}

TEST_CASE("A failed pg_rewind is told by its own words, without its progress lines",
          "[standby_rewind]") {
  FailedOver pair;
  Plan plan;
  StandbyRewindResource().Diff(pair.input, &plan);
  REQUIRE(plan.changes.size() == 1);
  FakeTransport primary{"pg2 (198.18.0.12)"};
  primary.OnCommand("psql", FakeTransport::Stdout(""));  // the source's CHECKPOINT
  FakeTransport standby{"pg1 (198.18.0.11)"};
  standby.OnCommand(ScriptCalled("pgpair-standby-rewind", "rewind "),
                    FakeTransport::Exit(1,
                                        "1024/40960 kB (2%) copied\n"
                                        "20480/40960 kB (50%) copied\n"
                                        "pg_rewind: error: could not read file: No space left\n"
                                        "pg_rewind failed; it is cloned again\n"));
  ApplyContext context;
  context.manifest = &pair.manifest;
  context.plan_input = &pair.input;
  context.primary = &primary;
  context.standby = &standby;
  context.replication_password = "secret";
  Status applied = StandbyRewindResource().Apply(plan.changes[0], context);
  REQUIRE_FALSE(applied.ok());
  CHECK(applied.message() ==
        "pg1 (198.18.0.11): pg_rewind: error: could not read file: No space left\n"
        "pg_rewind failed; it is cloned again");
  // The rewind is one command, given the password on its input only.
  REQUIRE(standby.calls().size() == 1);
  CHECK(standby.calls()[0].command.find("secret") == std::string::npos);
  CHECK(standby.calls()[0].stdin_data.find(":secret") != std::string::npos);
}

}  // namespace
}  // namespace pgpair
