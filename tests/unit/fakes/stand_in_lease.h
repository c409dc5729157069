#ifndef PGPAIR_TESTS_UNIT_FAKES_STAND_IN_LEASE_H_
#define PGPAIR_TESTS_UNIT_FAKES_STAND_IN_LEASE_H_

// A stand-in for pgpair's apply lease on a host (engine/apply/apply_lease.sh):
// a local process whose command line names pgpair-apply-lease, which is all
// the remote guard (engine/apply/remote_guard.sh) looks for. End() ends it as
// a kill -9 of pgpair ends the real one.

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/scratch_dir.h"

namespace pgpair::testing {

// In a process group of its own, ended with the test at the latest.
class StandInLease {
 public:
  StandInLease() {
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      setpgid(0, 0);
      execl("/bin/sh", "/bin/sh", "-c", "sleep 60; :", "pgpair-apply-lease",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    setpgid(pid_, pid_);
    // Its command line is the lease's once exec has happened.
    for (int i = 0; i < 200 && !Named(); ++i) usleep(10000);
    REQUIRE(Named());
  }
  ~StandInLease() { End(); }
  StandInLease(const StandInLease&) = delete;
  StandInLease& operator=(const StandInLease&) = delete;

  int pid() const { return pid_; }
  void End() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

 private:
  bool Named() const {
    return ReadFile("/proc/" + std::to_string(pid_) + "/cmdline").find("pgpair-apply-lease") !=
           std::string::npos;
  }
  pid_t pid_ = 0;
};

// Ends `lease` after `delay_ms`, from a process of its own, while the test
// waits for a guarded command; Join() waits for it.
class LeaseEnder {
 public:
  LeaseEnder(const StandInLease& lease, int delay_ms) {
    const int group = lease.pid();
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      usleep(static_cast<useconds_t>(delay_ms) * 1000);
      kill(-group, SIGKILL);
      _exit(0);
    }
  }
  ~LeaseEnder() { Join(); }
  LeaseEnder(const LeaseEnder&) = delete;
  LeaseEnder& operator=(const LeaseEnder&) = delete;

  void Join() {
    if (pid_ <= 0) return;
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

 private:
  pid_t pid_ = 0;
};

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_FAKES_STAND_IN_LEASE_H_
