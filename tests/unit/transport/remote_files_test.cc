#include "engine/transport/remote_files.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "engine/transport/write_file_atomic.sh.inc"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/fakes/script_call.h"
#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ScratchDir;

const std::string kSecret = "password = 's3cr3t$(reboot)'\n";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

struct stat Stat(const std::string& path) {
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  return info;
}

TEST_CASE("ReadRemoteFile runs one quoted cat and returns stdout as is", "[remote_files]") {
  FakeTransport host;
  host.OnCommand("cat --", FakeTransport::Stdout("local all all peer\n"));
  Result<std::string> content = ReadRemoteFile(host, "/etc/postgresql/15/main/pg hba.conf");
  REQUIRE(content.ok());
  CHECK(*content == "local all all peer\n");
  REQUIRE(host.exec_count() == 1);
  // The path reaches the shell as one quoted word.
  CHECK(host.calls()[0].command == "LC_ALL=C cat -- '/etc/postgresql/15/main/pg hba.conf'");
  CHECK(host.calls()[0].stdin_data.empty());
}

TEST_CASE("ReadRemoteFile tells a missing file from a forbidden one", "[remote_files]") {
  const std::string path = "/etc/postgresql/15/main/pg_hba.conf";
  const ExecResult no_such_file =
      FakeTransport::Exit(1, "cat: " + path + ": No such file or directory\n");
  SECTION("missing") {
    FakeTransport host;
    host.Then(no_such_file);
    Result<std::string> content = ReadRemoteFile(host, path);
    REQUIRE_FALSE(content.ok());
    CHECK(content.status().message() ==
          "pg1 (198.18.0.11): /etc/postgresql/15/main/pg_hba.conf cannot be read: it does not "
          "exist");
  }
  SECTION("missing is no error for ReadRemoteFileIfExists") {
    FakeTransport host;
    host.Then(no_such_file);
    Result<std::optional<std::string>> content = ReadRemoteFileIfExists(host, path);
    REQUIRE(content.ok());
    CHECK_FALSE(content->has_value());
  }
  SECTION("permission denied") {
    FakeTransport host;
    host.Then(FakeTransport::Exit(1, "cat: " + path + ": Permission denied\n"));
    Result<std::string> content = ReadRemoteFile(host, path);
    REQUIRE_FALSE(content.ok());
    CHECK(content.status().message() ==
          "pg1 (198.18.0.11): /etc/postgresql/15/main/pg_hba.conf cannot be read: permission "
          "denied");
  }
  SECTION("a transport failure gets the file named after the host") {
    FakeTransport host;
    host.Then(Status::Error("pg1 (198.18.0.11): connection lost"));
    CHECK(ReadRemoteFile(host, path).status().message() ==
          "pg1 (198.18.0.11): /etc/postgresql/15/main/pg_hba.conf cannot be read: connection "
          "lost");
  }
}

TEST_CASE("WriteRemoteFileAtomic sends the content through stdin only", "[remote_files]") {
  FakeTransport host;
  host.Then(FakeTransport::Stdout(""));
  FileAttributes attrs{"postgres", "postgres", "0640"};
  REQUIRE(WriteRemoteFileAtomic(host, "/etc/postgresql/15/main/conf.d/pgpair.conf", kSecret, attrs)
              .ok());
  REQUIRE(host.exec_count() == 1);
  const FakeTransport::Call& call = host.calls()[0];
  CHECK(call.stdin_data == kSecret);
  // No piece of the secret may reach argv.
  CHECK_THAT(call.command, !Catch::Contains("s3cr3t"));
  // The write script, with the path and the attributes as its arguments.
  std::optional<ScriptCall> script = ParseScriptCommand(call.command);
  REQUIRE(script.has_value());
  CHECK(script->script == kWriteFileAtomicScript);
  CHECK(script->name == "pgpair-write-file");
  CHECK(script->args == std::vector<std::string>{"/etc/postgresql/15/main/conf.d/pgpair.conf",
                                                 "postgres", "postgres", "0640"});
  // Unset attributes are empty arguments: the file's own are kept.
  host.Then(FakeTransport::Stdout(""));
  REQUIRE(WriteRemoteFileAtomic(host, "/etc/x.conf", "x", {}).ok());
  CHECK(ScriptArgs(host.calls()[1].command, "pgpair-write-file") ==
        std::vector<std::string>{"/etc/x.conf", "", "", ""});
}

