#include "engine/transport/remote_files.h"

#include "engine/transport/write_file_atomic.sh.inc"
#include "engine/util/shell_quote.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

bool Contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

// A transport error already starts with the host's label; the file goes
// right after it.
Status WithFile(const Status& error, const std::string& label, const std::string& what) {
  std::string message = error.message();
  if (message.rfind(label + ": ", 0) == 0) message.erase(0, label.size() + 2);
  return Status::Error(label + ": " + what + ": " + message);
}

// Runs the read command; an empty optional means the file does not exist.
Result<std::optional<std::string>> ReadOrMissing(Transport& transport, const std::string& path,
                                                 std::chrono::milliseconds timeout) {
  std::string failure = transport.host_label() + ": " + path + " cannot be read: ";
  Result<ExecResult> run = transport.Exec(ReadFileCommand(path), "", timeout);
  if (!run.ok()) return WithFile(run.status(), transport.host_label(), path + " cannot be read");
  if (run->exit_status == 0) return std::optional<std::string>(std::move(run->stdout_text));
  const std::string& err = run->stderr_text;
  // A missing directory on the way reads the same: the file does not exist.
  if (Contains(err, "No such file or directory")) return std::optional<std::string>();
  if (Contains(err, "Permission denied")) return Status::Error(failure + "permission denied");
  if (Contains(err, "Is a directory")) return Status::Error(failure + "it is a directory");
  return Status::Error(failure + TrimTrailing(err) + " (exit status " +
                       std::to_string(run->exit_status) + ")");
}

}  // namespace

std::string ReadFileCommand(const std::string& path) {
  // LC_ALL=C keeps cat's messages in English for the parser above.
  return "LC_ALL=C cat -- " + ShellQuote(path);
}

std::string WriteFileAtomicCommand(const std::string& path, const FileAttributes& attrs) {
  return ScriptCommand(
      kWriteFileAtomicScript, "pgpair-write-file",
      {path, attrs.owner.value_or(""), attrs.group.value_or(""), attrs.mode.value_or("")});
}

Result<std::string> ReadRemoteFile(Transport& transport, const std::string& path,
                                   std::chrono::milliseconds timeout) {
  Result<std::optional<std::string>> content = ReadOrMissing(transport, path, timeout);
  if (!content.ok()) return content.status();
  if (!content->has_value()) {
    return Status::Error(transport.host_label() + ": " + path +
                         " cannot be read: it does not exist");
  }
  return std::move(**content);
}

Result<std::optional<std::string>> ReadRemoteFileIfExists(Transport& transport,
                                                          const std::string& path,
                                                          std::chrono::milliseconds timeout) {
  return ReadOrMissing(transport, path, timeout);
}

Status WriteRemoteFileAtomic(Transport& transport, const std::string& path,
                             const std::string& content, const FileAttributes& attrs,
                             std::chrono::milliseconds timeout) {
  Result<ExecResult> run = transport.Exec(WriteFileAtomicCommand(path, attrs), content, timeout);
  if (!run.ok()) {
    return WithFile(run.status(), transport.host_label(), path + " cannot be written");
  }
  if (run->exit_status != 0) {
    return Status::Error(transport.host_label() + ": " + path + " cannot be written: " +
                         TrimTrailing(run->stderr_text) + "; the file is unchanged");
  }
  return Status::Ok();
}

}  // namespace pgpair
