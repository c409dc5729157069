#ifndef PGPAIR_ENGINE_TRANSPORT_SSH_TRANSPORT_H_
#define PGPAIR_ENGINE_TRANSPORT_SSH_TRANSPORT_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/manifest/manifest.h"
#include "engine/transport/libssh2_handles.h"
#include "engine/transport/ssh_tunnel.h"
#include "engine/transport/transport.h"
#include "engine/util/status.h"

namespace pgpair {

// Where and how to log in to one host.
struct SshTarget {
  std::string label;    // "pg1 (198.18.0.11)": how errors and logs name the host
  std::string address;  // host name or IP address to connect to
  SshSettings ssh;
  Become become = Become::kNone;

  // label = "<name> (<address>)".
  static SshTarget FromHost(const HostSpec& host);
};

// `path` with a leading "~" or "~/" replaced by `home`; other paths as given.
std::string ExpandTilde(const std::string& path, const std::string& home);

// How messages name `command`: its first word after any leading VAR=value
// assignments ("LC_ALL=C cat -- f" is "cat").
std::string CommandName(const std::string& command);

// The Transport over one SSH connection (libssh2), kept for the transport's
// lifetime: one connection per host per pgpair command, however many commands
// run. A transport is used from one thread at a time; transports of different
// hosts may run in parallel threads.
//
// The one exception is an open tunnel (OpenTunnel): its thread drives another
// channel of the same session, and it and Exec take turns on the session
// under a mutex. Exec keeps the session for a whole command, so traffic
// through the tunnel pauses while a command runs.
class SshTransport final : public Transport {
 public:
  // Connects to target.address:ssh.port within ssh.connect_timeout_seconds
  // (TCP connect, then each step of the SSH handshake), verifies the host key
  // against ssh.known_hosts (default ~/.ssh/known_hosts) under
  // ssh.host_key_policy, and logs in as ssh.user with ssh-agent, then
  // ssh.keys. "~" in paths is the home of the user running pgpair. Errors
  // start with the label and say what to do.
  static Result<std::unique_ptr<SshTransport>> Connect(const SshTarget& target);
  static Result<std::unique_ptr<SshTransport>> Connect(const HostSpec& host);

  ~SshTransport() override;
  SshTransport(const SshTransport&) = delete;
  SshTransport& operator=(const SshTransport&) = delete;

  const std::string& host_label() const override { return target_.label; }

  // Runs `command` through BecomeCommand (sudo -n for a non-root login with
  // become: sudo) on a new channel of the session. stdin_data is written in
  // full (interleaved with reading the output, so neither side can stall the
  // other), then EOF is sent. A timeout abandons the command, which may keep
  // running on the host, and is an error naming the host and the command's
  // first word; so is sudo refusing to run it. The command text is logged at
  // debug level; stdin_data never is.
  Result<ExecResult> Exec(const std::string& command, const std::string& stdin_data,
                          std::chrono::milliseconds timeout) override;
  // Exec, telling `on_stderr` each piece of standard error as it is read;
  // every piece of output moves the deadline `quiet_limit` past it.
  Result<ExecResult> ExecStreaming(const std::string& command, const std::string& stdin_data,
                                   std::chrono::milliseconds quiet_limit,
                                   const OutputSink& on_stderr) override;

  int exec_count() const override { return exec_count_; }

  const std::string& login_user() const { return target_.ssh.user; }

  // Listens on 127.0.0.1 (an ephemeral port, loopback only) and forwards each
  // local connection, one at a time, over this session to
  // remote_host:remote_port as this host reaches it: the far end sees the
  // connection come from this host. Fails, naming this host and the
  // destination, when the host cannot reach it (checked at once, with a first
  // channel) or refuses to forward. One tunnel at a time per transport; the
  // tunnel must be destroyed before the transport.
  Result<std::unique_ptr<Tunnel>> OpenTunnel(const std::string& remote_host,
                                             int remote_port) override;

 private:
  friend class SshTunnel;
  friend class SshLineChannel;

  using Clock = std::chrono::steady_clock;

  SshTransport(SshTarget target, int socket_fd, Libssh2SessionPtr session);

  // Exec and ExecStreaming: wraps `command` for sudo, runs it, checks for a
  // refusal of sudo.
  Result<ExecResult> Run(const std::string& command, const std::string& stdin_data,
                         std::chrono::milliseconds timeout, const OutputSink* on_stderr,
                         bool streaming);
  // Runs the already wrapped `command_line`; `name` is how errors name it.
  // It is given up on at `timeout` from now, or, with `streaming`, once it
  // has been silent for `timeout`.
  Result<ExecResult> RunOnChannel(const std::string& command_line, const std::string& stdin_data,
                                  const std::string& name, std::chrono::milliseconds timeout,
                                  const OutputSink* on_stderr, bool streaming);
  // Waits until the socket can move whatever libssh2 last blocked on; false
  // once `deadline` has passed.
  bool WaitSocket(Clock::time_point deadline);
  // Closes and frees `channel`, or keeps it for FreeAbandonedChannels when
  // its command still runs.
  void DisposeChannel(LIBSSH2_CHANNEL* channel);
  void FreeAbandonedChannels();

  SshTarget target_;
  int socket_fd_ = -1;
  Libssh2SessionPtr session_;
  int exec_count_ = 0;
  // Channels of timed-out commands, freed once the server closes them.
  std::vector<LIBSSH2_CHANNEL*> abandoned_channels_;
  // Set when the connection was lost or left unusable; every later Exec fails
  // with this message.
  std::string broken_;
  // Held by Exec for a whole command and by an open tunnel's thread for each
  // libssh2 call; guards the session and the members above.
  std::mutex session_mutex_;
  // The open tunnel's wake-up eventfd (-1 when none is open), written when
  // Exec lets go of the session.
  int tunnel_wake_fd_ = -1;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_SSH_TRANSPORT_H_
