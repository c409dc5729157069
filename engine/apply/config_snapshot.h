#ifndef PGPAIR_ENGINE_APPLY_CONFIG_SNAPSHOT_H_
#define PGPAIR_ENGINE_APPLY_CONFIG_SNAPSHOT_H_

#include <chrono>
#include <string>
#include <vector>

#include "engine/transport/transport.h"
#include "engine/util/status.h"

namespace pgpair {

// The last configuration a server was seen to run with, kept on its host so
// that a start it refuses can be undone: each file's copy lives under
// kLastGoodDir (engine/util/host_state.h) at the file's absolute path, with
// the file's owner, group and mode; a file that did not exist is recorded as
// absent. Nothing here knows which files: callers name them (settings files,
// pg_hba.conf, recovery files alike).

enum class SnapshotMode {
  kReplace,       // the files are proven (the server runs with them): copy them all
  kKeepExisting,  // not proven (a restart is pending): copy only files without a copy
};

// Copies `files` as `mode` says, in one Exec. An error names the host and
// the file; the existing copies are then unchanged.
Status SaveLastGood(Transport& transport, const std::vector<std::string>& files, SnapshotMode mode,
                    std::chrono::milliseconds timeout);

// What a restore did to one file.
struct RestoredFile {
  std::string file;
  std::string aside;     // where the version it replaced went; empty if there was none
  bool removed = false;  // the file did not exist in the snapshot: moved to `aside`
};

// Puts the copies of `files` back, atomically and with their owner and mode,
// in one Exec. Each replaced version is kept under kRefusedFilesDir/TIMESTAMP
// at its absolute path, never deleted. A file without a copy, or identical to
// it, is left alone and not listed. Returns the files it changed.
Result<std::vector<RestoredFile>> RestoreLastGood(Transport& transport,
                                                  const std::vector<std::string>& files,
                                                  const std::string& timestamp,
                                                  std::chrono::milliseconds timeout);

// The command the functions above run: engine/apply/config_snapshot.sh with
// these values as its arguments. `action` is "save", "keep" or "restore";
// copies live in `copies_dir`, and a restore moves replaced versions to
// `aside_dir`. Exposed for tests.
std::string ConfigSnapshotCommand(const std::string& action, const std::vector<std::string>& files,
                                  const std::string& copies_dir, const std::string& aside_dir);

// Parses the restore script's output ("restored\tFILE\tASIDE" lines).
std::vector<RestoredFile> ParseRestoreOutput(const std::string& output);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_CONFIG_SNAPSHOT_H_
