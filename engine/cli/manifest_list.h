#ifndef PGPAIR_ENGINE_CLI_MANIFEST_LIST_H_
#define PGPAIR_ENGINE_CLI_MANIFEST_LIST_H_

#include <string>
#include <vector>

#include "engine/util/status.h"

namespace pgpair {

struct ManifestList {
  std::vector<std::string> paths;  // in the command line's order, directories expanded
  bool had_directory = false;      // a directory was given
};

// The manifests of plan's and check's command line: a file is itself (an
// unreadable one too: loading it says why); a directory is its files named
// *.yaml or *.yml, sorted by name, not its subdirectories'. Fails on a
// directory that cannot be listed or holds no manifest, naming it.
Result<ManifestList> ExpandManifestArguments(const std::vector<std::string>& arguments);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_MANIFEST_LIST_H_
