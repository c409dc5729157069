#ifndef PGPAIR_ENGINE_TRANSPORT_SSH_TUNNEL_H_
#define PGPAIR_ENGINE_TRANSPORT_SSH_TUNNEL_H_

#include <libssh2.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/transport/tunnel.h"
#include "engine/util/status.h"

namespace pgpair {

class SshTransport;

// A port on 127.0.0.1 that leads, through one host's SSH connection, to a
// host and port as that host sees them (an SSH direct-tcpip channel, like
// `ssh -L`): the far end sees the connection come from the SSH host.
//
// Made by SshTransport::OpenTunnel. A background thread accepts one local
// connection at a time and moves bytes both ways between it and a channel of
// the transport's session; further connections wait in the listen backlog.
// The tunnel must be destroyed before its transport.
//
// Any process on this machine may connect to the port while the tunnel is
// open: it reaches the destination as the SSH host would, so keep tunnels
// short-lived.
class SshTunnel final : public Tunnel {
 public:
  // Stops the thread and closes the local connection, the channel and the
  // port. Bytes not yet delivered are dropped.
  ~SshTunnel() override;
  SshTunnel(const SshTunnel&) = delete;
  SshTunnel& operator=(const SshTunnel&) = delete;

  int local_port() const override { return local_port_; }
  const std::string& destination() const override { return destination_; }
  // Also when the host could not reach the destination, or the SSH
  // connection failed.
  std::string last_error() const override;

 private:
  friend class SshTransport;
  using Clock = std::chrono::steady_clock;

  SshTunnel(SshTransport& transport, const std::string& remote_host, int remote_port);

  // Listens, then opens the first channel at once, so that a destination the
  // host cannot reach is an error of OpenTunnel rather than a dropped local
  // connection; then starts the thread.
  static Result<std::unique_ptr<SshTunnel>> Open(SshTransport& transport,
                                                 const std::string& remote_host, int remote_port);

  // Opens a direct-tcpip channel to the destination, holding the session
  // lock throughout (libssh2 keeps a pending open in the session, where an
  // Exec would take its answer for its own). Errors start with the label.
  Result<LIBSSH2_CHANNEL*> OpenChannel();
  // The thread: accepts connections until stopped.
  void Run();
  // Moves bytes for one accepted connection until either side is done.
  void Serve(int client_fd, LIBSSH2_CHANNEL* channel);
  // Runs `call`, one libssh2 call on the session, again until it no longer
  // leaves an outgoing packet half-sent: libssh2 keeps such a packet in the
  // session and the next sender, whatever it sends, finishes it instead of
  // its own, so the session is never let go in that state. Requires the
  // session lock. LIBSSH2_ERROR_TIMEOUT when the socket stalls; the
  // connection is then marked broken.
  template <typename Call>
  long Settled(Call call);
  // Closes and frees `channel`; requires the session lock.
  void CloseChannel(LIBSSH2_CHANNEL* channel);
  void DrainWake();
  void SetLastError(const std::string& message);
  // "<label>: cannot open a tunnel to <destination>: <why>".
  std::string ErrorMessage(const std::string& why) const;
  // Now plus the host's ssh.connect_timeout_seconds.
  Clock::time_point Deadline() const;

  SshTransport& transport_;
  const std::string remote_host_;
  const int remote_port_;
  const std::string destination_;
  int listen_fd_ = -1;
  int local_port_ = 0;
  // An eventfd: the destructor's stop request, and the transport's signal
  // that Exec has let go of the session (it may have read this tunnel's data
  // off the socket, so polling the socket alone would miss it).
  int wake_fd_ = -1;
  LIBSSH2_CHANNEL* first_channel_ = nullptr;  // opened by Open for the first connection
  std::atomic<bool> stopping_{false};
  mutable std::mutex error_mutex_;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_SSH_TUNNEL_H_
