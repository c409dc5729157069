// The guard script itself (engine/apply/remote_guard.sh), run by the local
// shell against a stand-in lease: a process whose command line names
// pgpair-apply-lease, as apply_lease.sh's does.

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/apply/remote_guard.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/fakes/stand_in_lease.h"
#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ReadFile;
using testing::ScratchDir;
using testing::StandInLease;

// The pids of the processes that hold `path` open, deleted since or not.
std::vector<std::string> Holders(const std::string& path) {
  std::vector<std::string> holders;
  std::error_code ignored;
  for (const auto& proc : std::filesystem::directory_iterator("/proc", ignored)) {
    const std::string pid = proc.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    for (const auto& fd : std::filesystem::directory_iterator(proc.path() / "fd", ignored)) {
      std::error_code unreadable;
      const std::string target = std::filesystem::read_symlink(fd.path(), unreadable).string();
      if (!unreadable && (target == path || target == path + " (deleted)")) {
        holders.push_back(pid);
        break;
      }
    }
  }
  return holders;
}

TEST_CASE("The guard waits for every process of the step and leaves none behind",
          "[apply][guard]") {
  ScratchDir scratch("guard");
  StandInLease lease;
  LocalShellTransport shell(scratch.path());
  // A step whose shell ends before a process it started, as pg_basebackup's
  // WAL streamer may end a moment after pg_basebackup.
  const std::string late = scratch / "late";
  Result<ExecResult> run = shell.Exec(
      GuardedCommand("(sleep 0.3; echo done > '" + late + "') & echo started", lease.pid()), "",
      std::chrono::seconds(30));
  REQUIRE(run.ok());
  INFO(run->stdout_text << run->stderr_text);
  CHECK(run->exit_status == 0);
  CHECK(run->stdout_text == "started\n");
  CHECK(ReadFile(late) == "done\n");
  // Nothing of the guard (its watcher's sleep above all) still holds the
  // command's output: over SSH, the channel closes as the guard exits.
  CHECK(Holders(scratch / ".stdout").empty());
  CHECK(Holders(scratch / ".stderr").empty());
}

TEST_CASE("The guard stops the step when the lease ends, and does not start it without one",
          "[apply][guard]") {
  ScratchDir scratch("guard");
  LocalShellTransport shell(scratch.path());
  const std::string after = scratch / "after";
  const std::string step = "sleep 20; echo ran > '" + after + "'";
  SECTION("the lease ends while the step runs") {
    StandInLease lease;
    const std::string lease_pid = std::to_string(lease.pid());
    // Ends the lease two seconds into the step, from outside it.
    testing::LeaseEnder ender(lease, 2000);
    Result<ExecResult> run =
        shell.Exec(GuardedCommand(step, lease.pid()), "", std::chrono::seconds(30));
    ender.Join();
    REQUIRE(run.ok());
    INFO(run->stderr_text);
    CHECK(run->exit_status == kGuardStoppedExitStatus);
    CHECK_THAT(run->stderr_text,
               Catch::Contains("pgpair's apply lease (pid " + lease_pid + ") on this host ended"));
    CHECK_THAT(run->stderr_text,
               Catch::Contains("the step was stopped because pgpair's apply lease ended"));
    CHECK(ReadFile(after).empty());
  }
  SECTION("no lease runs") {
    StandInLease lease;
    const int gone = lease.pid();
    lease.End();
    Result<ExecResult> run = shell.Exec(GuardedCommand(step, gone), "", std::chrono::seconds(30));
    REQUIRE(run.ok());
    CHECK(run->exit_status == kGuardStoppedExitStatus);
    CHECK_THAT(run->stderr_text, Catch::Contains("so the step was not started"));
    CHECK(ReadFile(after).empty());
  }
}

}  // namespace
}  // namespace pgpair
