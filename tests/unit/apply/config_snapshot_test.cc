#include "engine/apply/config_snapshot.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/fakes/script_call.h"

namespace pgpair {
namespace {

struct Scratch {
  std::string path;
  Scratch() {
    char pattern[] = "/tmp/pgpair-snapshot-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    path = pattern;
    REQUIRE(std::system(("mkdir -p '" + path + "/etc/conf.d' '" + path + "/run'").c_str()) == 0);
  }
  ~Scratch() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string Write(const std::string& name, const std::string& text, mode_t mode) const {
    std::string file = path + "/" + name;
    std::ofstream(file, std::ios::binary) << text;
    chmod(file.c_str(), mode);
    return file;
  }
  static std::string Read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static bool Exists(const std::string& file) { return access(file.c_str(), F_OK) == 0; }
  static mode_t Mode(const std::string& file) {
    struct stat info {};
    REQUIRE(stat(file.c_str(), &info) == 0);
    return info.st_mode & 07777;
  }
};

// Runs the snapshot script locally, with the copies and the refused versions
// in the scratch directory instead of /var/lib/pgpair.
ExecResult Run(const Scratch& s, const std::string& action, const std::vector<std::string>& files) {
  LocalShellTransport shell(s.path + "/run");
  Result<ExecResult> run =
      shell.Exec(ConfigSnapshotCommand(action, files, s.path + "/copies", s.path + "/aside"), "",
                 std::chrono::seconds(10));
  REQUIRE(run.ok());
  INFO(run->stdout_text << run->stderr_text);
  REQUIRE(run->exit_status == 0);
  return *run;
}

TEST_CASE("The snapshot script keeps copies and puts them back", "[config_snapshot]") {
  Scratch s;
  std::string conf = s.Write("etc/postgresql.conf", "shared_buffers = 128MB\n", 0644);
  std::string secret = s.Write("etc/postgresql.auto.conf", "primary_conninfo = 'x'\n", 0600);
  std::string later = s.path + "/etc/conf.d/new.conf";  // does not exist yet
  std::vector<std::string> files = {conf, secret, later};

  ExecResult saved = Run(s, "save", files);
  CHECK(saved.stdout_text == "saved\t" + conf + "\nsaved\t" + secret + "\nabsent\t" + later + "\n");
  // Copies keep the mode: the one with a password stays 0600.
  CHECK(Scratch::Read(s.path + "/copies" + conf) == "shared_buffers = 128MB\n");
  CHECK(Scratch::Mode(s.path + "/copies" + secret) == 0600);
  CHECK(Scratch::Mode(s.path + "/copies") == 0700);

  // Apply edits two files and creates the third; the server refuses them.
  s.Write("etc/postgresql.conf", "shared_buffers = 4TB\n", 0644);
  s.Write("etc/conf.d/new.conf", "huge_pages = on\n", 0640);
  ExecResult restored = Run(s, "restore", files);
  std::vector<RestoredFile> what = ParseRestoreOutput(restored.stdout_text);
  REQUIRE(what.size() == 2);
  CHECK(what[0].file == conf);
  CHECK(what[0].aside == s.path + "/aside" + conf);
  CHECK_FALSE(what[0].removed);
  CHECK(what[1].file == later);
  CHECK(what[1].removed);
  // The previous content and mode are back; the refused versions are kept.
  CHECK(Scratch::Read(conf) == "shared_buffers = 128MB\n");
  CHECK(Scratch::Mode(conf) == 0644);
  CHECK(Scratch::Read(s.path + "/aside" + conf) == "shared_buffers = 4TB\n");
  CHECK_FALSE(Scratch::Exists(later));
  CHECK(Scratch::Read(s.path + "/aside" + later) == "huge_pages = on\n");
  // The untouched file is left alone ("same"), and no temporary is left.
  CHECK(restored.stdout_text.find("same\t" + secret) != std::string::npos);
  CHECK(Scratch::Read(secret) == "primary_conninfo = 'x'\n");
  CHECK(std::system(("test -z \"$(find '" + s.path + "' -name '*.pgpair-*')\"").c_str()) == 0);
}

TEST_CASE("keep leaves existing copies alone, save replaces them", "[config_snapshot]") {
  Scratch s;
  std::string conf = s.Write("etc/postgresql.conf", "port = 5432\n", 0644);
  Run(s, "save", {conf});
  s.Write("etc/postgresql.conf", "port = 5433\n", 0644);
  // A pending restart: the files are not proven, the older copy stays.
  CHECK(Run(s, "keep", {conf}).stdout_text == "kept\t" + conf + "\n");
  CHECK(Scratch::Read(s.path + "/copies" + conf) == "port = 5432\n");
  // A file without a copy is still saved by keep.
  std::string hba = s.Write("etc/pg_hba.conf", "local all all peer\n", 0640);
  CHECK(Run(s, "keep", {hba}).stdout_text == "saved\t" + hba + "\n");
  // The server ran with the new files: they replace the copy.
  Run(s, "save", {conf});
  CHECK(Scratch::Read(s.path + "/copies" + conf) == "port = 5433\n");
  // Nothing to restore when the files are the copies; none without a copy.
  std::string other = s.Write("etc/other.conf", "x = 1\n", 0644);
  CHECK(ParseRestoreOutput(Run(s, "restore", {conf, other}).stdout_text).empty());
}

TEST_CASE("A symlinked file is restored where it points", "[config_snapshot]") {
  Scratch s;
  std::string real = s.Write("etc/real.conf", "a = 1\n", 0644);
  std::string link = s.path + "/etc/link.conf";
  REQUIRE(symlink(real.c_str(), link.c_str()) == 0);
  Run(s, "save", {link});
  s.Write("etc/real.conf", "a = 2\n", 0644);
  REQUIRE(ParseRestoreOutput(Run(s, "restore", {link}).stdout_text).size() == 1);
  char target[4096] = {};
  REQUIRE(readlink(link.c_str(), target, sizeof(target) - 1) > 0);
  CHECK(std::string(target) == real);
  CHECK(Scratch::Read(real) == "a = 1\n");
}

TEST_CASE("SaveLastGood and RestoreLastGood over a transport", "[config_snapshot]") {
  SECTION("no files: no command") {
    FakeTransport host;
    CHECK(SaveLastGood(host, {}, SnapshotMode::kReplace, std::chrono::seconds(5)).ok());
    CHECK(host.exec_count() == 0);
  }
  SECTION("files reach the script quoted, copies under /var/lib/pgpair") {
    FakeTransport host;
    host.Then(FakeTransport::Stdout("saved\t/etc/my conf\n"));
    REQUIRE(
        SaveLastGood(host, {"/etc/my conf"}, SnapshotMode::kKeepExisting, std::chrono::seconds(5))
            .ok());
    std::optional<std::vector<std::string>> args =
        ScriptArgs(host.calls()[0].command, "pgpair-config-snapshot");
    REQUIRE(args.has_value());
    CHECK(*args ==
          std::vector<std::string>{"keep", "/var/lib/pgpair/last-good", "", "/etc/my conf"});
  }
  SECTION("a failure names the host and what the script said") {
    FakeTransport host;
    host.Then(FakeTransport::Exit(1, "cannot copy /etc/a to /var/lib/pgpair/last-good/etc/a\n"));
    Status saved = SaveLastGood(host, {"/etc/a"}, SnapshotMode::kReplace, std::chrono::seconds(5));
    CHECK(saved.message() ==
          "pg1 (198.18.0.11): the last working configuration cannot be kept in "
          "/var/lib/pgpair/last-good: cannot copy /etc/a to /var/lib/pgpair/last-good/etc/a");
  }
  SECTION("a restore puts refused versions under the timestamp") {
    FakeTransport host;
    host.Then(FakeTransport::Stdout(
        "restored\t/etc/a\t/var/lib/pgpair/refused/20261201T113442Z/etc/a\nsame\t/etc/b\n"));
    Result<std::vector<RestoredFile>> restored =
        RestoreLastGood(host, {"/etc/a", "/etc/b"}, "20261201T113442Z", std::chrono::seconds(5));
    REQUIRE(restored.ok());
    REQUIRE(restored->size() == 1);
    CHECK((*restored)[0].aside == "/var/lib/pgpair/refused/20261201T113442Z/etc/a");
    CHECK(ScriptArgs(host.calls()[0].command, "pgpair-config-snapshot") ==
          std::vector<std::string>{"restore", "/var/lib/pgpair/last-good",
                                   "/var/lib/pgpair/refused/20261201T113442Z", "/etc/a", "/etc/b"});
  }
}

}  // namespace
}  // namespace pgpair
