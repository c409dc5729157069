#include "engine/transport/ssh_line_channel.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "engine/transport/become.h"

namespace pgpair {
namespace {

using std::chrono::milliseconds;

constexpr size_t kChunkSize = 4096;
// Standard error is kept for messages only; the rest is read and dropped so
// that it never fills the channel's window.
constexpr size_t kErrorTextLimit = 4096;

}  // namespace

SshLineChannel::SshLineChannel(std::unique_ptr<SshTransport> transport, std::string name)
    : transport_(std::move(transport)), name_(std::move(name)) {}

Result<std::unique_ptr<LineChannel>> SshLineChannel::Open(std::unique_ptr<SshTransport> transport,
                                                          const std::string& command,
                                                          const std::string& name) {
  std::unique_ptr<SshLineChannel> self(new SshLineChannel(std::move(transport), name));
  SshTransport& t = *self->transport_;
  std::lock_guard<std::mutex> lock(t.session_mutex_);
  const std::string& label = t.target_.label;
  if (!t.broken_.empty()) return Status::Error(label + ": cannot start " + name + ": " + t.broken_);
  milliseconds timeout(std::max(1, t.target_.ssh.connect_timeout_seconds) * 1000);
  Clock::time_point deadline = Clock::now() + timeout;
  LIBSSH2_SESSION* session = t.session_.get();
  auto failed = [&](const std::string& doing) {
    t.broken_ = "the ssh connection failed while " + doing + " (" + Libssh2LastError(session) + ")";
    return Status::Error(label + ": cannot start " + name + ": " + t.broken_);
  };
  auto timed_out = [&](const std::string& doing) {
    t.broken_ = "no answer while " + doing;
    return Status::Error(label + ": cannot start " + name + ": no answer within " +
                         std::to_string(timeout.count() / 1000) + " s while " + doing +
                         " (ssh.connect_timeout)");
  };
  LIBSSH2_CHANNEL* channel;
  while ((channel = libssh2_channel_open_session(session)) == nullptr) {
    if (libssh2_session_last_errno(session) != LIBSSH2_ERROR_EAGAIN) {
      return failed("opening a channel");
    }
    if (!t.WaitSocket(deadline)) return timed_out("opening a channel");
  }
  self->channel_ = channel;
  std::string command_line = BecomeCommand(command, t.target_.become, t.target_.ssh.user);
  spdlog::debug("{}: starting {}: {}", label, name, command);
  int rc;
  while ((rc = libssh2_channel_exec(channel, command_line.c_str())) == LIBSSH2_ERROR_EAGAIN) {
    if (!t.WaitSocket(deadline)) return timed_out("starting the command");
  }
  if (rc != 0) return failed("starting the command");
  return std::unique_ptr<LineChannel>(std::move(self));
}

SshLineChannel::~SshLineChannel() {
  if (channel_ == nullptr) return;
  std::lock_guard<std::mutex> lock(transport_->session_mutex_);
  // Non-blocking: on a dead link these only queue packets, and the
  // transport's destructor bounds its goodbye.
  libssh2_channel_send_eof(channel_);
  transport_->DisposeChannel(channel_);
  channel_ = nullptr;
}

Status SshLineChannel::Failure(const std::string& why) {
  LIBSSH2_SESSION* session = transport_->session_.get();
  std::string message = why + " (" + Libssh2LastError(session) + ")";
  transport_->broken_ = message;
  return Status::Error(host_label() + ": " + name_ + ": " + message);
}

Status SshLineChannel::WriteLine(const std::string& line, milliseconds timeout) {
  std::lock_guard<std::mutex> lock(transport_->session_mutex_);
  if (!transport_->broken_.empty()) {
    return Status::Error(host_label() + ": " + name_ + ": " + transport_->broken_);
  }
  Clock::time_point deadline = Clock::now() + timeout;
  const std::string data = line + "\n";
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = libssh2_channel_write(channel_, data.data() + written, data.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n != LIBSSH2_ERROR_EAGAIN) {
      // The command closed its input (it ended); the session may be fine.
      return Status::Error(host_label() + ": " + name_ + " no longer reads its input (" +
                           Libssh2LastError(transport_->session_.get()) + ")");
    }
    // The window may be full until the other side's output is read.
    if (!Drain()) return Failure("the ssh connection failed while writing");
    if (!transport_->WaitSocket(deadline)) {
      return Status::Error(host_label() + ": " + name_ + ": a line could not be sent within " +
                           std::to_string(timeout.count()) + " ms");
    }
  }
  return Status::Ok();
}

bool SshLineChannel::Drain() {
  char buffer[kChunkSize];
  for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
    for (;;) {
      ssize_t n = libssh2_channel_read_ex(channel_, stream, buffer, sizeof buffer);
      if (n > 0) {
        if (stream == 0) {
          out_.append(buffer, static_cast<size_t>(n));
        } else if (error_text_.size() < kErrorTextLimit) {
          error_text_.append(
              buffer, std::min(static_cast<size_t>(n), kErrorTextLimit - error_text_.size()));
        }
        continue;
      }
      if (n != 0 && n != LIBSSH2_ERROR_EAGAIN) return false;
      break;
    }
  }
  return true;
}

Result<LineChannel::ReadResult> SshLineChannel::ReadLine(milliseconds timeout) {
  std::lock_guard<std::mutex> lock(transport_->session_mutex_);
  Clock::time_point deadline = Clock::now() + timeout;
  auto take_line = [this]() -> std::optional<ReadResult> {
    size_t newline = out_.find('\n');
    if (newline == std::string::npos) return std::nullopt;
    ReadResult result{Read::kLine, out_.substr(0, newline)};
    out_.erase(0, newline + 1);
    return result;
  };
  for (;;) {
    if (std::optional<ReadResult> line = take_line()) return *line;
    if (!transport_->broken_.empty()) {
      return Status::Error(host_label() + ": " + name_ + ": " + transport_->broken_);
    }
    if (!Drain()) return Failure("the ssh connection failed while reading");
    if (std::optional<ReadResult> line = take_line()) return *line;
    if (libssh2_channel_eof(channel_)) return ReadResult{Read::kClosed, ""};
    if (!transport_->WaitSocket(deadline)) return ReadResult{Read::kTimeout, ""};
  }
}

}  // namespace pgpair
