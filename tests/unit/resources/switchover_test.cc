#include "resources/switchover.h"

#include <catch2/catch.hpp>
#include <string>

#include "engine/plan/planner.h"
#include "resources/standby_clone.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

using testing::RequireDetails;

const char kId[] = "7712359091470470057";

// The sandbox's manifest with primary and standby swapped: pg2 is to be
// the primary.
Manifest SwappedManifest() {
  Manifest m = testing::SandboxPair();
  m.primary = "pg2";
  m.standby = "pg1";
  m.replication = ReplicationSpec();
  return m;
}

HostFacts Base(const char* name, const char* address) {
  HostFacts f;
  f.name = name;
  f.address = address;
  f.layout.cluster = "15/main";
  f.layout.data_dir = "/var/lib/postgresql/15/main";
  f.layout.bin_dir = "/usr/lib/postgresql/15/bin";
  f.layout.port = 5432;
  f.server.major = 15;
  f.server.running = true;
  f.server.system_identifier = kId;
  f.server.timeline = "1";
  f.recovery.standby_signal = false;
  f.recovery.recovery_conf = false;
  return f;
}

// pg2: a standby of pg1, streaming, replayed up to 0/5000060.
HostFacts FuturePrimary() {
  HostFacts f = Base("pg2", "198.18.0.12");
  f.declared_role = "primary";
  f.server.in_recovery = true;
  f.recovery.standby_signal = true;
  f.replication.receiver_present = true;
  WalReceiverFact receiver;
  receiver.status = "streaming";
  f.replication.receiver = receiver;
  f.replication.replay_lsn = "0/5000060";
  f.settings = std::vector<SettingFact>{};
  SettingFact delay;
  delay.name = "recovery_min_apply_delay";
  delay.value = "0";
  delay.unit = "ms";
  f.settings->push_back(delay);
  SettingFact hints;  // as pgpair's apply left it (resources/setting/desired.h)
  hints.name = "wal_log_hints";
  hints.value = "on";
  hints.vartype = "bool";
  hints.context = "postmaster";
  f.settings->push_back(hints);
  return f;
}

// pg1: the primary, with pg2's sender streaming.
HostFacts OldPrimary() {
  HostFacts f = Base("pg1", "198.18.0.11");
  f.declared_role = "standby";
  f.server.in_recovery = false;
  f.replication.current_lsn = "0/5000060";
  WalSenderFact sender;
  sender.client_addr = "198.18.0.12";
  sender.application_name = "pg2";
  sender.state = "streaming";
  f.replication.senders = std::vector<WalSenderFact>{sender};
  f.replication.archive_failing = false;
  f.replication.archive_ready_files = 0;
  // As pgpair's apply left it (resources/setting/desired.h).
  SettingFact hints;
  hints.name = "wal_log_hints";
  hints.value = "on";
  hints.vartype = "bool";
  hints.context = "postmaster";
  f.settings = std::vector<SettingFact>{hints};
  f.file_settings = std::vector<FileSettingFact>{
      {"wal_log_hints", "on", "/etc/postgresql/15/main/conf.d/pgpair.conf", 1, true, {}}};
  return f;
}

std::string Blockers(const Plan& plan) {
  std::string text;
  for (const Blocker& b : plan.blockers) text += b.message + "\n";
  return text;
}

TEST_CASE("A swapped manifest on a streaming pair plans one switchover with every step",
          "[switchover]") {
  Manifest m = SwappedManifest();
  Plan plan = testing::DiffResource(SwitchoverResource(), m, FuturePrimary(), OldPrimary());
  INFO(Blockers(plan));
  REQUIRE(plan.blockers.empty());
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.address == "switchover[pg1->pg2]");
  CHECK(change.host == "pg1");  // the host that is stopped and started again
  CHECK(change.impact == Impact::kRestart);
  CHECK(change.server_step == ServerStep::kNone);
  CHECK(change.reason.find("write downtime: from pg1's stop to pg2's promotion") !=
        std::string::npos);
  CHECK(change.reason.find("pg2 is not restarted") != std::string::npos);
  const SwitchoverDetails& d = RequireDetails<SwitchoverDetails>(change);
  CHECK(d.stage == "both_up");
  REQUIRE(d.steps.size() == std::size(kSwitchoverSteps));
  for (size_t i = 0; i < d.steps.size(); ++i) CHECK(d.steps[i].name == kSwitchoverSteps[i]);
  // plan shows them one a line.
  REQUIRE(change.steps.size() == d.steps.size());
  CHECK(change.steps[1] ==
        "wait until pg2 has received pg1's WAL up to there (given up after 10 s without "
        "progress; else nothing is stopped)");
  CHECK(change.steps[5] == "promote pg2 (pg_promote()); writes resume here, on pg2");
  CHECK(d.conninfo.host == "198.18.0.12");
  CHECK(d.conninfo.application_name == "pg1");
  CHECK(d.conninfo_file == "/var/lib/postgresql/15/main/postgresql.auto.conf");
  // The plan holds no secret: a conninfo it shows has the password masked.
  const std::string json = d.ToJson().dump();
  for (size_t at = json.find("password="); at != std::string::npos;
       at = json.find("password=", at + 1)) {
    CHECK(json.compare(at, 17, "password=********") == 0);
  }
}

