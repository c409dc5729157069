#include "engine/cli/manifest_list.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace pgpair {
namespace {

namespace fs = std::filesystem;

bool IsManifestName(const fs::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml";
}

}  // namespace

Result<ManifestList> ExpandManifestArguments(const std::vector<std::string>& arguments) {
  ManifestList list;
  for (const std::string& argument : arguments) {
    std::error_code error;
    if (!fs::is_directory(argument, error)) {
      list.paths.push_back(argument);
      continue;
    }
    list.had_directory = true;
    std::vector<std::string> found;
    fs::directory_iterator entries(argument, error);
    for (; !error && entries != fs::directory_iterator(); entries.increment(error)) {
      const fs::directory_entry& entry = *entries;
      std::error_code kind_error;
      // A link to a manifest counts (a directory of links is a common way
      // to choose pairs); a directory named x.yaml does not.
      if (IsManifestName(entry.path()) && !entry.is_directory(kind_error)) {
        found.push_back(entry.path().string());
      }
    }
    if (error) {
      return Status::Error(argument +
                           ": cannot list the directory of manifests: " + error.message());
    }
    if (found.empty()) {
      return Status::Error(argument +
                           ": no manifest in the directory (pgpair reads its *.yaml and *.yml "
                           "files, not its subdirectories)");
    }
    std::sort(found.begin(), found.end());
    list.paths.insert(list.paths.end(), found.begin(), found.end());
  }
  return list;
}

}  // namespace pgpair
