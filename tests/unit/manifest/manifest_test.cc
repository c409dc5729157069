#include "engine/manifest/manifest.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pgpair {
namespace {

const std::string kExamples = PGPAIR_SOURCE_DIR "/examples";
const std::string kFixtures = PGPAIR_FIXTURES_DIR "/manifests";

// Sets an environment variable for one test and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    if (old != nullptr) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The errors ParseManifest reports for `text`, or "OK".
std::string Errors(const std::string& text) {
  Result<Manifest> manifest = ParseManifest(text, "m.yaml");
  return manifest.ok() ? "OK" : manifest.status().message();
}

const SettingSpec* FindSetting(const std::vector<SettingSpec>& settings, const std::string& name) {
  for (const SettingSpec& setting : settings) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

TEST_CASE("examples/sandbox.yaml loads as the sandbox pair", "[manifest]") {
  Result<Manifest> manifest = LoadManifest(kExamples + "/sandbox.yaml");
  REQUIRE(manifest.status().message() == "");
  CHECK(manifest->pair == "sandbox");
  REQUIRE(manifest->hosts.size() == 2);

  const HostSpec& pg1 = manifest->primary_host();
  CHECK(pg1.name == "pg1");
  CHECK(pg1.address == "198.18.0.11");
  CHECK(pg1.ssh.user == "root");
  CHECK(pg1.become == Become::kNone);  // root logs in as root: no sudo
  CHECK(pg1.ssh.keys == std::vector<std::string>{"/var/lib/pgpair-sandbox/id_ed25519"});
  CHECK(pg1.ssh.known_hosts == "/var/lib/pgpair-sandbox/known_hosts");
  CHECK(pg1.ssh.host_key_policy == HostKeyPolicy::kStrict);
  CHECK(pg1.postgres.cluster == "15/main");
  CHECK(pg1.mark.ToString() == kExamples + "/sandbox.yaml:7:3");

  const HostSpec& pg2 = manifest->standby_host();
  CHECK(pg2.name == "pg2");
  CHECK(pg2.ssh.user == "deploy");
  CHECK(pg2.become == Become::kSudo);

  REQUIRE(manifest->replication);
  CHECK(manifest->replication->role == "replicator");
  REQUIRE(manifest->replication->password);
  CHECK(manifest->replication->password->file == "/var/lib/pgpair-sandbox/replication-password");
  CHECK(manifest->replication->password->key == "replication.password");
  REQUIRE(manifest->archive);
  CHECK(manifest->archive->dir == "/var/backups/pgsql/archive");
  CHECK(manifest->archive->mode == "0700");
  // No hba block: the rule admits the standby's own address.
  REQUIRE(manifest->hba);
  CHECK(manifest->hba->address == "198.18.0.12/32");
  CHECK(manifest->hba->method == "scram-sha-256");

  const SettingSpec* archive_command = FindSetting(manifest->primary_settings, "archive_command");
  REQUIRE(archive_command != nullptr);
  CHECK(archive_command->value ==
        "test ! -f /var/backups/pgsql/archive/%f && cp %p /var/backups/pgsql/archive/%f");
  // YAML booleans and numbers keep the text as written.
  CHECK(FindSetting(manifest->primary_settings, "archive_mode")->value == "on");
  CHECK(FindSetting(manifest->primary_settings, "max_wal_senders")->value == "10");
  CHECK(FindSetting(manifest->primary_settings, "listen_addresses")->value == "*");
  REQUIRE(manifest->standby_settings.size() == 1);
  CHECK(manifest->standby_settings[0].name == "hot_standby");
  CHECK(manifest->standby_settings[0].value == "on");
  CHECK(manifest->standby_streaming);
}

TEST_CASE("examples/maas.yaml loads as the classic procedure's pair", "[manifest]") {
  ScopedEnv home("HOME", "/home/operator");
  Result<Manifest> manifest = LoadManifest(kExamples + "/maas.yaml");
  REQUIRE(manifest.status().message() == "");
  CHECK(manifest->pair == "maas");
  CHECK(manifest->primary_host().name == "db1");
  CHECK(manifest->standby_host().name == "db2");
  for (const HostSpec& host : manifest->hosts) {
    CHECK(host.ssh.user == "ubuntu");
    CHECK(host.become == Become::kSudo);
    // "~" is the home of whoever runs pgpair, not of the remote user.
    CHECK(host.ssh.keys == std::vector<std::string>{"/home/operator/.ssh/id_ed25519"});
  }
  CHECK(manifest->replication->password->env == "PGPAIR_REPLICATION_PASSWORD");
  CHECK(manifest->replication->connection_limit == 5);
  CHECK(manifest->hba->address == "10.0.0.12/32");
  CHECK(manifest->archive->owner == "postgres");
}

TEST_CASE("examples/rhel-pgdg.yaml declares a PGDG layout managed by systemd", "[manifest]") {
  ScopedEnv home("HOME", "/home/operator");
  Result<Manifest> manifest = LoadManifest(kExamples + "/rhel-pgdg.yaml");
  REQUIRE(manifest.status().message() == "");
  for (const HostSpec& host : manifest->hosts) {
    INFO(host.name);
    CHECK(host.postgres.bin_dir == "/usr/pgsql-16/bin");
    CHECK(host.postgres.data_dir == "/var/lib/pgsql/16/data");
    CHECK(host.postgres.service == ServiceManager::kSystemctl);
    CHECK(host.postgres.systemd_unit == "postgresql-16");
    CHECK_FALSE(host.postgres.cluster);
  }
  CHECK(manifest->replication->password->file ==
        "/home/operator/.config/pgpair/orders-replication-password");
}

TEST_CASE("examples/mixed-layout.yaml gives each host its own layout", "[manifest]") {
  ScopedEnv home("HOME", "/home/operator");
  Result<Manifest> manifest = LoadManifest(kExamples + "/mixed-layout.yaml");
  REQUIRE(manifest.status().message() == "");
  const HostSpec& debian = manifest->primary_host();
  CHECK(debian.name == "old-db");
  CHECK(debian.postgres.cluster == "15/main");
  CHECK_FALSE(debian.postgres.data_dir);
  const HostSpec& pg_ctl = manifest->standby_host();
  CHECK(pg_ctl.name == "new-db");
  CHECK_FALSE(pg_ctl.postgres.cluster);
  CHECK(pg_ctl.postgres.bin_dir == "/usr/local/pgsql/bin");
  CHECK(pg_ctl.postgres.data_dir == "/usr/local/pgsql/data");
  CHECK(pg_ctl.postgres.service == ServiceManager::kPgCtl);
}

TEST_CASE("a minimal manifest gets the documented defaults", "[manifest]") {
  ScopedEnv home("HOME", "/home/operator");
  Result<Manifest> manifest = LoadManifest(kFixtures + "/minimal.yaml");
  REQUIRE(manifest.status().message() == "");
  const HostSpec& a = manifest->primary_host();
  CHECK(a.ssh.user == "root");
  CHECK(a.ssh.port == 22);
  CHECK(a.ssh.keys.empty());  // ssh-agent only
  CHECK(a.ssh.use_agent);
  CHECK(a.ssh.known_hosts == "/home/operator/.ssh/known_hosts");
  CHECK(a.ssh.connect_timeout_seconds == 10);
  CHECK(a.ssh.command_timeout_seconds == 300);
  CHECK(a.become == Become::kNone);
  CHECK(a.postgres.os_user == "postgres");
  CHECK_FALSE(a.postgres.cluster);
  CHECK(manifest->replication->role == "replicator");
  CHECK(manifest->replication->connection_limit == 5);
  CHECK_FALSE(manifest->archive);  // the only block that stays optional
  CHECK(manifest->hba->address == "10.0.0.2/32");
  CHECK(manifest->hba->method == "scram-sha-256");
  CHECK(manifest->standby_streaming);
}

TEST_CASE("swapping the primary: and standby: lines swaps the roles", "[manifest]") {
  std::string text = ReadText(kExamples + "/sandbox.yaml");
  const std::string primary_line = "primary: pg1\n";
  const std::string standby_line = "standby: pg2\n";
  size_t at = text.find(primary_line + standby_line);
  REQUIRE(at != std::string::npos);
  text.replace(at, primary_line.size() + standby_line.size(), "primary: pg2\nstandby: pg1\n");

  Result<Manifest> manifest = ParseManifest(text, kExamples + "/sandbox.yaml");
  REQUIRE(manifest.status().message() == "");
  CHECK(manifest->primary_host().name == "pg2");
  CHECK(manifest->standby_host().name == "pg1");
  // The hba default follows the standby.
  CHECK(manifest->hba->address == "198.18.0.11/32");
  // Hosts keep their own login settings whatever their role.
  CHECK(manifest->primary_host().become == Become::kSudo);
}

TEST_CASE("Paths starting with ~ and relative local paths are expanded", "[manifest]") {
  ScopedEnv home("HOME", "/home/operator");
  Result<Manifest> manifest = LoadManifest(kFixtures + "/relative_paths.yaml");
  REQUIRE(manifest.status().message() == "");
  const HostSpec& a = manifest->primary_host();
  // Relative to the manifest's directory, not to the current directory.
  CHECK(a.ssh.keys ==
        std::vector<std::string>{kFixtures + "/keys/id_ed25519", "/home/operator/.ssh/id_rsa"});
  CHECK(a.ssh.known_hosts == kFixtures + "/known_hosts");
  CHECK(manifest->standby_host().ssh.keys ==
        std::vector<std::string>{"/home/operator/.ssh/id_ed25519"});
  // ".." is resolved, so the message about the file shows a plain path.
  CHECK(manifest->replication->password->file ==
        std::string(PGPAIR_FIXTURES_DIR) + "/secrets/replication-password");
}

TEST_CASE("ParseManifest takes relative paths from the directory of its path argument",
          "[manifest]") {
  Result<Manifest> manifest = ParseManifest(R"(pair: t
hosts:
  a: {address: 10.0.0.1, ssh: {key: id}}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {file: secret}}
)",
                                            "/srv/pairs/t.yaml");
  REQUIRE(manifest.status().message() == "");
  CHECK(manifest->hosts[0].ssh.keys == std::vector<std::string>{"/srv/pairs/id"});
  CHECK(manifest->replication->password->file == "/srv/pairs/secret");
  CHECK(manifest->replication->password->mark.ToString() == "/srv/pairs/t.yaml:7:15");
}

