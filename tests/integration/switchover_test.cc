// Switchover declared by swapping primary: and standby: in the manifest
// (issue 11), on the sandbox's Debian 15 pair, with a client committing rows
// all the while (tests/integration/switchover_support.h). Each scenario
// checks what an operator would: every acknowledged commit is on the new
// primary and on the new standby; never two writable primaries; both hosts
// end streaming and verified; a second plan is empty.

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <thread>

#include "tests/integration/fault_support.h"
#include "tests/integration/switchover_support.h"

namespace pgpair::testing {
namespace {

using std::chrono::seconds;

const std::string kManifest = Example("sandbox.yaml");

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text.empty() ? "(none)\n" : text;
}

// The sandbox's manifest with the roles swapped, in `dir`.
std::string SwappedManifest(const TempDir& dir) {
  std::string text = ReadText(kManifest);
  std::string swapped = Replaced(text, "primary: pg1\nstandby: pg2", "primary: pg2\nstandby: pg1");
  REQUIRE(swapped != text);
  std::string path = dir.path() + "/swapped.yaml";
  std::ofstream(path) << swapped;
  return path;
}

// A fresh streaming pair pg1 -> pg2 with the writer's role, table and hba.
void StreamingPairWithWriter() {
  FreshSandbox();
  CommandResult apply = PgpairWithin(300, "apply --auto-approve " + kManifest);
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_status == 0);
  std::string prepared = PrepareWriter("pg1");
  INFO(prepared);
  REQUIRE(prepared.empty());
}

// The end state of a switchover to `primary`: roles, streaming, verify, an
// empty plan, and every acknowledged commit on both hosts.
void CheckSwitchedTo(const std::string& manifest, const std::string& primary,
                     const std::string& standby, const std::vector<long long>& acknowledged) {
  DataDirState p = ReadDataDir(primary), s = ReadDataDir(standby);
  INFO(p.raw << s.raw);
  CHECK(p.in_recovery == false);
  CHECK(s.in_recovery == true);
  CHECK(s.standby_signal);
  CommandResult verify = PgpairWithin(120, "verify " + manifest);
  INFO("verify: " << verify.out << verify.err);
  CHECK(verify.exit_status == 0);
  CommandResult plan = PgpairWithin(120, "plan " + manifest);
  INFO("second plan: " << plan.out << plan.err);
  CHECK(plan.exit_status == 0);
  CHECK(MissingOn(primary, acknowledged).empty());
  CHECK(MissingOn(standby, acknowledged).empty());
}

TEST_CASE("switchover and back: swapping primary and standby in the manifest swaps the roles",
          "[switchover]") {
  StreamingPairWithWriter();
  TempDir dir;
  const std::string swapped = SwappedManifest(dir);

  // The plan shows one switchover with its steps and downtime.
  CommandResult plan = PgpairWithin(120, "plan " + swapped);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 2);
  CHECK(plan.out.find("switchover[pg1->pg2]") != std::string::npos);
  CHECK(plan.out.find("write downtime: from pg1's stop to pg2's promotion") != std::string::npos);
  CommandResult json = RunCommand(std::string(PGPAIR_BINARY) + " plan --json " + swapped + " >" +
                                  dir.path() + "/plan.json </dev/null");
  CHECK(json.exit_status == 2);
  CommandResult valid = ValidateAgainstSchema("plan.schema.json", dir.path() + "/plan.json");
  INFO(valid.out << valid.err);
  CHECK(valid.exit_status == 0);

  SwitchRun there = SwitchWithWriter(swapped, 1);
  {
    INFO("apply: " << there.apply.out << there.apply.err);
    REQUIRE(there.apply.exit_status == 0);
  }
  WARN("switchover pg1 -> pg2: " << there.acknowledged.size() << " commits, longest gap "
                                 << there.longest_gap << " s");
  CHECK(there.both_writable_rounds == 0);
  CHECK(there.monitor_rounds > 0);
  CheckSwitchedTo(swapped, "pg2", "pg1", there.acknowledged);

  // And back: pg1's preparation is already there; the same one change.
  SwitchRun back = SwitchWithWriter(kManifest, 1000000);
  {
    INFO("apply back: " << back.apply.out << back.apply.err);
    REQUIRE(back.apply.exit_status == 0);
  }
  WARN("switchover pg2 -> pg1: " << back.acknowledged.size() << " commits, longest gap "
                                 << back.longest_gap << " s");
  CHECK(back.both_writable_rounds == 0);
  std::vector<long long> all = there.acknowledged;
  all.insert(all.end(), back.acknowledged.begin(), back.acknowledged.end());
  CheckSwitchedTo(kManifest, "pg1", "pg2", all);
}

}  // namespace
}  // namespace pgpair::testing

