#ifndef PGPAIR_ENGINE_APPLY_APPLY_LOCK_H_
#define PGPAIR_ENGINE_APPLY_APPLY_LOCK_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/manifest/manifest.h"
#include "engine/transport/line_channel.h"
#include "engine/util/status.h"

namespace pgpair {

// Who takes the lock: what the holder record on each host says about this
// pgpair, and how a refused second apply names it. No secret is in it.
struct LockOwner {
  std::string pair;
  std::string user;     // who runs pgpair
  std::string machine;  // the host name of the machine pgpair runs on
  int pid = 0;
  std::string since;  // UTC, ISO 8601: "2026-12-01T11:02:03Z"

  // This process, now, for `pair`.
  static LockOwner ThisProcess(const std::string& pair);
};

// Starts `command` on `host` over a connection of its own (the real one is a
// second SSH connection; unit tests pass fakes).
using LeaseOpener = std::function<Result<std::unique_ptr<LineChannel>>(const HostSpec& host,
                                                                       const std::string& command)>;

struct ApplyLockTimings {
  // How often pgpair tells each lease that it is alive.
  std::chrono::milliseconds heartbeat{2000};
  // The least time a lease outlives pgpair's last heartbeat; a host whose
  // ssh.connect_timeout_seconds is longer gets that (the manifest says the
  // network may be that slow to answer).
  std::chrono::milliseconds minimum_lease_timeout{15000};
};

// How long `host`'s lease waits for a heartbeat before it ends by itself.
std::chrono::milliseconds LeaseTimeout(const HostSpec& host, const ApplyLockTimings& timings);

// The command that runs engine/apply/apply_lease.sh as `owner`'s lease
// with `timeout` (whole seconds, rounded up), through
// engine/apply/apply_lease_start.sh, which first checks that the host has
// bash. Every value is an argument of the scripts (ScriptCommand).
std::string LeaseCommand(const LockOwner& owner, std::chrono::milliseconds timeout);

// One apply per pair at a time. The lock is a lease process on each host
// (engine/apply/apply_lease.sh, run as root over a connection of its own)
// that holds flock(2) on /run/pgpair/apply.lock for as long as pgpair keeps
// answering: it ends when its input closes (pgpair died, its connection
// closed) or when no heartbeat came for its timeout (the link is gone), and
// the kernel drops the flock with it. So a lock left by a dead run frees
// itself, and one whose owner still works is never taken over.
//
// A heartbeat thread per lease (each on its own connection) writes "beat"
// every timings.heartbeat and reads the "ok"s. pgpair gives a lease up as
// lost two heartbeats before the host would, so that the host never frees a
// lock pgpair still believes it holds.
class ApplyLock {
 public:
  // Takes the lock on the primary, then on the standby, without waiting: a
  // host whose lock is held refuses at once, naming the holder ("pg1
  // (198.18.0.11): another apply holds the lock: user root on machine ctl1,
  // pid 4242, since 2026-12-01T11:02:03Z (pair sandbox); nothing was
  // changed"). When the standby refuses, the primary's lease is released.
  // Errors start with the host's label and end with "nothing was changed".
  static Result<std::unique_ptr<ApplyLock>> Acquire(const Manifest& manifest,
                                                    const LeaseOpener& open, const LockOwner& owner,
                                                    const ApplyLockTimings& timings = {});

  // Releases both leases (each host frees the lock at once) and closes
  // their connections; a lost lease is only closed.
  ~ApplyLock();
  ApplyLock(const ApplyLock&) = delete;
  ApplyLock& operator=(const ApplyLock&) = delete;

  // True while no lease was lost. Safe from any thread.
  bool Held() const;
  // Why the lock is no longer held ("pg2 (198.18.0.12): the apply lock was
  // lost: no answer for 11 s"); empty while it is.
  std::string LostReason() const;
  // The pid of the lease process on `host_name` (for GuardedCommand).
  std::optional<int> LeasePid(const std::string& host_name) const;
  // Every host's lease pid, by host name.
  std::map<std::string, int> LeasePids() const;

 private:
  struct Lease;
  ApplyLock() = default;

  std::vector<std::unique_ptr<Lease>> leases_;  // primary first
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_APPLY_LOCK_H_
