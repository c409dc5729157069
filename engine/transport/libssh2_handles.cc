#include "engine/transport/libssh2_handles.h"

#include <mutex>

namespace pgpair {

void EnsureLibssh2Initialized() {
  static std::once_flag once;
  // libssh2_exit is never called: sessions may outlive static destructors in
  // other threads, and the process is about to end anyway.
  std::call_once(once, [] { libssh2_init(0); });
}

std::string Libssh2LastError(LIBSSH2_SESSION* session) {
  char* message = nullptr;
  int length = 0;
  libssh2_session_last_error(session, &message, &length, /*want_buf=*/0);
  if (message == nullptr || length == 0) return "unknown libssh2 error";
  return std::string(message, static_cast<size_t>(length));
}

}  // namespace pgpair
