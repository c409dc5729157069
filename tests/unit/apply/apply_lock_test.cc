#include "engine/apply/apply_lock.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <thread>

#include "engine/apply/apply_lease.sh.inc"
#include "engine/apply/apply_lease_start.sh.inc"
#include "engine/util/shell_quote.h"
#include "tests/unit/fakes/fake_lease_host.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/fakes/script_call.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair::testing {
namespace {

using std::chrono::milliseconds;

// Both sandbox hosts, with leases that expire in a fraction of a second so
// that a lost heartbeat shows within a test's patience.
struct LeasePair {
  Manifest manifest = SandboxPair();
  FakeLeaseHost pg1{"pg1 (198.18.0.11)"};
  FakeLeaseHost pg2{"pg2 (198.18.0.12)"};
  ApplyLockTimings timings;
  LockOwner owner;

  LeasePair() {
    for (HostSpec& host : manifest.hosts) host.ssh.connect_timeout_seconds = 0;
    timings.heartbeat = milliseconds(5);
    // Long enough that a test thread starved by a loaded machine does not
    // lose a lease that is answered.
    timings.minimum_lease_timeout = milliseconds(400);
    owner.pair = "sandbox";
    owner.user = "root";
    owner.machine = "ctl1";
    owner.pid = 4242;
    owner.since = "2026-12-01T11:02:03Z";
  }

