// A standby that reads its configuration from its data directory (the
// pg_ctl layout) cloned from a primary that keeps its own elsewhere
// (Debian's /etc/postgresql): the copy brings no postgresql.conf or
// pg_hba.conf, so the standby's own are carried into it. The plan's part
// with canned facts; the script's part run by the local shell on a scratch
// directory, as sshd would run it on the host.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "resources/standby_clone.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/resources/resource_support.h"
#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ReadFile;
using testing::WriteFile;

using testing::RequireDetails;

const char kDebianData[] = "/var/lib/postgresql/15/main";
const char kDebianConfig[] = "/etc/postgresql/15/main/postgresql.conf";
const char kPgctlData[] = "/var/lib/pgsql/15/data";

HostFacts Host(const std::string& name, const std::string& address, const std::string& id) {
  HostFacts f;
  f.name = name;
  f.address = address;
  f.os.architecture = "x86_64";
  f.layout.port = 5432;
  f.server.major = 15;
  f.server.running = true;
  f.server.in_recovery = false;
  f.server.system_identifier = id;
  f.server.cluster_state = "in production";
  return f;
}

// pg1 as the sandbox has it: Debian's 15/main.
HostFacts DebianPrimary() {
  HostFacts f = Host("pg1", "198.18.0.11", "7712359091470470057");
  f.declared_role = "primary";
  f.layout.cluster = "15/main";
  f.layout.data_dir = kDebianData;
  f.layout.bin_dir = "/usr/lib/postgresql/15/bin";
  f.layout.config_file = kDebianConfig;
  f.layout.hba_file = "/etc/postgresql/15/main/pg_hba.conf";
  return f;
}

// pg2 as initdb made it, started with pg_ctl: its own cluster, its
// configuration in its data directory.
HostFacts PgctlStandby() {
  HostFacts f = Host("pg2", "198.18.0.12", "7712359110385930221");
  f.declared_role = "standby";
  f.layout.data_dir = kPgctlData;
  f.layout.data_dir_exists = true;
  f.layout.bin_dir = "/opt/pgsql-15/bin";
  f.layout.config_file = std::string(kPgctlData) + "/postgresql.conf";
  f.layout.hba_file = std::string(kPgctlData) + "/pg_hba.conf";
  f.recovery.standby_signal = false;
  f.recovery.recovery_conf = false;
  return f;
}

struct Pair : testing::FakePair {
  Pair() {
    manifest.replication = ReplicationSpec();
    primary = DebianPrimary();
    standby = PgctlStandby();
    input.timestamp = "20261202T010000Z";
  }
  Plan Diff() {
    Plan plan;
    StandbyCloneResource().Diff(input, &plan);
    return plan;
  }
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("The configuration files a standby reads from inside its data directory",
          "[standby_clone][carried_config]") {
  using Files = std::vector<CarriedConfigFile>;
  struct Case {
    const char* proves;
    std::optional<std::string> config, hba;
    std::string data_dir;
    Files files;
  };
  const std::string d = kPgctlData;
  const Case cases[] = {
      {"initdb's layout: all three, pg_ident.conf not required", d + "/postgresql.conf",
       d + "/pg_hba.conf", d,
       Files{{"postgresql.conf", true}, {"pg_hba.conf", true}, {"pg_ident.conf", false}}},
      {"Debian's layout: none, they live in /etc", kDebianConfig,
       "/etc/postgresql/15/main/pg_hba.conf", kDebianData, Files{}},
      {"an hba_file declared outside: postgresql.conf and pg_ident.conf only",
       d + "/postgresql.conf", "/etc/pgsql/pg_hba.conf", d,
       Files{{"postgresql.conf", true}, {"pg_ident.conf", false}}},
      {"a trailing slash on the data directory changes nothing", d + "/postgresql.conf",
       d + "/pg_hba.conf", d + "/",
       Files{{"postgresql.conf", true}, {"pg_hba.conf", true}, {"pg_ident.conf", false}}},
      {"a directory of a similar name is not inside", "/var/lib/pgsql/15/data2/postgresql.conf",
       std::nullopt, d, Files{}},
      {"a subdirectory is kept in the name", d + "/conf/postgresql.conf", d + "/conf/pg_hba.conf",
       d,
       Files{{"conf/postgresql.conf", true},
             {"conf/pg_hba.conf", true},
             {"conf/pg_ident.conf", false}}},
      {"unknown files: nothing to carry", std::nullopt, std::nullopt, d, Files{}},
  };
  for (const Case& c : cases) {
    SECTION(c.proves) {
      HostFacts standby = PgctlStandby();
      standby.layout.config_file = c.config;
      standby.layout.hba_file = c.hba;
      CHECK(CarriedConfigFiles(standby, c.data_dir) == c.files);
    }
  }
}

TEST_CASE("A pg_ctl-layout standby of a Debian primary keeps its own configuration files",
          "[standby_clone][carried_config]") {
  Pair pair;
  Plan plan = pair.Diff();
  REQUIRE(plan.blockers.empty());
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  const StandbyCloneDetails& clone = RequireDetails<StandbyCloneDetails>(change);
  CHECK(clone.carried_config == std::vector<CarriedConfigFile>{{"postgresql.conf", true},
                                                               {"pg_hba.conf", true},
                                                               {"pg_ident.conf", false}});
  CHECK(Contains(change.reason,
                 "pg1 keeps its configuration outside its data directory "
                 "(/etc/postgresql/15/main/postgresql.conf), so the copy holds none of its own: "
                 "pg2's postgresql.conf, pg_hba.conf, pg_ident.conf are carried into it from "
                 "/var/lib/pgsql/15/data"));
  // The ready step is the one told which files to carry.
  CHECK(Contains(CloneStepScript(clone, "postgres", "ready"),
                 "required:postgresql.conf required:pg_hba.conf optional:pg_ident.conf"));
  const nlohmann::json json = clone.ToJson();
  CHECK(json["carried_config"][0] ==
        nlohmann::json{{"name", "postgresql.conf"}, {"required", true}});
}

TEST_CASE("Between two pg_ctl layouts the copy brings the primary's files: the plan says nothing",
          "[standby_clone][carried_config]") {
  Pair pair;
  pair.primary.layout.data_dir = "/var/lib/pgsql/15/data";
  pair.primary.layout.config_file = "/var/lib/pgsql/15/data/postgresql.conf";
  Plan plan = pair.Diff();
  REQUIRE(plan.changes.size() == 1);
  CHECK_FALSE(Contains(plan.changes[0].reason, "carried"));
  // Still passed on: the script carries only what the copy lacks.
  CHECK(RequireDetails<StandbyCloneDetails>(plan.changes[0]).carried_config.size() == 3);
}

TEST_CASE("A Debian standby carries nothing", "[standby_clone][carried_config]") {
  Pair pair;
  pair.standby.layout.data_dir = kDebianData;
  pair.standby.layout.config_file = kDebianConfig;
  pair.standby.layout.hba_file = "/etc/postgresql/15/main/pg_hba.conf";
  Plan plan = pair.Diff();
  REQUIRE(plan.changes.size() == 1);
  CHECK(RequireDetails<StandbyCloneDetails>(plan.changes[0]).carried_config.empty());
}

TEST_CASE("A pg_ctl-layout standby with no data directory cannot get a configuration from Debian",
          "[standby_clone][carried_config]") {
  Pair pair;
  pair.standby.layout.data_dir_exists = false;
  pair.standby.server.running = false;
  pair.standby.server.system_identifier.reset();
  Plan plan = pair.Diff();
  CHECK(plan.changes.empty());
  REQUIRE(plan.blockers.size() == 1);
  CHECK(plan.blockers[0].host == "pg2");
  CHECK(Contains(plan.blockers[0].message,
                 "pg2's server reads its configuration from its data directory "
                 "(/var/lib/pgsql/15/data/postgresql.conf, /var/lib/pgsql/15/data/pg_hba.conf), "
                 "which does not exist, and a copy of pg1 brings none"));
}

// The clone script's ready step on a scratch directory: DATA (the old data
// directory) and DATA.pgpair-staging (the copy), run by the local shell.
struct LocalClone {
  std::string scratch;
  std::string data;
  StandbyCloneDetails clone;

