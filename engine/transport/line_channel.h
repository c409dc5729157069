#ifndef PGPAIR_ENGINE_TRANSPORT_LINE_CHANNEL_H_
#define PGPAIR_ENGINE_TRANSPORT_LINE_CHANNEL_H_

#include <chrono>
#include <string>

#include "engine/util/status.h"

namespace pgpair {

// One long-lived remote command that pgpair talks to in lines: it writes
// lines to the command's standard input and reads lines from its standard
// output, each with a deadline, for as long as both want. Used by the apply
// lock's lease (engine/apply/apply_lock.h); the SSH implementation is
// SshLineChannel, unit tests use a fake.
//
// A channel is used from one thread at a time. Destroying it sends EOF to
// the command's input and closes the channel without waiting for the command
// to end (bounded by a second or so on a dead link).
class LineChannel {
 public:
  // What a ReadLine found.
  enum class Read {
    kLine,     // a complete line (its newline removed)
    kTimeout,  // nothing complete before the deadline; the command may still run
    kClosed,   // the command closed its output (it ended, or the session did)
  };
  struct ReadResult {
    Read what = Read::kTimeout;
    std::string line;
  };

  virtual ~LineChannel() = default;

  // How errors name the host, e.g. "pg1 (198.18.0.11)".
  virtual const std::string& host_label() const = 0;

  // Writes `line` and a newline to the command's input, at most `timeout`.
  // An error means the line was not sent in full (connection failed, timed
  // out, the command closed its input).
  virtual Status WriteLine(const std::string& line, std::chrono::milliseconds timeout) = 0;

  // The next line of the command's output, waiting at most `timeout`. An
  // error is a failure of the connection itself; a command that ended is
  // kClosed (once every complete line before its end was read).
  virtual Result<ReadResult> ReadLine(std::chrono::milliseconds timeout) = 0;

  // What the command wrote to its standard error so far (the first few KB):
  // why it ended, when it did.
  virtual std::string ErrorText() const = 0;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_LINE_CHANNEL_H_