TEST_CASE("setting names are lowercased and values kept as written", "[manifest]") {
  Result<Manifest> manifest = ParseManifest(R"(pair: t
hosts:
  a: {address: fd00::1}
  b: {address: fd00::2}
primary: a
standby: b
replication: {password: {env: X}}
settings:
  primary: {Shared_Buffers: 4096kB, wal_keep_size: '1GB', archive_timeout: 60, fsync: yes}
  standby: {hot_standby: true, archive_cleanup_command: ''}
)",
                                            "m.yaml");
  REQUIRE(manifest.status().message() == "");
  const std::vector<SettingSpec>& primary = manifest->primary_settings;
  REQUIRE(primary.size() == 4);
  CHECK(primary[0].name == "shared_buffers");  // PostgreSQL names are case-insensitive
  CHECK(primary[0].value == "4096kB");
  CHECK(primary[1].value == "1GB");  // quoting does not change the text
  CHECK(primary[2].value == "60");
  CHECK(primary[3].value == "yes");  // a YAML boolean stays the word written
  CHECK(primary[0].mark.ToString() == "m.yaml:9:13");
  CHECK(manifest->standby_settings[1].value == "");  // '' is a legal empty setting
  CHECK(manifest->hba->address == "fd00::2/128");    // IPv6 standby: a /128 rule
}

