#ifndef PGPAIR_ENGINE_MANIFEST_PATH_EXPAND_H_
#define PGPAIR_ENGINE_MANIFEST_PATH_EXPAND_H_

#include <string>

#include "engine/util/status.h"

namespace pgpair {

// The home directory of the user running pgpair: $HOME, or the password
// database's entry when HOME is unset or empty.
Result<std::string> HomeDirectory();

// Resolves a path on the machine running pgpair, as written in a manifest:
// "~" and "~/x" start at HomeDirectory(); a relative path starts at
// `base_dir` (the manifest's directory, absolute); an absolute path is kept.
// The result is lexically normalized ("a/./b" -> "a/b"). "~user" is refused:
// whose home it means depends on the machine, so the manifest should say.
Result<std::string> ExpandLocalPath(const std::string& path, const std::string& base_dir);

// The absolute directory holding the manifest `manifest_path` (relative paths
// are taken from the current directory).
std::string ManifestDirectory(const std::string& manifest_path);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_MANIFEST_PATH_EXPAND_H_
