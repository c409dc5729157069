#include "engine/apply/standby_setup.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/unit/fakes/local_shell.h"

namespace pgpair {
namespace {

const char kTimestamp[] = "20261126T061500Z";
const char kConninfo[] =
    "host=198.18.0.11 port=5432 user=replicator password='it''s' "
    "application_name=pg2";

// A data directory in a scratch directory, and the standby steps run on it
// by the local shell, as sshd would run them on the host. The files go to
// the user running the tests (root under scripts/test), as they would go to
// postgres.
struct LocalStandby {
  std::string scratch;
  std::string data;
  HostSpec host;

  LocalStandby() {
    char pattern[] = "/tmp/pgpair-standby-setup-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    scratch = pattern;
    data = scratch + "/data dir";
    REQUIRE(mkdir(data.c_str(), 0700) == 0);
    host.name = "pg2";
    const passwd* me = getpwuid(geteuid());
    REQUIRE(me != nullptr);
    host.postgres.os_user = me->pw_name;
  }
  ~LocalStandby() { std::system(("rm -rf '" + scratch + "'").c_str()); }

  Status Write(int major) {
    LocalShellTransport shell(scratch);
    return WriteStandbyConfig(shell, host, major, data, data + "/postgresql.auto.conf", kConninfo,
                              kTimestamp);
  }
  std::string Path(const std::string& name) const { return data + "/" + name; }
  static bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static mode_t Mode(const std::string& path) {
    struct stat info {};
    REQUIRE(stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
  }
};

TEST_CASE("A 12+ copy gets standby.signal, primary_conninfo, and recovery.conf moved aside",
          "[standby_setup]") {
  LocalStandby s;
  std::ofstream(s.Path("recovery.conf")) << "standby_mode = 'on'\n";
  std::ofstream(s.Path("postgresql.auto.conf")) << "wal_level = 'replica'\n";
  REQUIRE(s.Write(15).message() == "");
  // recovery.conf is kept under a new name, never deleted (12+ refuses to
  // start with it).
  CHECK_FALSE(LocalStandby::Exists(s.Path("recovery.conf")));
  CHECK(LocalStandby::Read(s.Path(std::string("recovery.conf.pgpair-") + kTimestamp)) ==
        "standby_mode = 'on'\n");
  CHECK(LocalStandby::Exists(s.Path("standby.signal")));
  CHECK(LocalStandby::Read(s.Path("standby.signal")).empty());
  CHECK(LocalStandby::Mode(s.Path("standby.signal")) == 0600);
  // The conninfo joins the file's other lines, in a file only its owner reads.
  CHECK(LocalStandby::Read(s.Path("postgresql.auto.conf")) ==
        "wal_level = 'replica'\n"
        "primary_conninfo = 'host=198.18.0.11 port=5432 user=replicator password=''it''''s'' "
        "application_name=pg2'\t# set by pgpair\n");
  CHECK(LocalStandby::Mode(s.Path("postgresql.auto.conf")) == 0600);
}

TEST_CASE("A moved-aside name already taken keeps recovery.conf where it is", "[standby_setup]") {
  LocalStandby s;
  std::ofstream(s.Path("recovery.conf")) << "old\n";
  std::ofstream(s.Path(std::string("recovery.conf.pgpair-") + kTimestamp)) << "older\n";
  Status written = s.Write(15);
  REQUIRE_FALSE(written.ok());
  CHECK(written.message() == "local (127.0.0.1): the recovery files in " + s.data +
                                 " cannot be changed: " + s.data + "/recovery.conf.pgpair-" +
                                 kTimestamp + " already exists; recovery.conf is kept");
  CHECK(LocalStandby::Read(s.Path("recovery.conf")) == "old\n");
  CHECK_FALSE(LocalStandby::Exists(s.Path("standby.signal")));
}

TEST_CASE("A 10 or 11 copy gets recovery.conf and loses standby.signal", "[standby_setup]") {
  LocalStandby s;
  std::ofstream(s.Path("standby.signal")) << "";
  REQUIRE(s.Write(11).message() == "");
  CHECK_FALSE(LocalStandby::Exists(s.Path("standby.signal")));
  CHECK(LocalStandby::Read(s.Path("recovery.conf")) ==
        "standby_mode = 'on'\t# set by pgpair\n"
        "primary_conninfo = 'host=198.18.0.11 port=5432 user=replicator password=''it''''s'' "
        "application_name=pg2'\t# set by pgpair\n"
        "recovery_target_timeline = 'latest'\t# set by pgpair\n");
  CHECK(LocalStandby::Mode(s.Path("recovery.conf")) == 0600);
}

TEST_CASE("A data directory that does not exist is named", "[standby_setup]") {
  LocalStandby s;
  s.data = s.scratch + "/gone";
  Status written = s.Write(15);
  REQUIRE_FALSE(written.ok());
  CHECK(written.message() == "local (127.0.0.1): the recovery files in " + s.data +
                                 " cannot be changed: data directory " + s.data +
                                 " does not exist");
}

}  // namespace
}  // namespace pgpair