// Each case is a whole manifest and the exact text ParseManifest reports.
struct ErrorCase {
  const char* proves;
  const char* text;
  const char* errors;
};

const ErrorCase kErrorCases[] = {
    {"a YAML syntax error is reported at the place the parser stopped",
     R"(pair: t
hosts: [a
primary: a
)",
     R"(m.yaml:3:8: YAML syntax error: end of sequence flow not found)"},

    {"a tab in indentation is named, since yaml-cpp's message does not say so",
     "pair: t\nhosts:\n\ta: 1\n",
     R"(m.yaml:3:3: YAML syntax error: illegal map value (YAML does not allow tabs for indentation))"},

    {"an empty file is an error, not an empty manifest", "\n",
     R"(m.yaml:1:1: the file holds no YAML document)"},

    {"a second document would be ignored silently, so it is refused", "pair: t\n---\npair: u\n",
     R"(m.yaml:2:1: a second YAML document starts here; the file must hold exactly one)"},

    {"the document must be a mapping", "- a\n- b\n",
     R"(m.yaml:1:1: expected a mapping at the top level (pair:, hosts:, primary:, standby:, replication:), got a list)"},

    {"a misspelt key gets a suggestion and no second 'missing' error",
     R"(pair: t
hosts:
  a:
    adress: 10.0.0.1
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:4:5: unknown key "adress" in hosts.a (did you mean "address"?))"},

    {"an unknown key with nothing close lists the keys allowed there",
     R"(pair: t
colour: blue
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:2:1: unknown key "colour" at the top level; expected one of: pair, hosts, primary, standby, replication, archive, hba, settings, standby_streaming)"},

    {"a key given twice is an error at the second one",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: b
primary: b
replication: {password: {env: X}}
)",
     R"(m.yaml:7:1: duplicate key "primary" at the top level; it is first given at line 5)"},

    {"required keys are reported at their mapping", "pair: t\n",
     R"(m.yaml:1:1: missing required key "hosts" at the top level: the two hosts, by name
m.yaml:1:1: missing required key "primary" at the top level: the name of the host that is the primary
m.yaml:1:1: missing required key "standby" at the top level: the name of the host that is the standby
m.yaml:1:1: missing required key "replication" at the top level: the replication role, e.g. replication: {role: replicator, password: {env: PGPAIR_REPLICATION_PASSWORD}})"},

    {"wrong types and out-of-range numbers point at the value",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1, ssh: {port: abc}}
  b: {address: 10.0.0.2, ssh: {port: 70000}}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:3:38: hosts.a.ssh.port: expected a port (a whole number from 1 to 65535), got "abc"