TEST_CASE("WriteRemoteFileAtomic reports the script's failure", "[remote_files]") {
  FakeTransport host;
  host.Then(FakeTransport::Exit(1, "chown: invalid user: 'nobody2'\n"));
  FileAttributes attrs;
  attrs.owner = "nobody2";
  Status status = WriteRemoteFileAtomic(host, "/etc/x.conf", "x", attrs);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message() ==
        "pg1 (198.18.0.11): /etc/x.conf cannot be written: chown: invalid user: 'nobody2'; the "
        "file is unchanged");
}

TEST_CASE("The remote file scripts work in a real shell", "[remote_files]") {
  ScratchDir dir("remote-files");
  LocalShellTransport shell(dir.path());
  const std::string target = dir.path() + "/it's a file.conf";

  SECTION("a new file gets the content, mode 0600 and no leftovers") {
    REQUIRE(WriteRemoteFileAtomic(shell, target, kSecret, {}).ok());
    CHECK(ReadFile(target) == kSecret);
    CHECK((Stat(target).st_mode & 0777) == 0600);
    CHECK(dir.Entries() == std::vector<std::string>{"it's a file.conf"});
    CHECK(ReadRemoteFile(shell, target).value() == kSecret);
  }
  SECTION("an existing file keeps its owner, group and mode") {
    std::ofstream(target) << "old\n";
    REQUIRE(chmod(target.c_str(), 0644) == 0);
    REQUIRE(chown(target.c_str(), 65534, 65534) == 0);  // nobody:nogroup
    REQUIRE(WriteRemoteFileAtomic(shell, target, "new\n", {}).ok());
    CHECK(ReadFile(target) == "new\n");
    struct stat info = Stat(target);
    CHECK((info.st_mode & 0777) == 0644);
    CHECK(info.st_uid == 65534);
    CHECK(info.st_gid == 65534);
  }
  SECTION("attributes given override the existing ones") {
    std::ofstream(target) << "old\n";
    REQUIRE(chmod(target.c_str(), 0644) == 0);
    REQUIRE(
        WriteRemoteFileAtomic(shell, target, "new\n", FileAttributes{"65534", {}, "0640"}).ok());
    struct stat info = Stat(target);
    CHECK((info.st_mode & 0777) == 0640);
    CHECK(info.st_uid == 65534);
  }
  SECTION("a failure leaves the target and the directory as they were") {
    std::ofstream(target) << "old\n";
    FileAttributes attrs;
    attrs.owner = "no-such-user-pgpair";
    Status status = WriteRemoteFileAtomic(shell, target, "new\n", attrs);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::Contains("no-such-user-pgpair"));
    CHECK(ReadFile(target) == "old\n");
    CHECK(dir.Entries() == std::vector<std::string>{"it's a file.conf"});
  }
  SECTION("a missing directory is said plainly") {
    Status status = WriteRemoteFileAtomic(shell, dir.path() + "/no/such/dir/x.conf", "x", {});
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::Contains("its directory does not exist"));
  }
  SECTION("a symlink is followed, not replaced") {
    std::ofstream(target) << "old\n";
    const std::string link = dir.path() + "/link.conf";
    REQUIRE(symlink(target.c_str(), link.c_str()) == 0);
    REQUIRE(WriteRemoteFileAtomic(shell, link, "new\n", {}).ok());
    struct stat info {};
    REQUIRE(lstat(link.c_str(), &info) == 0);
    CHECK(S_ISLNK(info.st_mode));
    CHECK(ReadFile(target) == "new\n");
  }
  SECTION("reading a missing file and a directory") {
    CHECK_FALSE(ReadRemoteFileIfExists(shell, dir.path() + "/missing").value().has_value());
    CHECK_THAT(ReadRemoteFile(shell, dir.path()).status().message(),
               Catch::Contains("it is a directory"));
  }
}

}  // namespace
}  // namespace pgpair
