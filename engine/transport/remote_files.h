#ifndef PGPAIR_ENGINE_TRANSPORT_REMOTE_FILES_H_
#define PGPAIR_ENGINE_TRANSPORT_REMOTE_FILES_H_

#include <chrono>
#include <optional>
#include <string>

#include "engine/transport/transport.h"
#include "engine/util/status.h"

namespace pgpair {

// How long one remote file operation may take by default.
inline constexpr std::chrono::milliseconds kRemoteFileTimeout{60'000};

// Owner, group and mode for a written file; what is unset is kept from the
// file being replaced.
struct FileAttributes {
  std::optional<std::string> owner;  // user name or uid
  std::optional<std::string> group;  // group name or gid
  std::optional<std::string> mode;   // octal, e.g. "0640"
};

// The content of `path` on the transport's host, in one Exec. Errors name
// the host and the file and tell a missing file ("does not exist") from one
// that cannot be read ("permission denied").
Result<std::string> ReadRemoteFile(Transport& transport, const std::string& path,
                                   std::chrono::milliseconds timeout = kRemoteFileTimeout);

// Like ReadRemoteFile, but a missing file is no error: the result is empty.
Result<std::optional<std::string>> ReadRemoteFileIfExists(
    Transport& transport, const std::string& path,
    std::chrono::milliseconds timeout = kRemoteFileTimeout);

// Replaces `path` with `content` atomically, in one Exec of
// engine/transport/write_file_atomic.sh: the content goes through stdin
// (never argv, so secrets stay out of process lists and logs) into a
// temporary file beside the target, which gets the existing file's owner,
// group and mode, then `attrs`; it is synced, renamed over the target, and
// the directory is synced. On any failure the temporary is
// removed and the target is untouched. A symlink at `path` is followed: the
// file it points to is replaced. A new file without `attrs` is created with
// mode 0600, owned by the user commands run as.
Status WriteRemoteFileAtomic(Transport& transport, const std::string& path,
                             const std::string& content, const FileAttributes& attrs,
                             std::chrono::milliseconds timeout = kRemoteFileTimeout);

// The commands the functions above run, exposed for tests: a one-line cat,
// and the write script with `path` and `attrs` as its arguments (an unset
// attribute is an empty one).
std::string ReadFileCommand(const std::string& path);
std::string WriteFileAtomicCommand(const std::string& path, const FileAttributes& attrs);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_REMOTE_FILES_H_