m.yaml:4:38: hosts.b.ssh.port: expected a port (a whole number from 1 to 65535), got "70000")"},

    {"a mapping is required where a host goes",
     R"(pair: t
hosts:
  a: 10.0.0.1
  b:
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:3:6: hosts.a: expected a mapping, got "10.0.0.1"
m.yaml:4:3: hosts.b: expected a mapping, got an empty value)"},

    {"addresses must be IP literals or host names",
     R"(pair: t
hosts:
  a: {address: 10.0.0.256}
  b: {address: ''}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:3:16: hosts.a.address: expected an IPv4 or IPv6 address or a host name, got "10.0.0.256"
m.yaml:4:16: hosts.b.address: expected a non-empty string, got "")"},

    {"a pair has exactly two hosts",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
  c: {address: 10.0.0.3}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:2:1: hosts: expected exactly two hosts (a primary and a standby), found 3)"},

    {"two entries for the same machine are not a pair",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.1}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:4:3: hosts.b: same address and ssh port as a (10.0.0.1); primary and standby must be two machines)"},

    {"primary must name a host; the suggestion skips the standby's host",
     R"(pair: t
hosts:
  db1: {address: 10.0.0.1}
  db2: {address: 10.0.0.2}
primary: db3
standby: db2
replication: {password: {env: X}}
)",
     R"(m.yaml:5:10: primary: no host named "db3" under hosts (did you mean "db1"?))"},

    {"primary and standby must differ",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: a
replication: {password: {env: X}}
)",
     R"(m.yaml:6:10: standby: names the same host as primary (a); a pair needs two hosts)"},

    {"enums, durations and booleans name the words they accept",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1, ssh: {connect_timeout: 10 s, command_timeout: 5m, agent: maybe}}
  b: {address: 10.0.0.2, become: sduo}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:3:49: hosts.a.ssh.connect_timeout: expected a duration such as 10s, 5m or 1h, or a number of seconds (at most a day), got "10 s"