  LeaseOpener Opener() {
    return [this](const HostSpec& host, const std::string& command) {
      return (host.name == "pg1" ? pg1 : pg2).Open(command);
    };
  }
  Result<std::unique_ptr<ApplyLock>> Acquire() {
    return ApplyLock::Acquire(manifest, Opener(), owner, timings);
  }
};

// Polls `done` every few milliseconds for at most 5 s: the test fails, it
// does not hang, when the state never comes.
template <typename Predicate>
bool Eventually(Predicate done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return done();
}

TEST_CASE("the apply lock takes the primary's lease, then the standby's, and releases both",
          "[apply][lock]") {
  LeasePair pair;
  pair.pg1.FirstLine("LOCKED 1111");
  pair.pg2.FirstLine("LOCKED 2222");
  {
    Result<std::unique_ptr<ApplyLock>> lock = pair.Acquire();
    REQUIRE(lock.ok());
    CHECK((*lock)->Held());
    CHECK((*lock)->LostReason().empty());
    CHECK((*lock)->LeasePid("pg1") == 1111);
    CHECK((*lock)->LeasePid("pg2") == 2222);
    CHECK((*lock)->LeasePid("pg3") == std::nullopt);
    CHECK((*lock)->LeasePids() == std::map<std::string, int>{{"pg1", 1111}, {"pg2", 2222}});
    // Heartbeats flow and are answered: the lock stays held through many.
    REQUIRE(Eventually([&] { return pair.pg1.beats() >= 20 && pair.pg2.beats() >= 20; }));
    CHECK((*lock)->Held());
  }
  // Destroying the lock released both leases and closed their connections.
  CHECK(pair.pg1.received().back() == "release");
  CHECK(pair.pg2.received().back() == "release");
  CHECK(pair.pg1.channel_closed());
  CHECK(pair.pg2.channel_closed());
}

TEST_CASE("the lease command carries the owner, quoted, and the host's timeout", "[apply][lock]") {
  LeasePair pair;
  pair.owner.machine = "ctl 1; rm -rf /";
  pair.owner.user = "ops\nuser";  // a newline would break the holder record
  pair.manifest.hosts[1].ssh.connect_timeout_seconds = 40;
  REQUIRE(pair.Acquire().ok());
  REQUIRE(pair.pg1.commands().size() == 1);
  // The starter checks for bash; the lease script and the owner are its
  // arguments, the newline replaced.
  std::optional<ScriptCall> call = ParseScriptCommand(pair.pg1.commands()[0]);
  REQUIRE(call.has_value());
  CHECK(call->script == kApplyLeaseStartScript);
  CHECK(call->name == "pgpair-apply-lease");
  CHECK(call->args == std::vector<std::string>{kApplyLeaseScript, "1", "sandbox", "ops?user",
                                               "ctl 1; rm -rf /", "4242", "2026-12-01T11:02:03Z"});
  // pg2 allows 40 s for its connections: its lease waits as long.
  std::optional<std::vector<std::string>> pg2_args =
      ScriptArgs(pair.pg2.commands()[0], "pgpair-apply-lease");
  REQUIRE(pg2_args.has_value());
  CHECK(pg2_args->at(1) == "40");
  CHECK(LeaseTimeout(pair.manifest.hosts[1], ApplyLockTimings{}) == milliseconds(40000));
  HostSpec quick;
  quick.ssh.connect_timeout_seconds = 5;
  CHECK(LeaseTimeout(quick, ApplyLockTimings{}) == milliseconds(15000));
}

TEST_CASE("the lease starter runs the lease under bash, or says bash is missing", "[apply][lock]") {
  char pattern[] = "/tmp/pgpair-lease-start-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  const std::string scratch = pattern;
  LocalShellTransport shell(scratch);
  // A stand-in for the lease: it shows its shell, its $0 and its arguments.
  const std::string lease = "printf '%s|' \"${BASH_VERSION:+bash}\" \"$0\" \"$@\"";
  const std::string command =
      ScriptCommand(kApplyLeaseStartScript, "pgpair-apply-lease", {lease, "30", "a pair"});
  Result<ExecResult> started = shell.Exec(command, "", std::chrono::seconds(5));
  REQUIRE(started.ok());
  CHECK(started->stdout_text == "bash|pgpair-apply-lease|30|a pair|");
  // Where no bash is found, the lease's ERROR line, which pgpair shows.
  Result<ExecResult> no_bash =
      shell.Exec("PATH=/nonexistent " + command, "", std::chrono::seconds(5));
  REQUIRE(no_bash.ok());
  CHECK(no_bash->exit_status == 2);
  CHECK(no_bash->stdout_text ==
        "ERROR bash is not installed; pgpair needs it (and flock of util-linux) for its apply "
        "lock\n");
  std::system(("rm -rf '" + scratch + "'").c_str());
}

TEST_CASE("a lock held elsewhere is refused at once, naming its holder", "[apply][lock]") {
  LeasePair pair;
  pair.pg1.FirstLine(
      "HELD\tpair=sandbox\tuser=alice\tmachine=ops7\tpid=777\tsince=2026-12-01T10:00:00Z"
      "\tlease_pid=3333\tlease_start=12345");
  Result<std::unique_ptr<ApplyLock>> lock = pair.Acquire();
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.status().message() ==
        "pg1 (198.18.0.11): another apply holds the lock: user alice on machine ops7, pid 777, "
        "since 2026-12-01T10:00:00Z (pair sandbox); nothing was changed");
  // The standby was never asked, and nothing was sent to the primary.
  CHECK(pair.pg2.commands().empty());
  CHECK(pair.pg1.received().empty());
}

TEST_CASE("a lock refused by the standby releases the primary's", "[apply][lock]") {
  LeasePair pair;
  pair.pg2.FirstLine("HELD");  // the holder has not written its record yet
  Result<std::unique_ptr<ApplyLock>> lock = pair.Acquire();
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.status().message() ==
        "pg2 (198.18.0.12): another apply holds the lock (it has not recorded who it is yet; "
        "try again shortly); nothing was changed");
  REQUIRE_FALSE(pair.pg1.received().empty());
  CHECK(pair.pg1.received().back() == "release");
  CHECK(pair.pg1.channel_closed());
}