TEST_CASE("The switchover's preconditions are blockers that say what to do", "[switchover]") {
  Manifest m = SwappedManifest();
  auto blocked = [&](const HostFacts& p, const HostFacts& s, const std::string& words) {
    Plan plan = testing::DiffResource(SwitchoverResource(), m, p, s);
    INFO(Blockers(plan));
    CHECK(plan.changes.empty());
    CHECK(Blockers(plan).find(words) != std::string::npos);
  };
  HostFacts waiting = FuturePrimary();
  waiting.replication.receiver->status = "waiting";
  blocked(waiting, OldPrimary(), "pg2 does not stream from pg1 (its WAL receiver is waiting)");

  HostFacts ahead = OldPrimary();
  ahead.replication.current_lsn = "0/9000060";
  blocked(FuturePrimary(), ahead, "64 MB behind");

  HostFacts delayed = FuturePrimary();
  (*delayed.settings)[0].value = "300000";
  blocked(delayed, OldPrimary(), "is a delayed standby (recovery_min_apply_delay = 300000 ms)");

  HostFacts failing = OldPrimary();
  failing.replication.archive_failing = true;
  blocked(FuturePrimary(), failing, "the archiver of pg1 fails");

  HostFacts backlog = OldPrimary();
  backlog.replication.archive_ready_files = 20;
  blocked(FuturePrimary(), backlog, "20 WAL segments of pg1 wait for the archiver");

  HostFacts other_major = FuturePrimary();
  other_major.server.major = 16;
  blocked(other_major, OldPrimary(), "must be known and the same");
}

TEST_CASE("An interrupted switchover is planned again from its first step not done",
          "[switchover]") {
  Manifest m = SwappedManifest();
  HostFacts stopped = OldPrimary();
  stopped.server.running = false;
  stopped.server.in_recovery.reset();
  stopped.server.cluster_state = "shut down";
  stopped.server.checkpoint_location = "0/5000028";

  Plan after_stop = testing::DiffResource(SwitchoverResource(), m, FuturePrimary(), stopped);
  INFO(Blockers(after_stop));
  REQUIRE(after_stop.changes.size() == 1);
  const SwitchoverDetails& d1 = RequireDetails<SwitchoverDetails>(after_stop.changes[0]);
  CHECK(d1.stage == "old_primary_stopped");
  REQUIRE(!d1.steps.empty());
  CHECK(d1.steps.front().name == "read_shutdown_checkpoint");

  HostFacts promoted = FuturePrimary();
  promoted.server.in_recovery = false;
  promoted.replication.timeline_fork = TimelineForkFact{2, 1, std::string("0/50000A0")};
  Plan after_promote = testing::DiffResource(SwitchoverResource(), m, promoted, stopped);
  REQUIRE(after_promote.changes.size() == 1);
  const SwitchoverDetails& d2 = RequireDetails<SwitchoverDetails>(after_promote.changes[0]);
  CHECK(d2.stage == "promoted");
  CHECK(d2.steps.front().name == "configure_old_primary");
  CHECK(d2.write_downtime == "none: pg2 takes writes already");

  // Forked before pg1's last record: a failover, not a switchover. The
  // switchover stands back; pg1, stopped, is rejoined by the clone (or
  // pg_rewind, which these facts do not allow), saying why.
  promoted.replication.timeline_fork->fork_lsn = "0/4000000";
  Plan diverged = testing::DiffResource(SwitchoverResource(), m, promoted, stopped);
  CHECK(diverged.changes.empty());
  CHECK(diverged.blockers.empty());
  PlanInput input;
  input.manifest = &m;
  input.primary = &promoted;
  input.standby = &stopped;
  input.timestamp = "20261201T220000Z";
  CloneDecision rejoin = DecideStandbyClone(input);
  CHECK(rejoin.verdict == CloneVerdict::kReplace);
  REQUIRE(rejoin.change);
  CHECK(rejoin.change->reason.find("pg_rewind cannot rejoin it") != std::string::npos);
}

