#ifndef PGPAIR_ENGINE_TRANSPORT_TRANSPORT_H_
#define PGPAIR_ENGINE_TRANSPORT_TRANSPORT_H_

#include <chrono>
#include <string>

#include "engine/util/status.h"

namespace pgpair {

// What a remote command left behind.
struct ExecResult {
  int exit_status = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// A way to run commands on one host. The SSH implementation is the real one;
// unit tests use fakes. Every command runs with the host's administrative
// rights: a transport whose login is not root wraps commands in `sudo -n`.
class Transport {
 public:
  virtual ~Transport() = default;

  // How errors and logs name the host, e.g. "pg1 (198.18.0.11)".
  virtual const std::string& host_label() const = 0;

  // Runs `command` in the remote POSIX shell, writes `stdin_data` to its
  // standard input and closes it, and waits for the exit status, at most
  // `timeout`. A non-zero exit status is not an error of Exec: only a failure
  // to run the command at all (connection lost, timeout, sudo refused) is.
  virtual Result<ExecResult> Exec(const std::string& command, const std::string& stdin_data,
                                  std::chrono::milliseconds timeout) = 0;

  // How many commands this transport has run; the facts gatherer promises a
  // small fixed number per host, and tests hold it to that.
  virtual int exec_count() const = 0;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_TRANSPORT_H_
