#ifndef PGPAIR_TESTS_UNIT_SCRATCH_DIR_H_
#define PGPAIR_TESTS_UNIT_SCRATCH_DIR_H_

// A directory of a unit test's own under /tmp, removed with everything in
// it when the test ends; and the file reads and writes tests do in it.
// Unit tests touch only such directories, never a host.

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace pgpair::testing {

// The whole content of `path`, "" when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `text` to `path` and gives it `mode`.
inline void WriteFile(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary) << text;
  REQUIRE(chmod(path.c_str(), mode) == 0);
}

// Whether the test runs as root, as scripts/test runs it. When it does not,
// says what `needs` root; the test then returns, passing with the warning.
inline bool AsRoot(const std::string& needs) {
  if (geteuid() == 0) return true;
  WARN("needs root (" << needs << "); scripts/test runs as root");
  return false;
}

class ScratchDir {
 public:
  // `tag` names what the directory is for: /tmp/pgpair-TAG-XXXXXX.
  explicit ScratchDir(const std::string& tag = "test") {
    std::string pattern = "/tmp/pgpair-" + tag + "-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  // Writes `text` to NAME (its directories made first) with `mode`; its path.
  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) const {
    const std::string path = *this / name;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    WriteFile(path, text, mode);
    return path;
  }
  std::string Read(const std::string& name) const { return ReadFile(*this / name); }

  // The names directly in it, hidden ones included, sorted.
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_SCRATCH_DIR_H_