TEST_CASE(
    "The whole plan of a switchover: no split-brain refusal, the old primary's own changes "
    "wait",
    "[switchover]") {
  Manifest m = SwappedManifest();
  HostFacts p = FuturePrimary();
  HostFacts s = OldPrimary();
  s.server.running = false;
  s.server.in_recovery.reset();
  s.server.cluster_state = "shut down";
  s.server.checkpoint_location = "0/5000028";
  PlanInput input;
  input.manifest = &m;
  input.primary = &p;
  input.standby = &s;
  input.timestamp = "20261201T180000Z";
  Plan plan = MakePlan(input);
  INFO(Blockers(plan));
  CHECK(plan.blockers.empty());
  bool switchover = false, start_of_old = false;
  for (const Change& c : plan.changes) {
    switchover |= c.resource == "switchover";
    start_of_old |= c.address == "server_running[pg1]";
  }
  CHECK(switchover);
  // The old primary is never started as it is (it would be a second
  // primary): its start waits for the switchover, which starts it as a
  // standby.
  CHECK_FALSE(start_of_old);
  bool deferred_start = false;
  for (const std::string& a : plan.deferred) deferred_start |= a == "server_running[pg1]";
  CHECK(deferred_start);
}

// The switchover planned on the swapped sandbox pair, and a FakePair wired
// to it: pg2 (the future primary) is context.primary.
struct SwitchoverPair {
  testing::FakePair pair;
  Change change;
  explicit SwitchoverPair(const HostFacts& p, const HostFacts& s) {
    pair.manifest = SwappedManifest();
    pair.primary = p;
    pair.standby = s;
    pair.context.primary = &pair.pg2;
    pair.context.standby = &pair.pg1;
    pair.context.replication_password = "pw";
    Plan plan = testing::DiffResource(SwitchoverResource(), pair.manifest, p, s);
    REQUIRE(plan.changes.size() == 1);
    change = plan.changes[0];
  }
  Status Apply() { return SwitchoverResource().Apply(change, pair.context); }
};