m.yaml:3:83: hosts.a.ssh.agent: expected true or false, got "maybe"
m.yaml:4:34: hosts.b.become: expected sudo or none, got "sduo")"},

    {"postgres layout: systemd_unit needs systemctl, cluster is VERSION/NAME; key xor keys",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1, postgres: {systemd_unit: postgresql@15-main, cluster: main}}
  b: {address: 10.0.0.2, ssh: {key: a, keys: [b]}}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:3:37: hosts.a.postgres.systemd_unit: a systemd unit is used only with service: systemctl; add it
m.yaml:3:80: hosts.a.postgres.cluster: expected a Debian cluster VERSION/NAME such as 15/main, got "main"
m.yaml:4:40: hosts.b.ssh: give key (one file) or keys (a list), not both)"},

    {"hba: the method is scram-sha-256 or md5, the address a CIDR",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {env: X}}
hba: {method: trust, address: 10.0.0.2}
)",
     R"(m.yaml:8:15: hba.method: expected scram-sha-256 or md5, got "trust"
m.yaml:8:31: hba.address: expected a CIDR address such as 198.18.0.12/32, got "10.0.0.2")"},

    {"a standby known by host name needs an explicit hba address",
     R"(pair: t
hosts:
  a: {address: db1.example.com}
  b: {address: db2.example.com}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:6:10: hba.address is needed: the standby b is known by host name (db2.example.com) and pg_hba.conf host names depend on reverse DNS; give the address the primary sees it connect from, e.g. hba: {address: 10.0.0.12/32})"},

    {"archive: dir is absolute, mode is octal",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {env: X}}
archive: {dir: var/backups, mode: 0780}
)",
     R"(m.yaml:8:16: archive.dir: expected an absolute path on the host, got "var/backups"
m.yaml:8:35: archive.mode: expected an octal file mode such as '0700', got "0780")"},

    {"settings: scalar values, identifier names, no case-insensitive duplicates, no "
     "primary_conninfo",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {env: X}}
settings:
  primary:
    shared_preload_libraries: [pg_stat_statements]
    max-wal-senders: 3
    WAL_LEVEL: replica
    wal_level: logical
    archive_command:
  standby: {hot_standby: on, Primary_Conninfo: 'host=x'}
)",
     R"(m.yaml:10:31: settings.primary.shared_preload_libraries: expected a single value (a string, number or boolean), got a list
m.yaml:11:5: settings.primary: "max-wal-senders" is not a setting name; PostgreSQL setting names are letters, digits and '_' (with one '.' for an extension's setting)
m.yaml:13:5: settings.primary: wal_level is given twice, first as "WAL_LEVEL" at line 12 (setting names are case-insensitive)
m.yaml:14:5: settings.primary.archive_command: expected a value (write '' for an empty string), got an empty value
m.yaml:15:30: settings.standby.Primary_Conninfo: pgpair writes primary_conninfo itself from replication: and the primary's address; remove it)"},

    {"a plain-text password is refused, with the reason and both accepted forms",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication:
  role: replicator
  password: 'hunter2'
)",
     R"(m.yaml:9:13: replication.password: a password written in the manifest is refused: manifests live in git, where every clone and every past commit would keep it. Give a reference instead: password: {env: PGPAIR_REPLICATION_PASSWORD} (an environment variable) or {file: /etc/pgpair/replication-password} (a file only you can read: chmod 600))"},

    {"a secret names env or file, not both; the role's limit leaves room for pg_basebackup",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {env: X, file: /x}, connection_limit: 1}
)",
     R"(m.yaml:7:34: replication.password: give either env or file, not both: pgpair could not tell which one holds the secret
