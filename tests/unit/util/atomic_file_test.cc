#include "engine/util/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ReadFile;
using testing::ScratchDir;

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  REQUIRE(lstat(path.c_str(), &info) == 0);
  return info.st_mode;
}

TEST_CASE("WriteFileAtomically creates the file and leaves nothing else", "[atomic_file]") {
  ScratchDir dir("atomic");
  REQUIRE(WriteFileAtomically(dir / "m.prom", "a 1\n").ok());
  CHECK(ReadFile(dir / "m.prom") == "a 1\n");
  CHECK((ModeOf(dir / "m.prom") & 07777) == 0644);
  CHECK(dir.Entries() == std::vector<std::string>{"m.prom"});
}

TEST_CASE("WriteFileAtomically replaces a file and keeps its mode", "[atomic_file]") {
  ScratchDir dir("atomic");
  std::ofstream(dir / "m.prom") << "old figures\n";
  REQUIRE(chmod((dir / "m.prom").c_str(), 0640) == 0);
  REQUIRE(WriteFileAtomically(dir / "m.prom", "new\n").ok());
  CHECK(ReadFile(dir / "m.prom") == "new\n");
  CHECK((ModeOf(dir / "m.prom") & 07777) == 0640);
  CHECK(dir.Entries() == std::vector<std::string>{"m.prom"});
}

// The old writer opened FILE.tmp with O_TRUNC and followed a symlink planted
// there: run as root, it overwrote whatever the link pointed at (issue 9).
TEST_CASE("a symlink planted at FILE.tmp is neither followed nor removed", "[atomic_file]") {
  ScratchDir dir("atomic");
  std::ofstream(dir / "victim") << "precious\n";
  REQUIRE(symlink((dir / "victim").c_str(), (dir / "m.prom.tmp").c_str()) == 0);
  REQUIRE(WriteFileAtomically(dir / "m.prom", "a 1\n").ok());
  CHECK(ReadFile(dir / "victim") == "precious\n");
  CHECK(S_ISLNK(ModeOf(dir / "m.prom.tmp")));
  CHECK(ReadFile(dir / "m.prom") == "a 1\n");
  CHECK(dir.Entries() == std::vector<std::string>{"m.prom", "m.prom.tmp", "victim"});
}

TEST_CASE("a symlink at the file itself is replaced, its target untouched", "[atomic_file]") {
  ScratchDir dir("atomic");
  std::ofstream(dir / "victim") << "precious\n";
  REQUIRE(chmod((dir / "victim").c_str(), 0600) == 0);
  REQUIRE(symlink((dir / "victim").c_str(), (dir / "m.prom").c_str()) == 0);
  REQUIRE(WriteFileAtomically(dir / "m.prom", "a 1\n").ok());
  CHECK(ReadFile(dir / "victim") == "precious\n");
  CHECK(S_ISREG(ModeOf(dir / "m.prom")));
  // The link's target's mode is not taken over: only a regular file's is.
  CHECK((ModeOf(dir / "m.prom") & 07777) == 0644);
}

TEST_CASE("WriteFileAtomically names the file when it cannot write", "[atomic_file]") {
  ScratchDir dir("atomic");
  Status missing = WriteFileAtomically(dir / "no-such-dir/m.prom", "a 1\n");
  CHECK(missing.message() == "cannot write " + (dir / "no-such-dir/m.prom") + ": " +
                                 (dir / "no-such-dir") + ": No such file or directory");
  // A directory where the file should be: the rename fails, and the
  // temporary is removed.
  REQUIRE(mkdir((dir / "m.prom").c_str(), 0700) == 0);
  Status over_dir = WriteFileAtomically(dir / "m.prom", "a 1\n");
  REQUIRE_FALSE(over_dir.ok());
  CHECK_THAT(over_dir.message(), Catch::Contains("cannot rename it to m.prom: Is a directory"));
  CHECK(dir.Entries() == std::vector<std::string>{"m.prom"});
  rmdir((dir / "m.prom").c_str());
}

}  // namespace
}  // namespace pgpair
