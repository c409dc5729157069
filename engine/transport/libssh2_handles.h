#ifndef PGPAIR_ENGINE_TRANSPORT_LIBSSH2_HANDLES_H_
#define PGPAIR_ENGINE_TRANSPORT_LIBSSH2_HANDLES_H_

#include <libssh2.h>

#include <memory>
#include <string>

namespace pgpair {

// Calls libssh2_init once per process. libssh2_init itself is not thread-safe,
// and transports for different hosts connect from different threads; every
// use of libssh2 in pgpair goes through this first.
void EnsureLibssh2Initialized();

// Owning handles. The deleters are safe on a session in non-blocking mode:
// freeing sends nothing that must wait (channels are closed before, sessions
// are disconnected before).
struct Libssh2SessionDeleter {
  void operator()(LIBSSH2_SESSION* session) const { libssh2_session_free(session); }
};
struct Libssh2KnownHostsDeleter {
  void operator()(LIBSSH2_KNOWNHOSTS* hosts) const { libssh2_knownhost_free(hosts); }
};
using Libssh2SessionPtr = std::unique_ptr<LIBSSH2_SESSION, Libssh2SessionDeleter>;
using Libssh2KnownHostsPtr = std::unique_ptr<LIBSSH2_KNOWNHOSTS, Libssh2KnownHostsDeleter>;

// libssh2's last error message for `session`, e.g. "Timed out waiting on socket".
std::string Libssh2LastError(LIBSSH2_SESSION* session);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_LIBSSH2_HANDLES_H_
