#include "engine/manifest/path_expand.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace pgpair {

namespace fs = std::filesystem;

Result<std::string> HomeDirectory() {
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return std::string(home);
  // getpwuid_r, not getpwuid: the engine may read manifests from threads.
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
      found->pw_dir != nullptr && found->pw_dir[0] != '\0') {
    return std::string(found->pw_dir);
  }
  return Status::Error("cannot tell the home directory for \"~\": HOME is not set and user " +
                       std::to_string(getuid()) + " has no home in the password database");
}

Result<std::string> ExpandLocalPath(const std::string& path, const std::string& base_dir) {
  if (path.empty()) return Status::Error("the path is empty");
  fs::path result;
  if (path[0] == '~') {
    if (path.size() > 1 && path[1] != '/') {
      return Status::Error("\"" + path.substr(0, path.find('/')) +
                           "\" is not supported; write the full path or start with \"~/\"");
    }
    Result<std::string> home = HomeDirectory();
    if (!home.ok()) return home.status();
    result = fs::path(*home);
    if (path.size() > 2) result /= path.substr(2);
  } else if (path[0] == '/') {
    result = path;
  } else {
    result = fs::path(base_dir) / path;
  }
  std::string normal = result.lexically_normal().string();
  // lexically_normal keeps a trailing separator ("dir/" -> "dir/"); a file
  // path never needs one.
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

std::string ManifestDirectory(const std::string& manifest_path) {
  std::error_code ignored;
  fs::path absolute = fs::absolute(fs::path(manifest_path), ignored);
  if (absolute.empty()) absolute = fs::path(manifest_path);
  return absolute.lexically_normal().parent_path().string();
}

}  // namespace pgpair
