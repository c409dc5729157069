// The clone script's stage step run by the local shell on a scratch
// directory, with a stand-in pg_basebackup: the copy is made beside the data
// directory, which stays until the copy is complete, so the filesystem
// there must hold both; a stage without that room changes nothing; and a
// stage that fails or is stopped leaves no partial copy behind.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "engine/apply/remote_guard.h"
#include "resources/standby_clone.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/fakes/stand_in_lease.h"
#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ReadFile;
using testing::ScratchDir;

struct LocalStage {
  ScratchDir scratch{"clone-stage"};
  std::string data = scratch / "data dir";
  std::string ran = scratch / "pg_basebackup ran";
  StandbyCloneDetails clone;

  LocalStage() {
    REQUIRE(mkdir(data.c_str(), 0700) == 0);
    // Writes a copy into -D, as pg_basebackup would, and says it ran.
    scratch.Write("bin/pg_basebackup",
                  "#!/bin/sh\nfor a in \"$@\"; do case $prev in -D) target=$a ;; esac; prev=$a; "
                  "done\necho yes > '" +
                      ran + "'\necho 15 > \"$target/PG_VERSION\"\n",
                  0755);
    clone.data_dir = data;
    clone.aside = data + ".pgpair-20261202T010000Z";
    clone.bin_dir = scratch / "bin";
    clone.major = 15;
    clone.primary.host = "198.18.0.11";
    clone.primary.port = 5432;
    clone.primary.user = "replicator";
  }
  std::string Staging() const { return data + ".pgpair-staging"; }
  // The stage, under the remote guard when `lease_pid` is given.
  ExecResult Stage(long long copy_kb, std::optional<int> lease_pid = std::nullopt) {
    LocalShellTransport shell(scratch.path());
    // As root, runuser to root: the script runs pg_basebackup as the server's user.
    std::string script = CloneStepScript(clone, "root", "stage", copy_kb);
    if (lease_pid) script = GuardedCommand(script, lease_pid);
    Result<ExecResult> run = shell.Exec(script, "198.18.0.11:5432:replication:replicator:pw\n",
                                        std::chrono::seconds(60));
    REQUIRE(run.ok());
    return *run;
  }
};

TEST_CASE("The stage step copies only where the copy fits beside the data directory",
          "[standby_clone]") {
  if (!testing::AsRoot("the script runs pg_basebackup with runuser")) return;
  SECTION("room enough: the copy is made beside it") {
    LocalStage f;
    ExecResult run = f.Stage(1);
    INFO(run.stdout_text << run.stderr_text);
    REQUIRE(run.exit_status == 0);
    CHECK(ReadFile(f.Staging() + "/PG_VERSION") == "15\n");
  }
  SECTION("not checked (0): the copy is made") {
    LocalStage f;
    ExecResult run = f.Stage(0);
    INFO(run.stdout_text << run.stderr_text);
    REQUIRE(run.exit_status == 0);
    CHECK(ReadFile(f.ran) == "yes\n");
  }
  SECTION("more than the filesystem holds: nothing is copied, nothing changed") {
    LocalStage f;
    const long long petabyte_kb = 1LL << 40;
    ExecResult run = f.Stage(petabyte_kb);
    CHECK(run.exit_status == 1);
    CHECK_THAT(run.stderr_text, Catch::Contains(" MB free, and the copy of 198.18.0.11 needs about "
                                                "1073741824 MB there beside " +
                                                f.data));
    CHECK_THAT(run.stderr_text, Catch::Contains("nothing was changed"));
    CHECK_THAT(run.stderr_text, Catch::StartsWith(f.scratch.path() + " has "));
    CHECK(access(f.ran.c_str(), F_OK) != 0);
    CHECK(access(f.Staging().c_str(), F_OK) != 0);
    struct stat info {};
    CHECK(stat(f.data.c_str(), &info) == 0);
  }
}

// pg_basebackup's WAL streamer is a process of its own that may outlive the
// main one, still writing into the copy: when pgpair is killed, the main
// process dies of its closed output, the stage's cleanup waits for the
// streamer, and the remote guard's TERM arrives in the middle of that wait.
TEST_CASE("A stage stopped by the guard while its WAL streamer writes leaves no partial copy",
          "[standby_clone][guard]") {
  if (!testing::AsRoot("the script runs pg_basebackup with runuser")) return;
  LocalStage f;
  // The main process starts a streamer that writes into the copy until it is
  // stopped (20 s at most), and fails at once.
  f.scratch.Write("bin/pg_basebackup",
                  "#!/bin/sh\nfor a in \"$@\"; do case $prev in -D) target=$a ;; esac; prev=$a; "
                  "done\nif [ \"$1\" = streamer ]; then\n  i=0\n  while [ $i -lt 200 ]; do echo "
                  "wal >> \"$target/wal\"; sleep 0.1; i=$((i + 1)); done\n  exit 0\nfi\necho 15 > "
                  "\"$target/PG_VERSION\"\n\"$0\" streamer -D \"$target\" &\nexit 1\n",
                  0755);
  testing::StandInLease lease;
  // The guard looks at the lease every second: its TERM comes 0.5 to 1.5 s
  // into the cleanup's wait of at most 3 s.
  testing::LeaseEnder ender(lease, 500);
  ExecResult run = f.Stage(1, lease.pid());
  ender.Join();
  INFO(run.stdout_text << run.stderr_text);
  CHECK(run.exit_status == kGuardStoppedExitStatus);
  CHECK_THAT(run.stderr_text, Catch::Contains("pg_basebackup failed"));
  CHECK_THAT(run.stderr_text,
             Catch::Contains("the step was stopped because pgpair's apply lease ended"));
  CHECK(access(f.Staging().c_str(), F_OK) != 0);
  struct stat info {};
  CHECK(stat(f.data.c_str(), &info) == 0);
}

}  // namespace
}  // namespace pgpair