namespace pgpair::testing {
namespace {

// A switchover to pg2 with the writer committing, interrupted when apply's
// output shows `line`: `fault` runs then (kill -9 of pgpair, a link cut).
// Then, after the fault: never two writable primaries, the next plan is one
// of `expected` ("switchover:STAGE", resources/switchover.h; "ordinary":
// the changes that finish a standby; "empty": the interrupted run finished
// the switchover after all), and a rerun completes it without
// losing an acknowledged commit.
void InterruptedSwitchover(const std::string& line, const std::vector<std::string>& expected,
                           const std::function<void(BackgroundPgpair&)>& fault) {
  StreamingPairWithWriter();
  TempDir dir;
  const std::string swapped = SwappedManifest(dir);
  ContinuousWriter writer(1);
  WritableMonitor monitor;
  REQUIRE(WaitUntil([&] { return writer.Count() >= 20; }, std::chrono::seconds(20)));
  {
    BackgroundPgpair apply("apply --auto-approve " + swapped, dir.path() + "/apply.log");
    REQUIRE(apply.started());
    bool seen = apply.WaitForLine(line, seconds(180));
    INFO("interrupted apply: " << apply.Output());
    REQUIRE(seen);
    fault(apply);
    apply.Wait(seconds(180));
    INFO("interrupted apply, at its end: " << apply.Output());
    DataDirState pg1 = ReadDataDir("pg1"), pg2 = ReadDataDir("pg2");
    INFO(pg1.raw << pg2.raw);
    CHECK_FALSE((pg1.in_recovery == false && pg2.in_recovery == false));
  }
  // What the dead run left (its leases) ends by itself first.
  std::vector<std::string> left = LeftoversAfter(seconds(40));
  INFO("left over: " << Joined(left));
  // The next plan recognizes where the switchover stopped: the switchover
  // from a later step, or, once the old primary carries the mark of a
  // standby, the ordinary changes that finish a standby (its
  // primary_conninfo, its start).
  // A standby whose link was cut may not stream yet (its WAL receiver
  // learns of the dead connection at its next status message): the plan
  // says to let it catch up and plan again, and so does the test, for at
  // most a minute.
  CommandResult resumed = PgpairWithin(120, "plan --json " + swapped);
  const auto catch_up_deadline = std::chrono::steady_clock::now() + seconds(60);
  while (resumed.out.find("let it catch up") != std::string::npos &&
         std::chrono::steady_clock::now() < catch_up_deadline) {
    std::this_thread::sleep_for(seconds(2));
    resumed = PgpairWithin(120, "plan --json " + swapped);
  }
  INFO("plan after the fault: " << resumed.out << resumed.err);
  std::vector<std::string> stages = Matches(resumed.out, "\"stage\": ?\"([a-z_]+)\"");
  std::string outcome = resumed.exit_status == 0 ? "empty" : "ordinary";
  if (stages.size() == 1) outcome = "switchover:" + stages[0];
  // "empty": the run lived through the fault and finished the switchover.
  CHECK(resumed.exit_status == (outcome == "empty" ? 0 : 2));
  CHECK(resumed.out.find("\"blockers\": []") != std::string::npos);
  CHECK(std::find(expected.begin(), expected.end(), outcome) != expected.end());
  WARN("interrupted at \"" << line << "\": the next plan: " << outcome);
  CommandResult rerun = PgpairWithin(300, "apply --auto-approve " + swapped);
  INFO("rerun: " << rerun.out << rerun.err);
  CHECK(rerun.exit_status == 0);
  size_t after = writer.Count();
  WaitUntil([&] { return writer.Count() >= after + 20; }, std::chrono::seconds(20));
  writer.Stop();
  monitor.Stop();
  WARN("interrupted at \"" << line << "\": " << writer.Acknowledged().size()
                           << " commits, longest gap " << writer.LongestGap() << " s");
  CHECK(monitor.both_writable_rounds() == 0);
  CheckSwitchedTo(swapped, "pg2", "pg1", writer.Acknowledged());
}

TEST_CASE("switchover: pgpair killed right after the old primary's stop, the rerun completes it",
          "[switchover][switchover-faults]") {
  InterruptedSwitchover("pg1: shut down at checkpoint",
                        {"switchover:old_primary_stopped", "switchover:promoted"},
                        [](BackgroundPgpair& apply) { apply.Kill9(); });
}

TEST_CASE("switchover: pgpair killed right after the promotion, the rerun completes it",
          "[switchover][switchover-faults]") {
  InterruptedSwitchover("pg1: configuring it as a standby", {"switchover:promoted", "ordinary"},
                        [](BackgroundPgpair& apply) { apply.Kill9(); });
}

TEST_CASE(
    "switchover: the old primary's link cut before it starts as a standby, the rerun "
    "completes it",
    "[switchover][switchover-faults]") {
  FaultGuard guard;
  InterruptedSwitchover("pg2: promoting", {"switchover:promoted", "ordinary"},
                        [](BackgroundPgpair&) {
                          RequireSandbox("link pg1 down");
                          std::this_thread::sleep_for(seconds(20));
                          RequireSandbox("link pg1 up");
                        });
}

TEST_CASE(
    "switchover: pgpair killed just before the old primary starts as a standby, the rerun "
    "completes it",
    "[switchover][switchover-faults]") {
  // "empty" when the start had reached pg1 before the kill.
  InterruptedSwitchover("pg1: starting it as a standby",
                        {"switchover:promoted", "ordinary", "empty"},
                        [](BackgroundPgpair& apply) { apply.Kill9(); });
}

// The future primary out of reach between the old one's stop and the
// promotion: pg1 is stopped or a primary and pg2 a standby or promoted,
// never both writable. "switchover:both_up": pgpair, unable to promote pg2,
// started pg1 again as the primary, and the next plan is the whole
// switchover again.
TEST_CASE(
    "switchover: the new primary's link cut right after the old primary's stop, the rerun "
    "completes it",
    "[switchover][switchover-faults]") {
  FaultGuard guard;
  InterruptedSwitchover("pg1: shut down at checkpoint",
                        {"switchover:both_up", "switchover:old_primary_stopped",
                         "switchover:promoted", "ordinary", "empty"},
                        [](BackgroundPgpair&) {
                          RequireSandbox("link pg2 down");
                          std::this_thread::sleep_for(seconds(20));
                          RequireSandbox("link pg2 up");
                        });
}

TEST_CASE(
    "switchover: the new primary's link cut right after the promotion, the rerun completes "
    "it",
    "[switchover][switchover-faults]") {
  FaultGuard guard;
  InterruptedSwitchover("pg1: configuring it as a standby",
                        {"switchover:promoted", "ordinary", "empty"}, [](BackgroundPgpair&) {
                          RequireSandbox("link pg2 down");
                          std::this_thread::sleep_for(seconds(20));
                          RequireSandbox("link pg2 up");
                        });
}

// The standby's replication connection stops delivering a moment before the
// switchover, and its WAL receiver has not noticed (it says "streaming"
// until wal_receiver_timeout): nft drops what goes between the standby and
// the primary's port 5432, both ways, while the writer, SSH and the
// primary's local socket work on. Stopping the primary then would stop
// writes for a standby that cannot take over: the primary's shutdown would
// wait for its WAL sender until wal_sender_timeout, and the standby would
// miss its end. pgpair stops nothing. The switchover faulted is the one
// back to pg1, whose preparation as a primary is there from the first:
// nothing restarts pg1 before it, so its WAL receiver still trusts the
// connection.
TEST_CASE(
    "switchover: a replication connection that stopped delivering stops nothing, the rerun "
    "completes it",
    "[switchover][switchover-faults]") {
  StreamingPairWithWriter();
  TempDir dir;
  const std::string swapped = SwappedManifest(dir);
  SwitchRun there = SwitchWithWriter(swapped, 1);
  {
    INFO("apply: " << there.apply.out << there.apply.err);
    REQUIRE(there.apply.exit_status == 0);
  }

  FaultGuard guard;
  const std::string pg2_started = SqlOnHost("pg2", "SELECT pg_postmaster_start_time()").out;
  REQUIRE_FALSE(pg2_started.empty());
  RequireSandbox("block pg2 5432 pg1");
  SwitchRun refused = SwitchWithWriter(kManifest, 1000000);
  {
    INFO("apply back: " << refused.apply.out << refused.apply.err);
    CHECK(refused.apply.exit_status == 1);
    const std::string said = refused.apply.out + refused.apply.err;
    CHECK_THAT(said, Catch::Contains("pg1 has not received pg2's WAL up to") &&
                         Catch::Contains("so pg2 was not stopped; pg2 still runs as the primary "
                                         "and pg1 as its standby"));
  }
  WARN("refused switchover: " << refused.apply_seconds << " s, " << refused.acknowledged.size()
                              << " commits, longest gap " << refused.longest_gap
                              << " s; pg1's WAL receiver then: "
                              << SqlOnHost("pg1", "SELECT status FROM pg_stat_wal_receiver").out);
  // pg2 was never stopped: the same postmaster, the primary all along.
  CHECK(SqlOnHost("pg2", "SELECT pg_postmaster_start_time()").out == pg2_started);
  CHECK(SqlOnHost("pg2", "SELECT pg_is_in_recovery()").out == "f\n");
  CHECK(SqlOnHost("pg1", "SELECT pg_is_in_recovery()").out == "t\n");
  CHECK(refused.both_writable_rounds == 0);
  std::vector<long long> all = there.acknowledged;
  all.insert(all.end(), refused.acknowledged.begin(), refused.acknowledged.end());
  CHECK(MissingOn("pg2", all).empty());

  RequireSandbox("unblock pg2 5432");
  // pg1 streams again once its connection delivers, or once its WAL
  // receiver has given it up and connected again, and then replays what the
  // writer committed meanwhile; until then the plan says to let it catch up
  // (or that it lags), and the test waits, for at most two minutes.
  auto catching_up = [](const CommandResult& plan) {
    return plan.out.find("let it catch up") != std::string::npos ||
           plan.out.find("plan again when it has") != std::string::npos;
  };
  CommandResult plan = PgpairWithin(120, "plan " + kManifest);
  const auto deadline = std::chrono::steady_clock::now() + seconds(120);
  while (catching_up(plan) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(seconds(2));
    plan = PgpairWithin(120, "plan " + kManifest);
  }
  {
    INFO("plan once unblocked: " << plan.out << plan.err);
    REQUIRE(plan.exit_status == 2);
    CHECK(plan.out.find("switchover[pg2->pg1]") != std::string::npos);
  }
  SwitchRun back = SwitchWithWriter(kManifest, 2000000);
  {
    INFO("rerun: " << back.apply.out << back.apply.err);
    REQUIRE(back.apply.exit_status == 0);
  }
  CHECK(back.both_writable_rounds == 0);
  all.insert(all.end(), back.acknowledged.begin(), back.acknowledged.end());
  CheckSwitchedTo(kManifest, "pg1", "pg2", all);
}

}  // namespace
}  // namespace pgpair::testing