m.yaml:7:63: replication.connection_limit: 1 is too low: pg_basebackup -X stream opens two replication connections; use at least 2, or -1 for no limit)"},

    {"an env value that is not a variable name is refused without repeating it",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {env: 'my secret'}}
)",
     R"(m.yaml:7:31: replication.password.env: expected the name of an environment variable (letters, digits and '_', not starting with a digit))"},

    {"~user is refused: whose home it means depends on the machine",
     R"(pair: t
hosts:
  a: {address: 10.0.0.1, ssh: {key: ~alice/.ssh/id}}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {env: X}}
)",
     R"(m.yaml:3:37: hosts.a.ssh.key: "~alice" is not supported; write the full path or start with "~/")"},
};

TEST_CASE("every kind of error is reported at its file:line:column", "[manifest]") {
  for (const ErrorCase& c : kErrorCases) {
    INFO(c.proves);
    CHECK(Errors(c.text) == c.errors);
  }
}

TEST_CASE("all errors of a file are reported at once, in file order", "[manifest]") {
  const std::string path = kFixtures + "/many_errors.yaml";
  Result<Manifest> manifest = LoadManifest(path);
  REQUIRE_FALSE(manifest.ok());
  const std::string m = manifest.status().message();
  // Found in another order (standby: is checked after everything else), but
  // reported as they appear in the file.
  const char* const expected[] = {
      R"(4:7: pair: expected a name of letters, digits, '_', '.' and '-', got "many errors")",
      R"(8:31: hosts.db1.ssh.port: expected a port (a whole number from 1 to 65535), got "2222x")",
      R"(11:13: hosts.db2.become: expected sudo or none, got "doas")",
      R"(13:10: standby: no host named "db3" under hosts (did you mean "db2"?))",
      R"(15:13: replication.password: a password written in the manifest is refused: manifests live in git, where every clone and every past commit would keep it. Give a reference instead: password: {env: PGPAIR_REPLICATION_PASSWORD} (an environment variable) or {file: /etc/pgpair/replication-password} (a file only you can read: chmod 600))",
      R"(16:15: hba.method: expected scram-sha-256 or md5, got "trust")",
      R"(17:16: archive.dir: expected an absolute path on the host, got "backups")",
  };
  std::string lines;
  for (const char* line : expected) lines += (lines.empty() ? "" : "\n") + path + ":" + line;
  CHECK(m == lines);
  // The refused password itself appears nowhere.
  CHECK(m.find("hunter2") == std::string::npos);
}

TEST_CASE("a misspelt key in a file names the file, the place and the likely key", "[manifest]") {
  const std::string path = kFixtures + "/typo.yaml";
  Result<Manifest> manifest = LoadManifest(path);
  REQUIRE_FALSE(manifest.ok());
  CHECK(manifest.status().message() ==
        path + R"(:7:5: unknown key "adress" in hosts.pg2 (did you mean "address"?))");
}

TEST_CASE("LoadManifest names a file it cannot read", "[manifest]") {
  Result<Manifest> manifest = LoadManifest(kFixtures + "/no-such-file.yaml");
  REQUIRE_FALSE(manifest.ok());
  CHECK(manifest.status().message() ==
        kFixtures + "/no-such-file.yaml: cannot read the manifest: No such file or directory");
}

}  // namespace
}  // namespace pgpair