  LocalClone() {
    char pattern[] = "/tmp/pgpair-clone-config-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    scratch = pattern;
    data = scratch + "/data dir";
    REQUIRE(mkdir(data.c_str(), 0700) == 0);
    REQUIRE(mkdir(Staging().c_str(), 0700) == 0);
    clone.data_dir = data;
    clone.aside = data + ".pgpair-20261202T010000Z";
    clone.bin_dir = "/nonexistent";
    clone.major = 15;
    clone.primary.host = "198.18.0.11";
    clone.primary.port = 5432;
    clone.primary.user = "replicator";
    clone.carried_config = {
        {"postgresql.conf", true}, {"pg_hba.conf", true}, {"pg_ident.conf", false}};
  }
  ~LocalClone() { std::system(("rm -rf '" + scratch + "'").c_str()); }
  std::string Staging() const { return data + ".pgpair-staging"; }
  std::string Ready() const { return data + ".pgpair-ready"; }
  static bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }
  ExecResult RunReady() {
    LocalShellTransport shell(scratch);
    Result<ExecResult> run = shell.Exec(CloneStepScript(clone, "nobody", "ready"), "", {});
    REQUIRE(run.ok());
    return *run;
  }
};

TEST_CASE("The ready step carries the files the copy lacks, and only those",
          "[standby_clone][carried_config]") {
  LocalClone f;
  WriteFile(f.data + "/postgresql.conf", "port = 5432\n", 0640);
  WriteFile(f.data + "/pg_hba.conf", "local all all peer\n");
  WriteFile(f.data + "/pg_ident.conf", "# own ident\n");
  // The copy came with an ident file of the primary's: it stays.
  WriteFile(f.Staging() + "/pg_ident.conf", "# primary's ident\n");
  ExecResult ready = f.RunReady();
  INFO(ready.stderr_text);
  REQUIRE(ready.exit_status == 0);
  CHECK_FALSE(f.Exists(f.Staging()));
  CHECK(ReadFile(f.Ready() + "/postgresql.conf") == "port = 5432\n");
  CHECK(ReadFile(f.Ready() + "/pg_hba.conf") == "local all all peer\n");
  CHECK(ReadFile(f.Ready() + "/pg_ident.conf") == "# primary's ident\n");
  struct stat info {};
  REQUIRE(stat((f.Ready() + "/postgresql.conf").c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0640);
  // The old data directory is untouched.
  CHECK(ReadFile(f.data + "/postgresql.conf") == "port = 5432\n");
}

TEST_CASE("A required file neither directory has fails the ready step, nothing renamed",
          "[standby_clone][carried_config]") {
  LocalClone f;
  WriteFile(f.data + "/postgresql.conf", "port = 5432\n");
  // No pg_hba.conf anywhere; pg_ident.conf is optional.
  ExecResult ready = f.RunReady();
  CHECK(ready.exit_status == 1);
  CHECK(Contains(ready.stderr_text,
                 "the copy has no pg_hba.conf (the primary keeps its configuration outside its "
                 "data directory) and " +
                     f.data + " has none to carry into it; " + f.data + " is unchanged"));
  CHECK(f.Exists(f.Staging()));
  CHECK_FALSE(f.Exists(f.Ready()));
}

}  // namespace
}  // namespace pgpair
