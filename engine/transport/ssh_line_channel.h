#ifndef PGPAIR_ENGINE_TRANSPORT_SSH_LINE_CHANNEL_H_
#define PGPAIR_ENGINE_TRANSPORT_SSH_LINE_CHANNEL_H_

#include <libssh2.h>

#include <memory>
#include <string>

#include "engine/transport/line_channel.h"
#include "engine/transport/ssh_transport.h"

namespace pgpair {

// A LineChannel over an SSH connection of its own: the channel owns the
// transport, so nothing else shares its session and the channel may live in
// a thread of its own while other connections to the same host run
// commands. The command runs with the host's administrative rights, as
// SshTransport::Exec runs it (sudo -n for a non-root login with become:
// sudo).
class SshLineChannel final : public LineChannel {
 public:
  // Starts `command` on a new channel of `transport`'s session, within the
  // host's ssh.connect_timeout_seconds. `name` is how errors name the
  // command ("the apply lease"); they start with the host's label.
  static Result<std::unique_ptr<LineChannel>> Open(std::unique_ptr<SshTransport> transport,
                                                   const std::string& command,
                                                   const std::string& name);

  // Sends EOF and closes the channel (the command sees the end of its
  // input), then closes the connection; a second at most on a dead link.
  ~SshLineChannel() override;
  SshLineChannel(const SshLineChannel&) = delete;
  SshLineChannel& operator=(const SshLineChannel&) = delete;

  const std::string& host_label() const override { return transport_->host_label(); }
  Status WriteLine(const std::string& line, std::chrono::milliseconds timeout) override;
  Result<ReadResult> ReadLine(std::chrono::milliseconds timeout) override;
  std::string ErrorText() const override { return error_text_; }

 private:
  using Clock = std::chrono::steady_clock;

  SshLineChannel(std::unique_ptr<SshTransport> transport, std::string name);
  // Moves whatever the channel holds into out_/error_text_; false on a
  // connection failure.
  bool Drain();
  // "<label>: `<name>` <why>", marking the connection broken.
  Status Failure(const std::string& why);

  std::unique_ptr<SshTransport> transport_;
  std::string name_;  // how errors name the command
  LIBSSH2_CHANNEL* channel_ = nullptr;
  std::string out_;  // read, not yet returned as lines
  std::string error_text_;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_SSH_LINE_CHANNEL_H_
