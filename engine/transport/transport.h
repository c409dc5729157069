#ifndef PGPAIR_ENGINE_TRANSPORT_TRANSPORT_H_
#define PGPAIR_ENGINE_TRANSPORT_TRANSPORT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "engine/transport/tunnel.h"
#include "engine/util/status.h"

namespace pgpair {

// What a remote command left behind.
struct ExecResult {
  int exit_status = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// A way to run commands on one host, and to reach ports as that host reaches
// them. The SSH implementation is the real one; unit tests use fakes. Every command runs with the
// host's administrative rights: a transport whose login is not root wraps commands in `sudo -n`.
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

  // Told each piece of a command's standard error as it arrives.
  using OutputSink = std::function<void(std::string_view piece)>;

  // As Exec, and tells `on_stderr` the command's standard error while it runs
  // (it is in stderr_text too), for long commands that report progress.
  // `quiet_limit` bounds the silence, not the whole run: the command is
  // given up on once it has written nothing for that long, and may run as
  // long as it keeps reporting (a clone of a large database over a slow
  // link). The default tells `on_stderr` everything once the command has
  // ended, and bounds the whole run by `quiet_limit`.
  virtual Result<ExecResult> ExecStreaming(const std::string& command,
                                           const std::string& stdin_data,
                                           std::chrono::milliseconds quiet_limit,
                                           const OutputSink& on_stderr) {
    Result<ExecResult> result = Exec(command, stdin_data, quiet_limit);
    if (result.ok() && on_stderr && !result->stderr_text.empty()) on_stderr(result->stderr_text);
    return result;
  }

  // How many commands this transport has run; the facts gatherer promises a
  // small fixed number per host, and tests hold it to that.
  virtual int exec_count() const = 0;

  // Opens a Tunnel to remote_host:remote_port as this host reaches it (the
  // far end sees the connection come from this host), so that pgpair can
  // log in there as this host would. One tunnel at a time per transport.
  // Errors name the host and the destination. A transport that cannot
  // forward ports (the fakes, unless a test gives them a way) says so.
  virtual Result<std::unique_ptr<Tunnel>> OpenTunnel(const std::string& remote_host,
                                                     int remote_port) {
    return Status::Error(host_label() + ": cannot open a tunnel to " + remote_host + ":" +
                         std::to_string(remote_port) + ": this connection cannot forward ports");
  }
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_TRANSPORT_H_
