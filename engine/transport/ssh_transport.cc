#include "engine/transport/ssh_transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "engine/transport/become.h"
#include "engine/transport/host_key_check.h"
#include "engine/transport/ssh_auth.h"

namespace pgpair {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kChunkSize = 32 * 1024;

// libssh2's own send() passes no MSG_NOSIGNAL, so a peer that drops the
// connection would kill pgpair with SIGPIPE; this sender makes it an error.
LIBSSH2_SEND_FUNC(SendNoSignal) {
  ssize_t sent = send(socket, buffer, length, flags | MSG_NOSIGNAL);
  return sent < 0 ? -errno : sent;
}

std::string HomeDirectory() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  if (const passwd* entry = getpwuid(getuid()); entry != nullptr) return entry->pw_dir;
  return "/";
}

std::string DescribeTimeout(milliseconds timeout) {
  if (timeout.count() % 1000 == 0) return std::to_string(timeout.count() / 1000) + " s";
  return std::to_string(timeout.count()) + " ms";
}

milliseconds Remaining(Clock::time_point deadline) {
  return std::max(milliseconds(0),
                  std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

}  // namespace

std::string CommandName(const std::string& command) {
  static constexpr char kBlank[] = " \t\n";
  size_t begin = command.find_first_not_of(kBlank);
  while (begin != std::string::npos) {
    size_t end = command.find_first_of(" \t\n;|&", begin);
    std::string word = command.substr(begin, end == std::string::npos ? end : end - begin);
    size_t equals = word.find('=');
    bool assignment = equals != std::string::npos && equals > 0 &&
                      word.find_first_not_of(
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789_") == equals;
    if (!assignment || end == std::string::npos) return word;
    begin = command.find_first_not_of(kBlank, end);
  }
  return "(empty command)";
}

namespace {

// A non-blocking TCP connect bounded by `timeout`, trying each address the
// name resolves to.
Result<int> ConnectTcp(const SshTarget& target, milliseconds timeout) {
  std::string where = target.label + ": cannot connect to " + target.address + " port " +
                      std::to_string(target.ssh.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  int rc = getaddrinfo(target.address.c_str(), std::to_string(target.ssh.port).c_str(), &hints,
                       &addresses);
  if (rc != 0) return Status::Error(where + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(addresses, freeaddrinfo);

  Clock::time_point deadline = Clock::now() + timeout;
  std::string last_error = "no address";
  for (addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
    int fd = socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    address->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int error = 0;
    if (connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        pollfd waiting{fd, POLLOUT, 0};
        int ready;
        do {
          ready = poll(&waiting, 1, static_cast<int>(Remaining(deadline).count()));
        } while (ready < 0 && errno == EINTR);
        socklen_t length = sizeof error;
        if (ready == 0) {
          error = ETIMEDOUT;
        } else if (ready < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
          error = errno;
        }
      }
    }
    if (error == 0) {
      // Commands are small request/response exchanges: Nagle's delay would
      // add tens of milliseconds to each.
      int on = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      return fd;
    }
    close(fd);
    last_error = error == ETIMEDOUT ? "no answer within " + DescribeTimeout(timeout) +
                                          " (ssh.connect_timeout)"
                                    : std::strerror(error);
    if (Remaining(deadline).count() == 0) break;
  }
  return Status::Error(where + ": " + last_error);
}

// Asks the server for the host key types known_hosts holds for it first, as
// OpenSSH does; then ed25519 and ECDSA before libssh2's other algorithms.
Status PreferKnownHostKeyTypes(LIBSSH2_SESSION* session, const SshTarget& target) {
  Result<std::vector<std::string>> known =
      KnownHostKeyTypes(target.ssh.known_hosts, target.address, target.ssh.port);
  if (!known.ok()) return known.status().WithContext(target.label);
  std::vector<std::string> order = *known;
  for (const char* preferred :
       {"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"}) {
    order.push_back(preferred);
  }
  const char** supported = nullptr;
  int count = libssh2_session_supported_algs(session, LIBSSH2_METHOD_HOSTKEY, &supported);
  if (count <= 0) return Status::Ok();  // keep libssh2's default order
  std::vector<std::string> available(supported, supported + count);
  libssh2_free(session, supported);
  order.insert(order.end(), available.begin(), available.end());

  std::string preference;
  std::vector<std::string> seen;
  for (const std::string& name : order) {
    bool usable = std::find(available.begin(), available.end(), name) != available.end();
    if (!usable || std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    preference += (preference.empty() ? "" : ",") + name;
  }
  libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, preference.c_str());
  return Status::Ok();
}

SshTarget WithExpandedPaths(SshTarget target) {
  std::string home = HomeDirectory();
  if (target.ssh.known_hosts.empty()) target.ssh.known_hosts = "~/.ssh/known_hosts";
  target.ssh.known_hosts = ExpandTilde(target.ssh.known_hosts, home);
  for (std::string& key : target.ssh.keys) key = ExpandTilde(key, home);
  return target;
}

// Maps an exit signal to the shell's convention, 128 + signal number.
int ExitStatusForSignal(const std::string& signal_name) {
  static const std::pair<const char*, int> kSignals[] = {
      {"HUP", 1},   {"INT", 2},   {"QUIT", 3},  {"ILL", 4},   {"ABRT", 6},
      {"FPE", 8},   {"KILL", 9},  {"SEGV", 11}, {"PIPE", 13}, {"ALRM", 14},
      {"TERM", 15}, {"USR1", 10}, {"USR2", 12}};
  for (const auto& [name, number] : kSignals) {
    if (signal_name == name) return 128 + number;
  }
  return 255;
}

}  // namespace

SshTarget SshTarget::FromHost(const HostSpec& host) {
  return SshTarget{host.label(), host.address, host.ssh, host.become};
}

std::string ExpandTilde(const std::string& path, const std::string& home) {
  if (path == "~") return home;
  if (path.rfind("~/", 0) == 0) return home + path.substr(1);
  return path;
}

Result<std::unique_ptr<SshTransport>> SshTransport::Connect(const HostSpec& host) {
  return Connect(SshTarget::FromHost(host));
}

Result<std::unique_ptr<SshTransport>> SshTransport::Connect(const SshTarget& given) {
  EnsureLibssh2Initialized();
  SshTarget target = WithExpandedPaths(given);
  milliseconds timeout(std::max(1, target.ssh.connect_timeout_seconds) * 1000);
  spdlog::debug("{}: connecting to port {} as {}", target.label, target.ssh.port, target.ssh.user);

  Result<int> fd = ConnectTcp(target, timeout);
  if (!fd.ok()) return fd.status();
  Libssh2SessionPtr session(libssh2_session_init());
  if (!session) {
    close(*fd);
    return Status::Error(target.label + ": cannot initialize an ssh session");
  }
  // The transport owns the socket from here, so every early return closes it.
  std::unique_ptr<SshTransport> transport(new SshTransport(target, *fd, std::move(session)));
  LIBSSH2_SESSION* raw = transport->session_.get();
  libssh2_session_callback_set(raw, LIBSSH2_CALLBACK_SEND, reinterpret_cast<void*>(&SendNoSignal));
  // Handshake and login block, each step bounded by the connect timeout;
  // Exec switches to non-blocking mode afterwards.
  libssh2_session_set_blocking(raw, 1);
  libssh2_session_set_timeout(raw, static_cast<long>(timeout.count()));

  if (Status preferred = PreferKnownHostKeyTypes(raw, target); !preferred.ok()) return preferred;
  if (int rc = libssh2_session_handshake(raw, transport->socket_fd_); rc != 0) {
    std::string why = Libssh2LastError(raw);
    if (rc == LIBSSH2_ERROR_TIMEOUT) {
      why = "no answer within " + DescribeTimeout(timeout) + " (ssh.connect_timeout)";
    } else if (rc == LIBSSH2_ERROR_BANNER_RECV || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT) {
      why +=
          "; the connection was closed before the SSH greeting: is an SSH server "
          "listening on that port?";
    }
    return Status::Error(target.label + ": ssh handshake with " + target.address + " port " +
                         std::to_string(target.ssh.port) + " failed: " + why);
  }

  size_t key_length = 0;
  int key_type = 0;
  const char* key_data = libssh2_session_hostkey(raw, &key_length, &key_type);
  std::optional<HostKey> offered =
      key_data ? HostKey::FromBlob(std::string(key_data, key_length)) : std::nullopt;
  if (!offered) return Status::Error(target.label + ": the server offered no usable host key");
  if (Status verified = VerifyHostKey(target.label, target.address, target.ssh.port,
                                      target.ssh.known_hosts, target.ssh.host_key_policy, *offered);
      !verified.ok()) {
    return verified;
  }

  if (Status logged_in = Authenticate(raw, target.label, target.ssh); !logged_in.ok()) {
    return logged_in;
  }
  libssh2_session_set_blocking(raw, 0);
  spdlog::debug("{}: connected as {}", target.label, target.ssh.user);
  return transport;
}

SshTransport::SshTransport(SshTarget target, int socket_fd, Libssh2SessionPtr session)
    : target_(std::move(target)), socket_fd_(socket_fd), session_(std::move(session)) {}

SshTransport::~SshTransport() {
  assert(tunnel_wake_fd_ < 0 && "an SshTunnel outlived its SshTransport");
  if (session_ && broken_.empty()) {
    // A polite goodbye, but never a hang on a dead peer.
    libssh2_session_set_blocking(session_.get(), 1);
    libssh2_session_set_timeout(session_.get(), 1000);
    libssh2_session_disconnect(session_.get(), "pgpair done");
  }
  // Abandoned channels would make libssh2_session_free wait for the server's
  // close; with the socket shut down they are freed at once.
  if (socket_fd_ >= 0) shutdown(socket_fd_, SHUT_RDWR);
  session_.reset();
  if (socket_fd_ >= 0) close(socket_fd_);
}

Result<ExecResult> SshTransport::Exec(const std::string& command, const std::string& stdin_data,
                                      milliseconds timeout) {
  return Run(command, stdin_data, timeout, nullptr, /*streaming=*/false);
}

Result<ExecResult> SshTransport::ExecStreaming(const std::string& command,
                                               const std::string& stdin_data,
                                               milliseconds quiet_limit,
                                               const OutputSink& on_stderr) {
  return Run(command, stdin_data, quiet_limit, on_stderr ? &on_stderr : nullptr,
             /*streaming=*/true);
}

Result<ExecResult> SshTransport::Run(const std::string& command, const std::string& stdin_data,
                                     milliseconds timeout, const OutputSink* on_stderr,
                                     bool streaming) {
  // The whole command holds the session: its reads also take an open
  // tunnel's data off the socket into libssh2's queue, where the tunnel's
  // poll cannot see it, so the tunnel is woken once the session is free.
  struct SessionTurn {
    SshTransport* self;
    std::unique_lock<std::mutex> lock;
    ~SessionTurn() {
      if (self->tunnel_wake_fd_ < 0) return;
      uint64_t one = 1;
      // An eventfd write fails only when its counter would overflow.
      [[maybe_unused]] ssize_t written = write(self->tunnel_wake_fd_, &one, sizeof one);
    }
  } turn{this, std::unique_lock<std::mutex>(session_mutex_)};
  ++exec_count_;
  std::string name = "`" + CommandName(command) + "`";
  if (!broken_.empty()) {
    return Status::Error(target_.label + ": cannot run " + name + ": " + broken_);
  }
  spdlog::debug("{}: exec: {}", target_.label, command);
  FreeAbandonedChannels();
  std::string command_line = BecomeCommand(command, target_.become, target_.ssh.user);
  Result<ExecResult> result =
      RunOnChannel(command_line, stdin_data, name, timeout, on_stderr, streaming);
  if (!result.ok()) return result;
  if (Status refused = CheckSudoRefusal(*result, target_.become, target_.ssh.user, target_.label);
      !refused.ok()) {
    return refused;
  }
  spdlog::debug("{}: {} exited with {}", target_.label, name, result->exit_status);
  return result;
}

Result<ExecResult> SshTransport::RunOnChannel(const std::string& command_line,
                                              const std::string& stdin_data,
                                              const std::string& name, milliseconds timeout,
                                              const OutputSink* on_stderr, bool streaming) {
  LIBSSH2_SESSION* session = session_.get();
  Clock::time_point deadline = Clock::now() + timeout;
  auto timed_out = [&] {
    if (libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND) {
      // libssh2 holds a half-sent packet, which the next sender (another
      // command, a tunnel) would finish in place of its own.
      broken_ = "a command timed out while the connection was stuck sending";
    }
    return Status::Error(target_.label + ": " + name +
                         (streaming ? " wrote nothing for " : " did not finish within ") +
                         DescribeTimeout(timeout) +
                         "; pgpair gave up on it (it may still be running on the host)");
  };
  // A refusal of this one channel (say, sshd's MaxSessions) leaves the
  // connection usable; any other failure means it is gone or confused, and
  // later commands must not pretend otherwise.
  auto connection_failed = [&](const std::string& doing) {
    int code = libssh2_session_last_errno(session);
    std::string why =
        "the ssh connection failed while " + doing + " (" + Libssh2LastError(session) + ")";
    bool channel_only =
        code <= LIBSSH2_ERROR_CHANNEL_OUTOFORDER && code >= LIBSSH2_ERROR_CHANNEL_EOF_SENT;
    if (!channel_only) broken_ = why;
    return Status::Error(target_.label + ": cannot run " + name + ": " + why);
  };

  LIBSSH2_CHANNEL* channel;
  while ((channel = libssh2_channel_open_session(session)) == nullptr) {
    if (libssh2_session_last_errno(session) != LIBSSH2_ERROR_EAGAIN) {
      return connection_failed("opening a channel");
    }
    if (!WaitSocket(deadline)) {
      // libssh2 keeps the half-done open in the session, and the next open
      // of any channel would resume it instead of making its own.
      broken_ = "an earlier channel open was left unanswered";
      return timed_out();
    }
  }
  // From here every exit disposes of the channel.
  struct ChannelOwner {
    SshTransport* self;
    LIBSSH2_CHANNEL* channel;
    ~ChannelOwner() { self->DisposeChannel(channel); }
  } owner{this, channel};

  int rc;
  while ((rc = libssh2_channel_exec(channel, command_line.c_str())) == LIBSSH2_ERROR_EAGAIN) {
    if (!WaitSocket(deadline)) return timed_out();
  }
  if (rc != 0) return connection_failed("starting the command");

  ExecResult result;
  size_t written = 0;
  bool writing = true;  // until stdin is sent in full or the command stopped reading it
  bool eof_sent = false;
  char buffer[kChunkSize];
  // Reads what the channel holds on `stream`; false on a connection failure.
  auto drain = [&](int stream, std::string* into, bool* progress) {
    for (;;) {
      ssize_t n = libssh2_channel_read_ex(channel, stream, buffer, sizeof buffer);
      if (n > 0) {
        into->append(buffer, static_cast<size_t>(n));
        if (on_stderr && stream == SSH_EXTENDED_DATA_STDERR) {
          (*on_stderr)(std::string_view(buffer, static_cast<size_t>(n)));
        }
        *progress = true;
        continue;
      }
      return n == 0 || n == LIBSSH2_ERROR_EAGAIN;
    }
  };

  for (;;) {
    bool progress = false;
    while (writing && written < stdin_data.size()) {
      ssize_t n = libssh2_channel_write(channel, stdin_data.data() + written,
                                        std::min(kChunkSize, stdin_data.size() - written));
      if (n > 0) {
        written += static_cast<size_t>(n);
        progress = true;
      } else {
        // EAGAIN: the window is full, read first. Anything else: the
        // command closed its input; its output and status still count.
        if (n != LIBSSH2_ERROR_EAGAIN) writing = false;
        break;
      }
    }
    if (written == stdin_data.size()) writing = false;
    if (!writing && !eof_sent) {
      rc = libssh2_channel_send_eof(channel);
      if (rc != LIBSSH2_ERROR_EAGAIN) {
        eof_sent = true;
        progress = true;
      }
    }
    const size_t output_before = result.stdout_text.size() + result.stderr_text.size();
    if (!drain(0, &result.stdout_text, &progress) ||
        !drain(SSH_EXTENDED_DATA_STDERR, &result.stderr_text, &progress)) {
      return connection_failed("reading the output");
    }
    if (streaming && result.stdout_text.size() + result.stderr_text.size() > output_before) {
      deadline = Clock::now() + timeout;
    }
    if (libssh2_channel_eof(channel)) {
      // Data queued before the EOF message is still to be read; with EOF
      // seen, reads no longer answer "would block".
      bool unused = false;
      drain(0, &result.stdout_text, &unused);
      drain(SSH_EXTENDED_DATA_STDERR, &result.stderr_text, &unused);
      break;
    }
    if (!progress && !WaitSocket(deadline)) return timed_out();
  }
  if (writing || written < stdin_data.size()) {
    spdlog::debug("{}: {} ended before reading all of its input ({} of {} bytes)", target_.label,
                  name, written, stdin_data.size());
  }

  // The exit status may follow the EOF; it has surely arrived once the
  // server closed the channel.
  while ((rc = libssh2_channel_close(channel)) == LIBSSH2_ERROR_EAGAIN) {
    if (!WaitSocket(deadline)) return timed_out();
  }
  while ((rc = libssh2_channel_wait_closed(channel)) == LIBSSH2_ERROR_EAGAIN) {
    if (!WaitSocket(deadline)) return timed_out();
  }
  if (rc != 0) return connection_failed("waiting for the command to end");
  result.exit_status = libssh2_channel_get_exit_status(channel);
  char* signal_name = nullptr;
  size_t signal_length = 0;
  libssh2_channel_get_exit_signal(channel, &signal_name, &signal_length, nullptr, nullptr, nullptr,
                                  nullptr);
  if (signal_name != nullptr) {
    result.exit_status = ExitStatusForSignal(std::string(signal_name, signal_length));
    libssh2_free(session, signal_name);
  }
  return result;
}

Result<std::unique_ptr<Tunnel>> SshTransport::OpenTunnel(const std::string& remote_host,
                                                         int remote_port) {
  Result<std::unique_ptr<SshTunnel>> tunnel = SshTunnel::Open(*this, remote_host, remote_port);
  if (!tunnel.ok()) return tunnel.status();
  return std::unique_ptr<Tunnel>(std::move(tunnel).value());
}

bool SshTransport::WaitSocket(Clock::time_point deadline) {
  milliseconds remaining = Remaining(deadline);
  if (remaining.count() == 0) return false;
  // Inbound data can unblock anything (window adjustments included), so
  // always wait for it; wait for writability only when libssh2 is stuck
  // sending, or poll would return at once forever.
  short events = POLLIN;
  if (libssh2_session_block_directions(session_.get()) & LIBSSH2_SESSION_BLOCK_OUTBOUND) {
    events |= POLLOUT;
  }
  pollfd waiting{socket_fd_, events, 0};
  int ready;
  do {
    ready = poll(&waiting, 1, static_cast<int>(remaining.count()));
  } while (ready < 0 && errno == EINTR);
  return ready != 0 || Remaining(deadline).count() > 0;
}

void SshTransport::DisposeChannel(LIBSSH2_CHANNEL* channel) {
  // A finished command's channel is closed on both sides already and frees
  // at once. An abandoned one is not: sshd answers the close only once the
  // command exits, so it waits in abandoned_channels_ instead of holding up
  // pgpair.
  libssh2_channel_close(channel);
  if (libssh2_channel_free(channel) == LIBSSH2_ERROR_EAGAIN) {
    abandoned_channels_.push_back(channel);
  }
}

void SshTransport::FreeAbandonedChannels() {
  std::vector<LIBSSH2_CHANNEL*> still_open;
  for (LIBSSH2_CHANNEL* channel : abandoned_channels_) {
    if (libssh2_channel_free(channel) == LIBSSH2_ERROR_EAGAIN) still_open.push_back(channel);
  }
  abandoned_channels_.swap(still_open);
}

}  // namespace pgpair