TEST_CASE("a lease that cannot start says why, and nothing was changed", "[apply][lock]") {
  LeasePair pair;
  SECTION("the lease's own refusal") {
    pair.pg1.FirstLine("ERROR flock is not installed (util-linux); pgpair needs it");
    Result<std::unique_ptr<ApplyLock>> lock = pair.Acquire();
    REQUIRE_FALSE(lock.ok());
    CHECK(lock.status().message() ==
          "pg1 (198.18.0.11): the apply lock cannot be taken: flock is not installed "
          "(util-linux); pgpair needs it; nothing was changed");
  }
  SECTION("the lease ended without a word") {
    pair.pg2.EndAtOnce("sudo: a password is required\n");
    Result<std::unique_ptr<ApplyLock>> lock = pair.Acquire();
    REQUIRE_FALSE(lock.ok());
    CHECK(lock.status().message() ==
          "pg2 (198.18.0.12): the apply lock cannot be taken: the apply lease ended at once "
          "(sudo: a password is required); nothing was changed");
    CHECK(pair.pg1.received().back() == "release");
  }
  SECTION("no connection") {
    pair.pg1.RefuseConnection(
        "pg1 (198.18.0.11): cannot connect to 198.18.0.11 port 22: "
        "Connection refused");
    Result<std::unique_ptr<ApplyLock>> lock = pair.Acquire();
    REQUIRE_FALSE(lock.ok());
    CHECK(lock.status().message() ==
          "pg1 (198.18.0.11): cannot connect to 198.18.0.11 port 22: Connection refused; the "
          "apply lock cannot be taken; nothing was changed");
    CHECK(pair.pg2.commands().empty());
  }
  SECTION("something else than the protocol") {
    pair.pg1.FirstLine("Welcome to ops7!");
    Result<std::unique_ptr<ApplyLock>> lock = pair.Acquire();
    REQUIRE_FALSE(lock.ok());
    CHECK_THAT(lock.status().message(),
               Catch::StartsWith("pg1 (198.18.0.11): the apply lock cannot be taken: the apply "
                                 "lease said \"Welcome to ops7!\""));
  }
}

TEST_CASE("a lease whose heartbeats go unanswered is lost, and says for how long",
          "[apply][lock]") {
  LeasePair pair;
  Result<std::unique_ptr<ApplyLock>> lock = pair.Acquire();
  REQUIRE(lock.ok());
  REQUIRE(Eventually([&] { return pair.pg2.beats() >= 3; }));
  CHECK((*lock)->Held());
  pair.pg2.StopAnswering();
  REQUIRE(Eventually([&] { return !(*lock)->Held(); }));
  CHECK_THAT((*lock)->LostReason(),
             Catch::StartsWith("pg2 (198.18.0.12): the apply lock was lost: no answer from the "
                               "host for "));
  CHECK_THAT((*lock)->LostReason(),
             Catch::Contains("the host frees the lock by itself 1 s after the last heartbeat"));
  // The primary's lease is still fine; the lock as a whole is not.
  int beats = pair.pg1.beats();
  REQUIRE(Eventually([&] { return pair.pg1.beats() > beats + 3; }));
  CHECK_FALSE((*lock)->Held());
  lock.value().reset();
  // Only the lease still held is released; the lost one is just closed.
  CHECK(pair.pg1.received().back() == "release");
  CHECK(pair.pg2.received().back() == "beat");
  CHECK(pair.pg2.channel_closed());
}

TEST_CASE("a lease process that ends loses the lock at once", "[apply][lock]") {
  LeasePair pair;
  Result<std::unique_ptr<ApplyLock>> lock = pair.Acquire();
  REQUIRE(lock.ok());
  pair.pg1.EndLease("Killed\n");
  REQUIRE(Eventually([&] { return !(*lock)->Held(); }));
  CHECK((*lock)->LostReason() ==
        "pg1 (198.18.0.11): the apply lock was lost: the lease process on the host ended "
        "(Killed)");
}

TEST_CASE("LockOwner::ThisProcess names this process", "[apply][lock]") {
  LockOwner owner = LockOwner::ThisProcess("sandbox");
  CHECK(owner.pair == "sandbox");
  CHECK(owner.pid == static_cast<int>(getpid()));
  CHECK_FALSE(owner.user.empty());
  CHECK_FALSE(owner.machine.empty());
  // 2026-12-01T11:02:03Z
  REQUIRE(owner.since.size() == 20);
  CHECK(owner.since[10] == 'T');
  CHECK(owner.since.back() == 'Z');
}

}  // namespace
}  // namespace pgpair::testing