// Whether any SQL sent to `host` contains `words`.
bool AskedFor(const FakeTransport& host, const std::string& words) {
  for (const FakeTransport::Call& call : host.calls()) {
    if (call.stdin_data.find(words) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("A failure before the promotion starts the old primary again: the switchover is undone",
          "[switchover]") {
  SwitchoverPair sw(FuturePrimary(), OldPrimary());
  sw.pair.pg1.OnCommand("pg_controldata", FakeTransport::Exit(1, "pg_controldata: No such file"));
  sw.pair.pg1.OnCommand("psql", FakeTransport::Stdout("0/5000100\n"));  // CHECKPOINT
  sw.pair.pg1.OnCommand("", FakeTransport::Stdout(""));                 // stop, start
  sw.pair.pg2.OnCommand("psql", FakeTransport::Stdout("0/5000100\n"));  // received
  Status applied = sw.Apply();
  INFO(applied.message());
  CHECK(applied.message().find("the switchover is undone: pg1 was started again as the primary") !=
        std::string::npos);
  // pg2 was asked what it received, never to promote.
  CHECK(AskedFor(sw.pair.pg2, "pg_last_wal_receive_lsn()"));
  CHECK_FALSE(AskedFor(sw.pair.pg2, "pg_promote"));
  std::vector<std::string> commands = sw.pair.pg1.commands();
  REQUIRE(commands.size() == 4);
  CHECK(commands[1].find("pg_ctlcluster 15 main stop -m fast") != std::string::npos);
  CHECK(commands[3].find("pg_ctlcluster 15 main start") != std::string::npos);
}

TEST_CASE("A future primary that does not receive the old one's WAL stops nothing",
          "[switchover]") {
  SwitchoverPair sw(FuturePrimary(), OldPrimary());
  // The CHECKPOINT's answer: pg1's WAL is flushed up to 0/5000100.
  sw.pair.pg1.OnCommand("psql", FakeTransport::Stdout("0/5000100\n"));
  SECTION("its receipt stands still: given up after the stall time") {
    // A link cut a moment ago: pg2's WAL receiver still thinks it streams.
    sw.pair.pg2.OnCommand("psql", FakeTransport::Stdout("0/5000060\n"));
    SwitchoverDetails d = testing::RequireDetails<SwitchoverDetails>(sw.change);
    d.receive_stall_seconds = 1;
    SetDetails(sw.change, d);
    Status applied = sw.Apply();
    INFO(applied.message());
    CHECK(applied.message().find(
              "pg2 has not received pg1's WAL up to 0/5000100 (pg_last_wal_receive_lsn(): "
              "0/5000060; no progress for 1 s): its replication connection to pg1 does not "
              "deliver, so pg1 was not stopped; pg1 still runs as the primary and pg2 as its "
              "standby") != std::string::npos);
    // pg1 was asked for its CHECKPOINT only: never stopped.
    CHECK(sw.pair.pg1.commands().size() == 1);
    CHECK_FALSE(AskedFor(sw.pair.pg2, "pg_promote"));
    // Asked again and again within the second, not once.
    CHECK(sw.pair.pg2.calls().size() > 3);
  }
  SECTION("it receives slowly: waited for while it moves") {
    for (const char* lsn : {"0/5000060\n", "0/5000080\n", "0/50000A0\n", "0/5000100\n"}) {
      sw.pair.pg2.Then(FakeTransport::Stdout(lsn));
    }
    // The rest of the switchover fails at once: pg1's stop is refused.
    sw.pair.pg1.OnCommand("stop", FakeTransport::Exit(1, "pg_ctl: could not send stop signal"));
    sw.pair.pg1.OnCommand("", FakeTransport::Stdout(""));
    Status applied = sw.Apply();
    INFO(applied.message());
    CHECK(applied.message().find("has not received") == std::string::npos);
    CHECK(applied.message().find("could not send stop signal") != std::string::npos);
    CHECK(sw.pair.pg2.calls().size() == 4);
  }
}

TEST_CASE("A promotion whose answer is lost is not reversed: the old primary stays stopped",
          "[switchover]") {
  HostFacts stopped = OldPrimary();
  stopped.server.running = false;
  stopped.server.in_recovery.reset();
  stopped.server.cluster_state = "shut down";
  stopped.server.checkpoint_location = "0/5000028";
  SwitchoverPair sw(FuturePrimary(), stopped);
  sw.pair.pg1.OnCommand("pg_controldata",
                        FakeTransport::Stdout("Database cluster state:               shut down\n"
                                              "Latest checkpoint location:           0/5000028\n"));
  // SQL goes on stdin: the answers come in order. The replay is done; the
  // promotion's answer is lost with the connection.
  sw.pair.pg2.Then(FakeTransport::Stdout("t\n"));
  sw.pair.pg2.Then(Status::Error("pg2 (198.18.0.12): connection lost"));
  Status applied = sw.Apply();
  INFO(applied.message());
  CHECK(applied.message().find("whether pg2 was promoted is not known: pg1 stays stopped") !=
        std::string::npos);
  // pg1 was only read: never started, never configured.
  REQUIRE(sw.pair.pg1.commands().size() == 1);
  CHECK(sw.pair.pg1.commands()[0].find("pg_controldata") != std::string::npos);
}

TEST_CASE("Once promoted, a lost lock stops the switchover before the old primary is touched",
          "[switchover]") {
  HostFacts stopped = OldPrimary();
  stopped.server.running = false;
  stopped.server.in_recovery.reset();
  stopped.server.cluster_state = "shut down";
  stopped.server.checkpoint_location = "0/5000028";
  HostFacts promoted = FuturePrimary();
  promoted.server.in_recovery = false;
  promoted.replication.timeline_fork = TimelineForkFact{2, 1, std::string("0/50000A0")};
  SwitchoverPair sw(promoted, stopped);
  sw.pair.context.lock_held = [] { return Status::Error("the apply lock was lost"); };
  Status applied = sw.Apply();
  CHECK(applied.message().find("the apply lock was lost; pg2 is the primary; pg1 is not yet its "
                               "streaming standby") != std::string::npos);
  CHECK(sw.pair.pg1.calls().empty());
  CHECK(sw.pair.pg2.calls().empty());
}

}  // namespace
}  // namespace pgpair
