// engine/util/host_functions.sh, the shell functions that the facts script
// and the clone and rewind scripts share, run by the local /bin/sh.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "engine/util/shell_quote.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ReadFile;
using testing::ScratchDir;

const std::string kFunctions = ReadFile(PGPAIR_SOURCE_DIR "/engine/util/host_functions.sh");

// What mount_point_of sets for `dir`, in brackets; the shell command runs
// first (in the same shell).
std::string MountPointOf(ScratchDir& scratch, const std::string& dir,
                         const std::string& before = "") {
  LocalShellTransport shell(scratch.path());
  Result<ExecResult> run = shell.Exec(kFunctions + "\n" + before + "\nmount_point_of " +
                                          ShellQuote(dir) + "\nprintf '[%s]' \"$mount_point\"\n",
                                      "", {});
  REQUIRE(run.ok());
  INFO(run->stderr_text);
  REQUIRE(run->exit_status == 0);
  return run->stdout_text;
}

TEST_CASE("mount_point_of tells a mount point from a directory, and says nothing when it cannot",
          "[host_functions]") {
  REQUIRE_FALSE(kFunctions.empty());
  ScratchDir scratch("host-functions");
  CHECK(MountPointOf(scratch, "/") == "[yes]");
  CHECK(MountPointOf(scratch, "/proc") == "[yes]");
  const std::string plain = scratch.path() + "/data dir";
  REQUIRE(mkdir(plain.c_str(), 0700) == 0);
  CHECK(MountPointOf(scratch, plain) == "[no]");
  CHECK(MountPointOf(scratch, scratch.path() + "/missing") == "[]");
  const std::string link = scratch.path() + "/link";
  REQUIRE(symlink(plain.c_str(), link.c_str()) == 0);
  CHECK(MountPointOf(scratch, link) == "[]");
}

TEST_CASE("mount_point_of decodes the kernel's octal escapes: blanks and backslashes in a path",
          "[host_functions]") {
  if (!testing::AsRoot("a bind mount in a mount namespace of its own")) return;
  ScratchDir scratch("host-functions");
  // /proc/self/mountinfo writes these as \040, \011 and \134.
  const std::string odd = scratch.path() + "/data dir\twith \\ odd";
  REQUIRE(mkdir(odd.c_str(), 0700) == 0);
  const std::string sibling = scratch.path() + "/data dir";
  REQUIRE(mkdir(sibling.c_str(), 0700) == 0);
  // The bind mount lives in a mount namespace made for the one shell.
  LocalShellTransport shell(scratch.path());
  Result<ExecResult> run =
      shell.Exec("exec unshare -m --propagation private /bin/sh -c " +
                     ShellQuote("mount --bind \"$1\" \"$1\" || exit 9\n" + kFunctions +
                                "\nmount_point_of \"$1\"; printf '[%s]' \"$mount_point\"\n"
                                "mount_point_of \"$2\"; printf '[%s]' \"$mount_point\"\n") +
                     " host-functions " + ShellQuote(odd) + " " + ShellQuote(sibling),
                 "", {});
  REQUIRE(run.ok());
  INFO(run->stderr_text);
  REQUIRE(run->exit_status == 0);
  CHECK(run->stdout_text == "[yes][no]");
}

}  // namespace
}  // namespace pgpair
