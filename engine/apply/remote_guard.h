#ifndef PGPAIR_ENGINE_APPLY_REMOTE_GUARD_H_
#define PGPAIR_ENGINE_APPLY_REMOTE_GUARD_H_

#include <optional>
#include <string>

namespace pgpair {

// The exit status of a guarded command that was stopped (or never started)
// because pgpair's apply lease on the host was gone.
inline constexpr int kGuardStoppedExitStatus = 125;

// A command line that runs `command` (a /bin/sh script) on the host so that
// it ends when pgpair is gone: engine/apply/remote_guard.sh runs it in a
// session of its own with the same standard input, output and error, and
// stops every process of it (TERM, then KILL 5 s later) within a second or
// so of the host's apply lease `lease_pid` ending, which happens when pgpair
// dies, closes its connection, or loses the link for the lease's timeout
// (engine/apply/apply_lock.h). It exits with `command`'s status, or with
// kGuardStoppedExitStatus, saying why on standard error.
//
// For long steps that must not outlive pgpair (pg_basebackup above all).
// Not for pg_ctl start, stop or restart: stopping pg_ctl's session could
// signal the postmaster it just started; those finish on their own. Not for
// short steps that must finish once begun (a rename). Without a lease pid
// (apply without the lock, as in unit tests) `command` is returned as it is.
std::string GuardedCommand(const std::string& command, std::optional<int> lease_pid);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_REMOTE_GUARD_H_
