#include "engine/util/atomic_file.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pgpair {
namespace {

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char dir[] = "/tmp/pgpair-atomic-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    path_ = dir;
  }
  ~TempDir() {
    for (const std::string& name : Names()) unlink((path_ + "/" + name).c_str());
    rmdir(path_.c_str());
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // Every entry but . and .., sorted.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    if (DIR* dir = opendir(path_.c_str())) {
      while (dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      closedir(dir);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  REQUIRE(lstat(path.c_str(), &info) == 0);
  return info.st_mode;
}

TEST_CASE("WriteFileAtomically creates the file and leaves nothing else", "[atomic_file]") {
  TempDir dir;
  REQUIRE(WriteFileAtomically(dir / "m.prom", "a 1\n").ok());
  CHECK(Read(dir / "m.prom") == "a 1\n");
  CHECK((ModeOf(dir / "m.prom") & 07777) == 0644);
  CHECK(dir.Names() == std::vector<std::string>{"m.prom"});
}

TEST_CASE("WriteFileAtomically replaces a file and keeps its mode", "[atomic_file]") {
  TempDir dir;
  std::ofstream(dir / "m.prom") << "old figures\n";
  REQUIRE(chmod((dir / "m.prom").c_str(), 0640) == 0);
  REQUIRE(WriteFileAtomically(dir / "m.prom", "new\n").ok());
  CHECK(Read(dir / "m.prom") == "new\n");
  CHECK((ModeOf(dir / "m.prom") & 07777) == 0640);
  CHECK(dir.Names() == std::vector<std::string>{"m.prom"});
}

// The old writer opened FILE.tmp with O_TRUNC and followed a symlink planted
// there: run as root, it overwrote whatever the link pointed at (issue 9).
TEST_CASE("a symlink planted at FILE.tmp is neither followed nor removed", "[atomic_file]") {
  TempDir dir;
  std::ofstream(dir / "victim") << "precious\n";
  REQUIRE(symlink((dir / "victim").c_str(), (dir / "m.prom.tmp").c_str()) == 0);
  REQUIRE(WriteFileAtomically(dir / "m.prom", "a 1\n").ok());
  CHECK(Read(dir / "victim") == "precious\n");
  CHECK(S_ISLNK(ModeOf(dir / "m.prom.tmp")));
  CHECK(Read(dir / "m.prom") == "a 1\n");
  CHECK(dir.Names() == std::vector<std::string>{"m.prom", "m.prom.tmp", "victim"});
}

TEST_CASE("a symlink at the file itself is replaced, its target untouched", "[atomic_file]") {
  TempDir dir;
  std::ofstream(dir / "victim") << "precious\n";
  REQUIRE(chmod((dir / "victim").c_str(), 0600) == 0);
  REQUIRE(symlink((dir / "victim").c_str(), (dir / "m.prom").c_str()) == 0);
  REQUIRE(WriteFileAtomically(dir / "m.prom", "a 1\n").ok());
  CHECK(Read(dir / "victim") == "precious\n");
  CHECK(S_ISREG(ModeOf(dir / "m.prom")));
  // The link's target's mode is not taken over: only a regular file's is.
  CHECK((ModeOf(dir / "m.prom") & 07777) == 0644);
}

TEST_CASE("WriteFileAtomically names the file when it cannot write", "[atomic_file]") {
  TempDir dir;
  Status missing = WriteFileAtomically(dir / "no-such-dir/m.prom", "a 1\n");
  CHECK(missing.message() == "cannot write " + (dir / "no-such-dir/m.prom") + ": " +
                                 (dir / "no-such-dir") + ": No such file or directory");
  // A directory where the file should be: the rename fails, and the
  // temporary is removed.
  REQUIRE(mkdir((dir / "m.prom").c_str(), 0700) == 0);
  Status over_dir = WriteFileAtomically(dir / "m.prom", "a 1\n");
  REQUIRE_FALSE(over_dir.ok());
  CHECK_THAT(over_dir.message(), Catch::Contains("cannot rename it to m.prom: Is a directory"));
  CHECK(dir.Names() == std::vector<std::string>{"m.prom"});
  rmdir((dir / "m.prom").c_str());
}

}  // namespace
}  // namespace pgpair
