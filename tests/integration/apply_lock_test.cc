// The apply lock and the remote guard on the sandbox pair, with the real
// binary: two applies at once, plan and check during an apply, kill -9 of
// pgpair during the clone, and the standby's link cut during the clone.

#include <pwd.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/util/text.h"
#include "tests/integration/background_pgpair.h"
#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const std::string kManifest = Example("sandbox.yaml");
// The lease's timeout on the sandbox hosts (ApplyLockTimings: 15 s, the
// manifest's connect timeouts are shorter) and what the guard and the
// kernel need on top of it.
constexpr seconds kLeaseTimeout{15};
constexpr seconds kSlack{15};

// ~50 MB on the primary and a slow link from it: the clone takes most of a
// minute, long enough to act while pg_basebackup runs.
void SlowClone() {
  REQUIRE(SqlOnHost("pg1",
                    "CREATE TABLE big AS SELECT g, repeat('x', 500) AS filler "
                    "FROM generate_series(1, 100000) g")
              .exit_status == 0);
}
const char kThrottle[] = "tc qdisc add dev eth0 root tbf rate 8mbit burst 32kbit latency 400ms";

// Puts the hosts' links back however the test ends: a later `sandbox up`
// does not repair an interface set down inside a host.
struct LinksRestored {
  ~LinksRestored() {
    OnHost("pg2", "ip link set eth0 up");
    Unthrottle();
  }
  static void Unthrottle() { OnHost("pg1", "tc qdisc del dev eth0 root 2>/dev/null; true"); }
};

// The processes in `host`'s network namespace (there is no PID namespace)
// that belong to an apply's remote side: pg_basebackup and the clone script
// around it, the guard, the lease. The server's own walsender is not one.
// The markers are split so that this scan's own command line holds none.
std::string RunLeftovers(const std::string& host) {
  CommandResult scan =
      OnHost(host,
             "a=pg_base; a=${a}backup; b=pgpair-apply-; b=${b}lease; "
             "c=pgpair-remote-; c=${c}guard; me=$(readlink /proc/self/ns/net); "
             "for p in /proc/[0-9]*; do "
             "  [ \"$(readlink \"$p/ns/net\" 2>/dev/null)\" = \"$me\" ] || continue; "
             "  line=$({ tr '\\0\\n' '  ' <\"$p/cmdline\"; } 2>/dev/null | cut -c1-160); "
             "  case $line in postgres:*) continue ;; esac; "
             "  case $line in *\"$a\"*|*\"$b\"*|*\"$c\"*) echo \"${p#/proc/} $line\" ;; esac; "
             "done");
  INFO(scan.err);
  REQUIRE(scan.exit_status == 0);
  return scan.out;
}

// The host's apply lock holder record; empty when none.
std::string HolderRecord(const std::string& host) {
  return OnHost(host, "cat /run/pgpair/apply.holder 2>/dev/null; true").out;
}

