#include "engine/transport/ssh_tunnel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "engine/transport/ssh_transport.h"

namespace pgpair {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kChunkSize = 32 * 1024;
// How much one direction holds for a slow receiver before it stops reading
// from its sender; the sender then feels the back pressure (TCP window or SSH
// channel window).
constexpr size_t kBufferLimit = 256 * 1024;

std::string Destination(const std::string& host, int port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool IsChannelError(long code) {
  return code <= LIBSSH2_ERROR_CHANNEL_OUTOFORDER && code >= LIBSSH2_ERROR_CHANNEL_EOF_SENT;
}

}  // namespace

SshTunnel::SshTunnel(SshTransport& transport, const std::string& remote_host, int remote_port)
    : transport_(transport),
      remote_host_(remote_host),
      remote_port_(remote_port),
      destination_(Destination(remote_host, remote_port)) {}

Result<std::unique_ptr<SshTunnel>> SshTunnel::Open(SshTransport& transport,
                                                   const std::string& remote_host,
                                                   int remote_port) {
  std::unique_ptr<SshTunnel> tunnel(new SshTunnel(transport, remote_host, remote_port));
  auto fail = [&](const std::string& why) {
    return Status::Error(transport.target_.label + ": cannot open a tunnel to " +
                         tunnel->destination_ + ": " + why);
  };
  if (remote_host.empty()) return fail("no host given");
  if (remote_port <= 0 || remote_port > 65535) return fail("the port is out of range");
  {
    std::lock_guard<std::mutex> lock(transport.session_mutex_);
    if (!transport.broken_.empty()) return fail(transport.broken_);
    if (transport.tunnel_wake_fd_ >= 0) {
      return fail("another tunnel of this ssh connection is still open (one at a time)");
    }
    tunnel->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (tunnel->wake_fd_ < 0) return fail(std::string("eventfd: ") + std::strerror(errno));
    transport.tunnel_wake_fd_ = tunnel->wake_fd_;
  }

  // Loopback only: the port must never be reachable from the network.
  tunnel->listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (tunnel->listen_fd_ < 0) {
    return fail(std::string("cannot listen on 127.0.0.1: ") + std::strerror(errno));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;  // the kernel picks a free port
  socklen_t length = sizeof address;
  if (bind(tunnel->listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(tunnel->listen_fd_, 8) != 0 ||
      getsockname(tunnel->listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return fail(std::string("cannot listen on 127.0.0.1: ") + std::strerror(errno));
  }
  tunnel->local_port_ = ntohs(address.sin_port);

  Result<LIBSSH2_CHANNEL*> channel = tunnel->OpenChannel();
  if (!channel.ok()) return channel.status();
  tunnel->first_channel_ = *channel;
  tunnel->thread_ = std::thread(&SshTunnel::Run, tunnel.get());
  spdlog::debug("{}: tunnel from 127.0.0.1:{} to {}", transport.target_.label, tunnel->local_port_,
                tunnel->destination_);
  return tunnel;
}

SshTunnel::~SshTunnel() {
  if (thread_.joinable()) {
    stopping_ = true;
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  {
    std::lock_guard<std::mutex> lock(transport_.session_mutex_);
    if (first_channel_ != nullptr) CloseChannel(first_channel_);
    if (wake_fd_ >= 0 && transport_.tunnel_wake_fd_ == wake_fd_) transport_.tunnel_wake_fd_ = -1;
  }
  if (listen_fd_ >= 0) close(listen_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  spdlog::debug("{}: tunnel to {} closed", transport_.target_.label, destination_);
}

std::string SshTunnel::last_error() const {
  std::lock_guard<std::mutex> lock(error_mutex_);
  return last_error_;
}

void SshTunnel::SetLastError(const std::string& message) {
  spdlog::debug("{}", message);
  std::lock_guard<std::mutex> lock(error_mutex_);
  last_error_ = message;
}

std::string SshTunnel::ErrorMessage(const std::string& why) const {
  return transport_.target_.label + ": cannot open a tunnel to " + destination_ + ": " + why;
}

Clock::time_point SshTunnel::Deadline() const {
  return Clock::now() +
         milliseconds(std::max(1, transport_.target_.ssh.connect_timeout_seconds) * 1000);
}

Result<LIBSSH2_CHANNEL*> SshTunnel::OpenChannel() {
  // The whole open holds the session: libssh2 keeps a pending open in the
  // session itself, and an Exec in between would take its answer for its own.
  std::lock_guard<std::mutex> lock(transport_.session_mutex_);
  if (!transport_.broken_.empty()) return Status::Error(ErrorMessage(transport_.broken_));
  LIBSSH2_SESSION* session = transport_.session_.get();
  Clock::time_point deadline = Deadline();
  for (;;) {
    // shost/sport only inform the server (sshd logs them); they name this end.
    LIBSSH2_CHANNEL* channel = libssh2_channel_direct_tcpip_ex(
        session, remote_host_.c_str(), remote_port_, "127.0.0.1", local_port_);
    if (channel != nullptr) return channel;
    int code = libssh2_session_last_errno(session);
    if (code != LIBSSH2_ERROR_EAGAIN) {
      std::string why = Libssh2LastError(session);
      if (!IsChannelError(code)) {
        transport_.broken_ = "the ssh connection failed while opening a tunnel (" + why + ")";
        return Status::Error(ErrorMessage(transport_.broken_));
      }
      if (why.find("connect failed") != std::string::npos) {
        why = "the host could not connect there (" + why +
              "): is a server listening on that address and port, and may the host reach it?";
      } else if (why.find("administratively prohibited") != std::string::npos) {
        why = "the host's sshd refuses to forward connections (" + why +
              "): allow it with AllowTcpForwarding in its sshd_config, and no "
              "no-port-forwarding or permitopen restriction on the login key";
      }
      return Status::Error(ErrorMessage(why));
    }
    if (!transport_.WaitSocket(deadline)) {
      transport_.broken_ = "an earlier channel open was left unanswered";
      return Status::Error(
          ErrorMessage("the host's sshd did not answer within " +
                       std::to_string(std::max(1, transport_.target_.ssh.connect_timeout_seconds)) +
                       " s (ssh.connect_timeout); pgpair stops using this ssh connection"));
    }
  }
}

template <typename Call>
long SshTunnel::Settled(Call call) {
  Clock::time_point deadline = Deadline();
  for (;;) {
    long rc = call();
    LIBSSH2_SESSION* session = transport_.session_.get();
    if (rc != LIBSSH2_ERROR_EAGAIN ||
        !(libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND)) {
      return rc;
    }
    if (!transport_.WaitSocket(deadline)) {
      transport_.broken_ = "the ssh connection stalled while sending tunnel data";
      return LIBSSH2_ERROR_TIMEOUT;
    }
  }
}

void SshTunnel::CloseChannel(LIBSSH2_CHANNEL* channel) {
  Settled([&] { return static_cast<long>(libssh2_channel_close(channel)); });
  transport_.DisposeChannel(channel);
}

void SshTunnel::DrainWake() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = read(wake_fd_, &count, sizeof count);
}

void SshTunnel::Run() {
  LIBSSH2_CHANNEL* channel = first_channel_;
  first_channel_ = nullptr;
  while (!stopping_) {
    pollfd waiting[2] = {{wake_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    if (poll(waiting, 2, -1) < 0) continue;  // EINTR
    if (waiting[0].revents != 0) DrainWake();
    if (stopping_ || !(waiting[1].revents & POLLIN)) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) continue;
    int on = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (channel == nullptr) {
      Result<LIBSSH2_CHANNEL*> opened = OpenChannel();
      if (!opened.ok()) {
        // The client sees its connection closed; the reason stays here.
        SetLastError(opened.status().message());
        close(client);
        continue;
      }
      channel = *opened;
    }
    Serve(client, channel);
    close(client);
    std::lock_guard<std::mutex> lock(transport_.session_mutex_);
    CloseChannel(channel);
    channel = nullptr;
  }
  if (channel != nullptr) {
    std::lock_guard<std::mutex> lock(transport_.session_mutex_);
    CloseChannel(channel);
  }
}

void SshTunnel::Serve(int client, LIBSSH2_CHANNEL* channel) {
  const std::string& label = transport_.target_.label;
  std::string to_remote;  // read from the client, not yet written to the channel
  std::string to_client;  // read from the channel, not yet sent to the client
  bool client_eof = false;
  bool eof_sent = false;
  bool remote_eof = false;
  char buffer[kChunkSize];
  // A failure of the channel or the connection; the client is then cut off.
  auto failed = [&](long code, const std::string& doing) {
    LIBSSH2_SESSION* session = transport_.session_.get();
    std::string why = code == LIBSSH2_ERROR_TIMEOUT && !transport_.broken_.empty()
                          ? transport_.broken_
                          : Libssh2LastError(session);
    if (!IsChannelError(code) && transport_.broken_.empty()) {
      transport_.broken_ = "the ssh connection failed while " + doing + " (" + why + ")";
    }
    SetLastError(label + ": the tunnel to " + destination_ + " failed while " + doing + ": " + why);
  };

  while (!stopping_) {
    bool progress = false;
    {
      std::lock_guard<std::mutex> lock(transport_.session_mutex_);
      if (!transport_.broken_.empty()) {
        SetLastError(label + ": the tunnel to " + destination_ + " stopped: " + transport_.broken_);
        return;
      }
      while (!to_remote.empty()) {
        long n = Settled([&] {
          return static_cast<long>(libssh2_channel_write(channel, to_remote.data(),
                                                         std::min(kChunkSize, to_remote.size())));
        });
        if (n > 0) {
          to_remote.erase(0, static_cast<size_t>(n));
          progress = true;
        } else if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) {
          break;  // the channel window is full
        } else if (n == LIBSSH2_ERROR_CHANNEL_CLOSED || n == LIBSSH2_ERROR_CHANNEL_EOF_SENT) {
          return;  // the far end is gone: nobody reads what is left
        } else {
          return failed(n, "writing to the channel");
        }
      }
      if (client_eof && to_remote.empty() && !eof_sent) {
        long rc = Settled([&] { return static_cast<long>(libssh2_channel_send_eof(channel)); });
        if (rc != 0) return failed(rc, "sending EOF");
        eof_sent = true;
        progress = true;
      }
      while (to_client.size() < kBufferLimit) {
        long n = Settled([&] {
          return static_cast<long>(libssh2_channel_read(channel, buffer, sizeof buffer));
        });
        if (n > 0) {
          to_client.append(buffer, static_cast<size_t>(n));
          progress = true;
        } else if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) {
          break;
        } else if (n == LIBSSH2_ERROR_CHANNEL_CLOSED) {
          remote_eof = true;
          break;
        } else {
          return failed(n, "reading from the channel");
        }
      }
      // libssh2 reports EOF only once no data of the channel is queued.
      if (libssh2_channel_eof(channel) == 1) remote_eof = true;
    }

    while (!to_client.empty()) {
      ssize_t n = send(client, to_client.data(), to_client.size(), MSG_NOSIGNAL);
      if (n > 0) {
        to_client.erase(0, static_cast<size_t>(n));
        progress = true;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else {
        return;  // the client went away
      }
    }
    if (remote_eof && to_client.empty()) return;
    while (!client_eof && to_remote.size() < kBufferLimit) {
      ssize_t n = recv(client, buffer, sizeof buffer, 0);
      if (n > 0) {
        to_remote.append(buffer, static_cast<size_t>(n));
        progress = true;
      } else if (n == 0) {
        client_eof = true;  // it may still read: the far end gets EOF, the rest still flows back
        progress = true;
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        break;
      } else {
        return;  // reset by the client
      }
    }
    if (progress) continue;

    // Nothing moved: wait for the client, the SSH socket, or a wake-up (the
    // destructor, or Exec done with the session). A direction whose buffer is
    // full is not polled, or poll would return at once forever.
    short client_events = 0;
    if (!client_eof && to_remote.size() < kBufferLimit) client_events |= POLLIN;
    if (!to_client.empty()) client_events |= POLLOUT;
    bool want_session = to_client.size() < kBufferLimit || !to_remote.empty();
    pollfd waiting[3] = {{wake_fd_, POLLIN, 0},
                         {client_events != 0 ? client : -1, client_events, 0},
                         {want_session ? transport_.socket_fd_ : -1, POLLIN, 0}};
    if (poll(waiting, 3, -1) < 0 && errno != EINTR) {
      SetLastError(label + ": the tunnel to " + destination_ +
                   " failed: poll: " + std::strerror(errno));
      return;
    }
    if (waiting[0].revents != 0) DrainWake();
  }
}

}  // namespace pgpair
