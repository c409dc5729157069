#ifndef PGPAIR_RESOURCES_ARCHIVE_DIR_H_
#define PGPAIR_RESOURCES_ARCHIVE_DIR_H_

#include <optional>
#include <string>

#include "engine/plan/resource.h"

namespace pgpair {

// The WAL archive directory on the primary (manifest `archive`, when set):
// a directory owned by archive.owner with mode archive.mode, which the
// server's operating-system user can write to. Address
// "archive_dir[<primary>:<dir>]"; impact none. A file where the directory
// should be is a blocker: pgpair does not replace it.
const Resource& ArchiveDirResource();

// What an archive_dir change makes on the host.
struct ArchiveDirDetails {
  std::string dir;
  std::string owner;
  int mode = 0;
  std::string os_user;            // the server's user, who must be able to write there
  nlohmann::json ToJson() const;  // {"dir", "owner", "mode": "0750", "os_user"}
};

// The one command apply runs: resources/archive_dir.sh with the values as its
// arguments (ScriptCommand): mkdir -p, chown OWNER:, chmod, then a check
// that `os_user` can write to and enter the directory; when it cannot, the
// command exits 3 and says on stderr which directory on the way stops it
// ("blocked-by: root:root 700 /var/backups") or that the directory itself
// is not writable ("not-writable: ...").
std::string ArchiveDirCommand(const std::string& dir, const std::string& owner, int mode,
                              const std::string& os_user);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_ARCHIVE_DIR_H_