// The value of `key` in a holder record.
std::string Field(const std::string& record, const std::string& key) {
  for (const std::string& line : Split(record, '\n')) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

bool PgBasebackupRuns(const std::string& host) {
  std::istringstream lines(RunLeftovers(host));
  for (std::string line; std::getline(lines, line);) {
    if (line.find("bin/pg_basebackup ") != std::string::npos &&
        line.find(" -h 198.18.0.11 ") != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool ProcessRuns(const std::string& host, const std::string& pid) {
  return OnHost(host, "test -d /proc/" + pid).exit_status == 0;
}

std::string ThisUser() {
  const passwd* entry = getpwuid(getuid());
  return entry ? entry->pw_name : "";
}
std::string ThisMachine() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

void ExpectConvergedAndVerified() {
  CommandResult rerun = Pgpair("apply --auto-approve " + kManifest);
  INFO("the rerun: " << rerun.out << rerun.err);
  CHECK(rerun.exit_status == 0);
  CHECK_THAT(rerun.out, Catch::Contains("the pair matches the manifest"));
  CommandResult verify = Pgpair("verify " + kManifest);
  INFO(verify.out << verify.err);
  CHECK(verify.exit_status == 0);
  CHECK(Pgpair("plan " + kManifest).exit_status == 0);
  CHECK(SqlOnHost("pg1", "SELECT pg_is_in_recovery()").out == "f\n");
  CHECK(SqlOnHost("pg2", "SELECT pg_is_in_recovery()").out == "t\n");
}

TEST_CASE("a second apply refuses at once, naming the first, and plan and check report it",
          "[lock]") {
  FreshSandbox();
  LinksRestored restored;
  // A slower clone (a fresh cluster over 8 Mbit/s): the first apply
  // surely outlasts everything below.
  REQUIRE(OnHost("pg1", kThrottle).exit_status == 0);
  BackgroundPgpair first("apply --auto-approve " + kManifest);
  REQUIRE(WaitUntil([] { return !Field(HolderRecord("pg2"), "lease_pid").empty(); }, seconds(60)));

  CommandResult second = Pgpair("apply --auto-approve " + kManifest);
  INFO("the second apply: " << second.out << second.err);
  CHECK(second.exit_status == 1);
  const std::string holder = "user " + ThisUser() + " on machine " + ThisMachine() + ", pid " +
                             std::to_string(first.pid()) + ", since ";
  CHECK_THAT(
      second.err,
      Catch::StartsWith("pgpair: pg1 (198.18.0.11): another apply holds the lock: " + holder) &&
          Catch::EndsWith(" (pair sandbox); nothing was changed\n"));
  // It stopped before gathering facts: no plan was shown.
  CHECK(second.out.empty());

  CommandResult plan = Pgpair("plan " + kManifest);
  INFO("plan: " << plan.out << plan.err);
  CHECK(plan.exit_status == 1);
  CHECK_THAT(plan.out, Catch::Contains("an apply is in progress on pg1 and pg2: " + holder) &&
                           Catch::Contains("the plan is not made while it runs"));
  CHECK_THAT(plan.out, !Catch::Contains("standby_clone"));
  CommandResult plan_json = Pgpair("plan --json " + kManifest);
  json planned = json::parse(plan_json.out);
  CHECK(planned["changes"].empty());
  REQUIRE(planned["apply_in_progress"].size() == 1);
  CHECK(planned["apply_in_progress"][0]["pid"] == first.pid());
  CHECK(planned["apply_in_progress"][0]["hosts"] == json({"pg1", "pg2"}));

  TempDir dir;
  const std::string metrics = dir.path() + "/pgpair.prom";
  CommandResult check = Pgpair("check --json --metrics " + metrics + " " + kManifest);
  INFO("check: " << check.out << check.err);
  CHECK(check.exit_status == 0);
  json checked = json::parse(check.out);
  CHECK(checked["status"] == "apply_in_progress");
  CHECK(checked["streaming"].is_null());
  CHECK(checked["changes"].empty());
  CHECK(checked["apply_in_progress"][0]["machine"] == ThisMachine());
  std::string prometheus = ReadText(metrics);
  CHECK_THAT(prometheus, Catch::Contains("pgpair_apply_in_progress{pair=\"sandbox\"} 1") &&
                             !Catch::Contains("pgpair_standby_streaming{"));
  CommandResult check_text = Pgpair("check " + kManifest);
  CHECK(check_text.exit_status == 0);
  CHECK_THAT(check_text.out, Catch::Contains("an apply is in progress on pg1 and pg2"));
  // The premise: all of the above happened while the first apply ran.
  REQUIRE(first.Running());

  LinksRestored::Unthrottle();
  std::optional<int> finished = first.Wait(seconds(300));
  INFO("the first apply: " << first.Output());
  REQUIRE(finished == 0);
  CHECK_THAT(first.Output(), Catch::Contains("the pair matches the manifest"));
  // Released: no record left, and nothing of it runs on either host.
  CHECK(HolderRecord("pg1").empty());
  CHECK(HolderRecord("pg2").empty());
  CHECK(RunLeftovers("pg1").empty());
  CHECK(RunLeftovers("pg2").empty());
  CommandResult verify = Pgpair("verify " + kManifest);
  INFO(verify.out << verify.err);
  CHECK(verify.exit_status == 0);
  json converged = json::parse(Pgpair("check --json " + kManifest).out);
  CHECK(converged["status"] == "converged");
  CHECK(converged["apply_in_progress"].empty());
}

TEST_CASE("kill -9 of pgpair during pg_basebackup leaves nothing running and the lock free",
          "[lock]") {
  FreshSandbox();
  LinksRestored restored;
  SlowClone();
  REQUIRE(OnHost("pg1", kThrottle).exit_status == 0);
  BackgroundPgpair run("apply --auto-approve " + kManifest);
  REQUIRE(WaitUntil([] { return PgBasebackupRuns("pg2"); }, seconds(120)));
  INFO("during the clone:\npg1:\n" << RunLeftovers("pg1") << "pg2:\n" << RunLeftovers("pg2"));
  REQUIRE(run.Running());
  run.Kill9();

  // The leases see their input close at once; the guard stops the clone
  // within a second of that. Bounded by the lease's own timeout anyway.
  auto start = std::chrono::steady_clock::now();
  bool clean = WaitUntil([] { return RunLeftovers("pg1").empty() && RunLeftovers("pg2").empty(); },
                         kLeaseTimeout + kSlack);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO("left on pg1:\n" << RunLeftovers("pg1") << "left on pg2:\n" << RunLeftovers("pg2"));
  CHECK(clean);
  WARN("processes of the killed run gone " << took << " s after kill -9");
  CHECK(HolderRecord("pg1").empty());
  CHECK(HolderRecord("pg2").empty());
  // The primary kept running as a primary. The guard's TERM let the clone
  // clean up after itself: no partial copy is left beside pg2's data.
  CHECK(SqlOnHost("pg1", "SELECT pg_is_in_recovery()").out == "f\n");
  CHECK(OnHost("pg2", "ls -d /var/lib/postgresql/15/main.pgpair-staging 2>&1").exit_status != 0);

  LinksRestored::Unthrottle();
  // The lock is free: the rerun takes it, and finishes the job.
  ExpectConvergedAndVerified();
}

TEST_CASE("a cut link ends the standby's lease by itself and the next apply takes the lock",
          "[lock]") {
  FreshSandbox();
  LinksRestored restored;
  SlowClone();
  REQUIRE(OnHost("pg1", kThrottle).exit_status == 0);
  BackgroundPgpair run("apply --auto-approve " + kManifest);
  REQUIRE(WaitUntil([] { return PgBasebackupRuns("pg2"); }, seconds(120)));
  const std::string lease = Field(HolderRecord("pg2"), "lease_pid");
  REQUIRE_FALSE(lease.empty());
  REQUIRE(ProcessRuns("pg2", lease));

  REQUIRE(OnHost("pg2", "ip link set eth0 down").exit_status == 0);
  auto cut = std::chrono::steady_clock::now();
  // pgpair still runs but cannot reach pg2: pg2's lease gets no heartbeat
  // and ends by itself, and the guard stops the clone with it.
  bool expired =
      WaitUntil([&] { return !ProcessRuns("pg2", lease) && RunLeftovers("pg2").empty(); },
                kLeaseTimeout + kSlack);
  INFO("left on pg2:\n" << RunLeftovers("pg2"));
  CHECK(expired);
  WARN("pg2's lease and clone gone "
       << std::chrono::duration<double>(std::chrono::steady_clock::now() - cut).count()
       << " s after its link was cut");
  CHECK(HolderRecord("pg2").empty());
  CHECK(run.Running());

  REQUIRE(OnHost("pg2", "ip link set eth0 up").exit_status == 0);
  LinksRestored::Unthrottle();
  // Once its connections deliver again, the first run learns that the clone
  // was stopped and gives up, releasing pg1's lease.
  auto restored_at = std::chrono::steady_clock::now();
  std::optional<int> ended = run.Wait(seconds(240));
  INFO("the cut run: " << run.Output());
  WARN("the cut run ended "
       << std::chrono::duration<double>(std::chrono::steady_clock::now() - restored_at).count()
       << " s after the link came back: " << run.Output());
  REQUIRE(ended.has_value());
  CHECK(*ended == 1);
  CHECK_THAT(run.Output(),
             Catch::Contains("apply lease") || Catch::Contains("apply lock was lost"));
  CHECK(RunLeftovers("pg1").empty());
  ExpectConvergedAndVerified();
}

}  // namespace
}  // namespace pgpair::testing
