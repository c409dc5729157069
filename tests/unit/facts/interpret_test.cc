#include "engine/facts/interpret.h"

#include <catch2/catch.hpp>
#include <map>

#include "engine/facts/facts_json.h"
#include "engine/facts/parsers/refused_settings.h"
#include "tests/unit/fixture_file.h"
#include "tests/unit/gathered_facts.h"

namespace pgpair {
namespace {

HostFacts InterpretFixture(const std::string& fixture, const std::string& extra = "") {
  Result<GatherSections> sections =
      ParseGatherOutput(testing::ReadFixture(fixture) + extra, "@@pgpair-fixture");
  REQUIRE(sections.ok());
  GatherRequest request;
  request.replication_role = "replicator";
  request.archive_dir = "/var/backups/pgsql/archive";
  HostFacts facts;
  facts.name = "pg1";
  InterpretGather(*sections, request, &facts);
  return facts;
}

bool HasProblem(const HostFacts& facts, const std::string& topic) {
  for (const FactProblem& problem : facts.problems) {
    if (problem.topic == topic) return true;
  }
  return false;
}

TEST_CASE("A running Debian cluster gives server, settings, roles and layout", "[interpret]") {
  HostFacts f = InterpretFixture("gather/pg15_debian_running.txt");
  CHECK(f.os.architecture == "x86_64");
  CHECK(f.os.id == "debian");
  CHECK(f.server.major == 15);
  CHECK(f.server.version == "15.18");
  CHECK(f.server.running == true);
  CHECK(f.server.in_recovery == false);
  CHECK(f.server.system_identifier == "7712359091470470057");
  CHECK(f.layout.cluster == "15/main");
  CHECK(f.layout.source == "server");
  CHECK(f.layout.data_dir == "/var/lib/postgresql/15/main");
  CHECK(f.layout.data_dir_exists == true);
  CHECK(f.layout.hba_file == "/etc/postgresql/15/main/pg_hba.conf");
  CHECK(f.layout.port == 5432);

  REQUIRE(f.settings);
  const SettingFact* wal_level = f.FindSetting("wal_level");
  REQUIRE(wal_level);
  CHECK(wal_level->value == "replica");
  CHECK(wal_level->context == "postmaster");
  CHECK(wal_level->pending_restart == false);
  const SettingFact* shared_buffers = f.FindSetting("shared_buffers");
  REQUIRE(shared_buffers);
  CHECK(shared_buffers->unit == "8kB");
  CHECK(shared_buffers->source_file == "/etc/postgresql/15/main/postgresql.conf");
  REQUIRE(f.file_settings);
  CHECK_FALSE(f.file_settings->empty());

  // The declared role is missing on a fresh cluster: known to be absent,
  // which is not the same as unknown.
  REQUIRE(f.roles);
  const RoleFact* replicator = f.FindRole("replicator");
  REQUIRE(replicator);
  CHECK(replicator->exists == false);
  const RoleFact* postgres = f.FindRole("postgres");
  REQUIRE(postgres);
  CHECK(postgres->superuser == true);
  CHECK(postgres->has_password == false);

  REQUIRE(f.hba.server_rules);
  CHECK_FALSE(f.hba.server_rules->empty());
  // The file's own lines agree with the server's reading of it.
  REQUIRE(f.hba.lines);
  CHECK(f.hba.lines->size() == f.hba.server_rules->size());
  CHECK(f.hba.file == "/etc/postgresql/15/main/pg_hba.conf");
  bool local_replication = false;
  for (const HbaLineFact& line : *f.hba.lines) {
    local_replication |=
        line.type == "local" && line.databases == std::vector<HbaToken>{{"replication", false}};
  }
  CHECK(local_replication);  // Debian's default file lets local replication in
  // A primary with no standby: no senders, and that is known.
  REQUIRE(f.replication.senders);
  CHECK(f.replication.senders->empty());
  CHECK(f.replication.receiver_present == false);

  CHECK(f.recovery.standby_signal == false);
  CHECK(f.recovery.recovery_conf == false);
  REQUIRE(f.archive);
  CHECK(f.archive->exists == false);
  CHECK_FALSE(HasProblem(f, "sql"));
}

TEST_CASE("Quoted pg_hba.conf names stay names through interpretation", "[interpret]") {
  HostFacts f = testing::DebianWithHba(
      "host \"replication\" all 0.0.0.0/0 reject\n"
      "host replication \"all\",\"+admins\",+admins,\"say \"\"hi\"\"\" 198.18.0.12/32 md5\n");
  REQUIRE(f.hba.lines);
  REQUIRE(f.hba.lines->size() == 2);
  const HbaLineFact& database = (*f.hba.lines)[0];
  REQUIRE(database.databases.size() == 1);
  CHECK(database.databases[0] == HbaToken{"replication", true});
  CHECK_FALSE(database.databases[0].IsKeyword("replication"));
  CHECK(database.users[0].IsKeyword("all"));
  const HbaLineFact& users = (*f.hba.lines)[1];
  CHECK(users.databases[0].IsKeyword("replication"));
  CHECK(users.users ==
        std::vector<HbaToken>{
            {"all", true}, {"+admins", true}, {"+admins", false}, {"say \"hi\"", true}});
  CHECK_FALSE(users.users[1].StartsWith('+'));
  CHECK(users.users[2].StartsWith('+'));
  // The JSON form writes names as the file does: quoted ones in quotes.
  nlohmann::json json = HostFactsToJson(f)["hba"]["lines"];
  CHECK(json[0]["databases"] == nlohmann::json::array({"\"replication\""}));
  CHECK(json[0]["users"] == nlohmann::json::array({"all"}));
  CHECK(json[1]["users"] ==
        nlohmann::json::array({"\"all\"", "\"+admins\"", "+admins", "\"say \"\"hi\"\"\""}));
}

TEST_CASE("A stopped cluster keeps its file facts and leaves SQL facts unknown", "[interpret]") {
  HostFacts f = InterpretFixture("gather/pg15_debian_stopped.txt");
  CHECK(f.server.running == false);
  CHECK(f.server.major == 15);  // from PG_VERSION
  // pg_controldata answers with the server down.
  CHECK(f.server.system_identifier == "7712359091287239591");
  CHECK(f.server.cluster_state == "shut down");
  CHECK(f.layout.source == "pg_lsclusters");
  CHECK(f.layout.data_dir == "/var/lib/postgresql/15/main");
  // Unknown, not empty and not false.
  CHECK_FALSE(f.settings.has_value());
  CHECK_FALSE(f.roles.has_value());
  CHECK_FALSE(f.hba.server_rules.has_value());
  CHECK_FALSE(f.server.in_recovery.has_value());
  CHECK_FALSE(f.replication.senders.has_value());
  CHECK(HasProblem(f, "server"));
  // What the files say is still known: settings read from postgresql.conf
  // (with its include_dir) and postgresql.auto.conf, the hba file.
  REQUIRE(f.file_settings);
  bool port_seen = false;
  for (const FileSettingFact& s : *f.file_settings) {
    if (s.name == "port") {
      port_seen = true;
      CHECK(s.value == "5432");
      CHECK(s.file == "/etc/postgresql/15/main/postgresql.conf");
    }
  }
  CHECK(port_seen);
  REQUIRE(f.hba.lines);
  CHECK_FALSE(f.hba.lines->empty());
  CHECK(f.recovery.standby_signal == false);
  REQUIRE(f.archive);
  CHECK(f.archive->exists == false);
}

TEST_CASE("A running self-built 12 is found through its postmaster", "[interpret]") {
  // /opt/pgsql-12/bin has no pg_controldata: pg_control is read by od.
  HostFacts f = InterpretFixture("gather/pg12_pgctl_running.txt");
  CHECK(f.server.major == 12);
  CHECK(f.server.version == "12.22");
  CHECK(f.server.running == true);
  CHECK_FALSE(f.layout.cluster);
  CHECK(f.layout.bin_dir == "/opt/pgsql-12/bin");
  CHECK(f.layout.data_dir == "/var/lib/pgsql/12/data");
  CHECK(f.layout.config_file == "/var/lib/pgsql/12/data/postgresql.conf");
  CHECK(f.layout.hba_file == "/var/lib/pgsql/12/data/pg_hba.conf");
  CHECK(f.layout.socket_dir == "/tmp");
  CHECK(f.server.cluster_state == "in production");
  CHECK(f.server.timeline == "1");
  REQUIRE(f.server.system_identifier);
  CHECK(f.server.system_identifier->size() >= 18);
  // 12 still has the setting 13 renamed.
  CHECK(f.FindSetting("wal_keep_segments"));
  CHECK_FALSE(f.FindSetting("wal_keep_size"));
  REQUIRE(f.hba.server_rules);
  CHECK_FALSE(f.hba.server_rules->empty());
  CHECK(f.recovery.standby_signal == false);
  CHECK_FALSE(HasProblem(f, "sql"));
  CHECK_FALSE(HasProblem(f, "layout"));
}

TEST_CASE("A stopped self-built 12 is found in the usual place", "[interpret]") {
  HostFacts f = InterpretFixture("gather/pg12_pgctl_stopped.txt");
  CHECK(f.server.major == 12);
  CHECK(f.server.running == false);
  CHECK(f.layout.source == "default");
  CHECK(f.layout.data_dir == "/var/lib/pgsql/12/data");
  CHECK(f.layout.config_file == "/var/lib/pgsql/12/data/postgresql.conf");
  // Its programs are in none of the usual places, and the postgres on PATH
  // (the machine's /usr/local/bin links to Debian's 15) is not taken.
  CHECK_FALSE(f.layout.bin_dir);
  CHECK(f.server.cluster_state == "shut down");
  REQUIRE(f.server.system_identifier);
  REQUIRE(f.file_settings);
  CHECK_FALSE(f.file_settings->empty());
  CHECK_FALSE(HasProblem(f, "layout"));
}

TEST_CASE("Facts never hold the replication password", "[interpret]") {
  // A standby's gather: primary_conninfo in pg_settings (shown in clear to a
  // superuser), in pg_file_settings, and in recovery.conf.
  const std::string secret = "s3cr3t-pw";
  const std::string conninfo = "host=198.18.0.11 user=replicator password=" + secret;
  GatherSections sections;
  sections["layout"] = {"data_dir=/d\nconfig_file=/d/postgresql.conf\nrunning=yes\n", "", 0};
  sections["sql"] = {
      "{\"k\": \"settings\", \"v\": [{\"name\": \"primary_conninfo\", \"setting\": \"" + conninfo +
          "\"}]}\n{\"k\": \"file_settings\", \"v\": [{\"name\": \"primary_conninfo\", "
          "\"setting\": \"" +
          conninfo + "\", \"file\": \"/d/postgresql.auto.conf\", \"line\": 3}]}\n",
      "", 0};
  sections["signals"] = {"standby.signal no\nrecovery.signal no\nrecovery.conf yes\n", "", 0};
  sections["file /d/recovery.conf"] = {
      "standby_mode = 'on'\nprimary_conninfo = '" + conninfo + "'\n", "", 0};
  HostFacts f;
  InterpretGather(sections, GatherRequest{}, &f);
  REQUIRE(f.recovery.primary_conninfo);
  CHECK(f.recovery.primary_conninfo->find("host=198.18.0.11") != std::string::npos);
  CHECK(f.recovery.primary_conninfo->find(secret) == std::string::npos);
  CHECK(f.FindSetting("primary_conninfo")->value->find(secret) == std::string::npos);
  CHECK(f.file_settings->at(0).value.find(secret) == std::string::npos);
  REQUIRE(f.recovery.recovery_conf_settings);
  CHECK(f.recovery.recovery_conf_settings->at("primary_conninfo").find(secret) ==
        std::string::npos);
  CHECK(f.recovery.recovery_conf_settings->at("standby_mode") == "on");
}

std::string ProblemText(const HostFacts& facts, const std::string& topic) {
  std::string text;
  for (const FactProblem& problem : facts.problems) {
    if (problem.topic == topic) text += problem.message + "\n";
  }
  return text;
}

TEST_CASE("Without pg_controldata, pg_control's own fields are read", "[interpret]") {
  GatherSections sections;
  sections["layout"] = {"data_dir=/var/lib/pgsql/12/data\nbin_dir=/opt/pgsql-12/bin\nrunning=no\n",
                        "", 0};
  sections["pg_version"] = {"12\n", "", 0};
  sections["pg_control"] = {testing::ReadFixture("pg_control/pg12_in_production.txt"), "", 0};
  HostFacts f;
  InterpretGather(sections, GatherRequest{}, &f);
  CHECK(f.server.major == 12);
  CHECK(f.server.system_identifier == "7712401454351506416");
  CHECK(f.server.cluster_state == "in production");
  CHECK(f.server.timeline == "1");
  CHECK_THAT(ProblemText(f, "server"), !Catch::Contains("pg_control"));

  SECTION("an unreadable pg_control is a problem that names how it was read") {
    sections["pg_control"] = {
        "", "od: /var/lib/pgsql/12/data/global/pg_control: Permission denied\n", 1};
    HostFacts g;
    InterpretGather(sections, GatherRequest{}, &g);
    CHECK_FALSE(g.server.system_identifier);
    CHECK_THAT(ProblemText(g, "server"), Catch::Contains("reading global/pg_control failed") &&
                                             Catch::Contains("Permission denied"));
  }
}

// The captured stopped Debian cluster, with its layout section's `key=`
// lines replaced by `layout` and `conf` appended to its postgresql.conf.
HostFacts StoppedDebianWith(const std::map<std::string, std::string>& layout,
                            const std::string& conf) {
  Result<GatherSections> sections =
      ParseGatherOutput(testing::ReadFixture("gather/pg15_debian_stopped.txt"), "@@pgpair-fixture");
  REQUIRE(sections.ok());
  std::string& text = (*sections)["layout"].out;
  for (const auto& [key, value] : layout) {
    size_t at = text.find(key + "=");
    if (at == std::string::npos) {
      text += key + "=" + value + "\n";
    } else {
      text.replace(at, text.find('\n', at) - at, key + "=" + value);
    }
  }
  (*sections)["file /etc/postgresql/15/main/postgresql.conf"].out += conf;
  HostFacts facts;
  InterpretGather(*sections, GatherRequest{}, &facts);
  return facts;
}

TEST_CASE("A stopped server's port and hba_file come from its files, read by pgpair's parser",
          "[interpret]") {
  const std::string conf =
      "port = 5499\n"
      "hba_file = '/etc/postgresql/15/main/other_hba.conf'\n";
  SECTION("the script could not ask the server: the files' last lines win") {
    HostFacts f = StoppedDebianWith({{"port", ""}, {"hba_from", "default"}}, conf);
    CHECK(f.layout.port == 5499);
    CHECK(f.layout.hba_file == "/etc/postgresql/15/main/other_hba.conf");
    // The script read the default file, not that one: said, not guessed.
    CHECK_FALSE(f.hba.lines.has_value());
    CHECK_THAT(ProblemText(f, "hba"),
               Catch::Contains("/etc/postgresql/15/main/other_hba.conf (hba_file) was not read") &&
                   Catch::Contains("hosts.<name>.postgres.hba_file"));
  }
  SECTION("nothing added: Debian's own lines") {
    HostFacts f = StoppedDebianWith({{"port", ""}, {"hba_from", "default"}}, "");
    // Debian's postgresql.conf sets port = 5432 and names its pg_hba.conf.
    CHECK(f.layout.port == 5432);
    CHECK(f.layout.hba_file == "/etc/postgresql/15/main/pg_hba.conf");
    CHECK(f.hba.lines.has_value());
  }
  SECTION("the server's own answer (postgres -C) and the manifest's port are taken as reported") {
    HostFacts f = StoppedDebianWith({{"port", "5433"},
                                     {"hba_from", "postgres"},
                                     {"hba_file", "/etc/postgresql/15/main/pg_hba.conf"}},
                                    conf);
    CHECK(f.layout.port == 5433);
    CHECK(f.layout.hba_file == "/etc/postgresql/15/main/pg_hba.conf");
    REQUIRE(f.hba.lines.has_value());
    CHECK_FALSE(f.hba.lines->empty());
  }
}

TEST_CASE("Stopped servers gathered by today's script: the server's answers, else pgpair's parse",
          "[interpret]") {
  // Debian: the script asked the stopped server (postgres -C) for hba_file.
  HostFacts debian = InterpretFixture("gather/pg15_debian_stopped_discovered.txt");
  CHECK(debian.server.running == false);
  CHECK(debian.layout.cluster == "15/main");
  CHECK(debian.layout.hba_file == "/etc/postgresql/15/main/pg_hba.conf");
  CHECK(debian.layout.port == 5432);
  CHECK(debian.layout.socket_dir == "/var/run/postgresql");
  REQUIRE(debian.hba.lines);
  CHECK(debian.hba.lines->size() == 7);
  CHECK_FALSE(HasProblem(debian, "layout"));
  CHECK_FALSE(HasProblem(debian, "hba"));
  // Self-built 12 with no bin dir found: nothing to ask, so the port comes
  // from pgpair's reading of postgresql.conf (which leaves it at the
  // default) and pg_hba.conf is the one beside it.
  HostFacts built = InterpretFixture("gather/pg12_pgctl_stopped_discovered.txt");
  CHECK(built.layout.source == "default");
  CHECK(built.layout.data_dir == "/var/lib/pgsql/12/data");
  CHECK(built.layout.port == 5432);
  CHECK(built.layout.hba_file == "/var/lib/pgsql/12/data/pg_hba.conf");
  REQUIRE(built.hba.lines);
  CHECK_FALSE(built.hba.lines->empty());
  CHECK_FALSE(HasProblem(built, "hba"));
}

TEST_CASE("A host where no cluster was settled on says what it saw", "[interpret]") {
  GatherSections sections;
  sections["layout"] = {"running=no\n", "", 0};
  HostFacts f;
  SECTION("two running servers") {
    sections["layout"] = {"choice=several-postmasters\nrunning=no\n", "", 0};
    sections["postmasters"] = {
        "/var/lib/pgsql/12/data|/usr/pgsql-12/bin/postgres|5432|\n"
        "/srv/pg/16|/opt/pg16/bin/postgres|5433|/etc/pg16.conf\n",
        "", 0};
    InterpretGather(sections, GatherRequest{}, &f);
    CHECK_THAT(ProblemText(f, "layout"),
               Catch::Contains("several PostgreSQL servers run") &&
                   Catch::Contains("/var/lib/pgsql/12/data (port 5432), /srv/pg/16 (port 5433)") &&
                   Catch::Contains("postgres.data_dir"));
  }
  SECTION("one running server on a port other than the manifest's") {
    sections["layout"] = {"choice=no-postmaster-on-port\nport=5433\nrunning=no\n", "", 0};
    sections["postmasters"] = {"/var/lib/pgsql/12/data|/usr/pgsql-12/bin/postgres|5432|\n", "", 0};
    InterpretGather(sections, GatherRequest{}, &f);
    CHECK_THAT(ProblemText(f, "layout"),
               Catch::Contains("in /var/lib/pgsql/12/data (port 5432), is not on the port the "
                               "manifest names"));
  }
  SECTION("Debian clusters, none of them chosen") {
    sections["layout"] = {"choice=several-clusters\nrunning=no\n", "", 0};
    sections["pg_lsclusters"] = {testing::ReadFixture("pg_lsclusters/two_down_noheader.txt"), "",
                                 0};
    InterpretGather(sections, GatherRequest{}, &f);
    CHECK_THAT(ProblemText(f, "layout"),
               Catch::Contains("pg_lsclusters lists 15/main (port 5432, down), 15/scratch (port "
                               "5499, down), several and not exactly one online") &&
                   Catch::Contains("hosts.<name>.postgres.cluster"));
  }
  SECTION("the manifest's Debian cluster is not there") {
    sections["layout"] = {"choice=no-such-cluster\ncluster=16/main\nrunning=no\n", "", 0};
    sections["pg_lsclusters"] = {testing::ReadFixture("pg_lsclusters/two_down_noheader.txt"), "",
                                 0};
    InterpretGather(sections, GatherRequest{}, &f);
    CHECK_THAT(ProblemText(f, "layout"),
               Catch::Contains("pg_lsclusters lists no cluster 16/main (it lists 15/main (port "
                               "5432, down), 15/scratch"));
  }
  SECTION("two stopped clusters in the usual places") {
    sections["layout"] = {"choice=several-conventional\nrunning=no\n", "", 0};
    sections["postmasters"] = {"", "", 0};
    sections["conventional"] = {"/var/lib/pgsql/12/data\n/var/lib/pgsql/16/data\n", "", 0};
    InterpretGather(sections, GatherRequest{}, &f);
    CHECK_THAT(ProblemText(f, "layout"),
               Catch::Contains("/var/lib/pgsql/12/data, /var/lib/pgsql/16/data"));
  }
  SECTION("nothing at all") {
    sections["layout"] = {"choice=nothing\nrunning=no\n", "", 0};
    sections["postmasters"] = {"", "", 0};
    sections["conventional"] = {"", "", 0};
    InterpretGather(sections, GatherRequest{}, &f);
    CHECK_THAT(ProblemText(f, "layout"), Catch::Contains("no PostgreSQL cluster found"));
  }
}

// One more section of the gather's output, as gather.sh frames it.
std::string Section(const std::string& name, const std::string& out, const std::string& err,
                    int rc) {
  return "@@pgpair-fixture begin " + name + "\n" + out + "\n@@pgpair-fixture stderr " + name +
         "\n" + err + "\n@@pgpair-fixture end " + name + " " + std::to_string(rc) + "\n";
}

TEST_CASE("The host's memory comes from MemTotal", "[interpret]") {
  HostFacts f = InterpretFixture("gather/pg15_debian_running.txt",
                                 Section("meminfo", "24683584 kB\n", "", 0));
  CHECK(f.os.memory_bytes == 24683584LL * 1024);
  // Unreadable or not in kB: unknown, not zero.
  CHECK_FALSE(InterpretFixture("gather/pg15_debian_running.txt",
                               Section("meminfo", "", "sed: /proc/meminfo: No such file", 2))
                  .os.memory_bytes);
  CHECK_FALSE(InterpretFixture("gather/pg15_debian_running.txt",
                               Section("meminfo", "24683584 pages\n", "", 0))
                  .os.memory_bytes);
  CHECK_FALSE(InterpretFixture("gather/pg15_debian_running.txt").os.memory_bytes);
}

TEST_CASE("Refused settings are the cluster's own lines of the host's record", "[interpret]") {
  // No record file: none refused (known), not unknown.
  HostFacts none = InterpretFixture("gather/pg15_debian_running.txt");
  REQUIRE(none.refused_settings);
  CHECK(none.refused_settings->empty());

  std::string record = FormatRefusedSettings(
      {{"2026-12-01T11:34:42Z", "/var/lib/postgresql/15/main", "shared_preload_libraries",
        "pgpair_missing", "FATAL:  could not access file \"pgpair_missing\""},
       {"2026-12-01T11:00:00Z", "/var/lib/postgresql/16/main", "shared_buffers", "4TB", "x"}});
  HostFacts f = InterpretFixture("gather/pg15_debian_running.txt",
                                 Section("refused_settings", record, "", 0));
  REQUIRE(f.refused_settings);
  REQUIRE(f.refused_settings->size() == 1);
  const RefusedSettingFact& refused = f.refused_settings->at(0);
  CHECK(refused.name == "shared_preload_libraries");
  CHECK(refused.value == "pgpair_missing");
  CHECK(refused.time == "2026-12-01T11:34:42Z");
  CHECK(refused.log_line == "FATAL:  could not access file \"pgpair_missing\"");

  HostFacts unreadable =
      InterpretFixture("gather/pg15_debian_running.txt",
                       Section("refused_settings", "",
                               "cat: /var/lib/pgpair/refused-settings: Permission denied", 1));
  CHECK_FALSE(unreadable.refused_settings);
  CHECK(HasProblem(unreadable, "refused_settings"));
}

TEST_CASE("SQL lines of another shape are skipped, and numbers that do not fit are unknown",
          "[interpret]") {
  // Found while fuzzing (tests/fixtures/fuzz-regressions/interpret): a topic
  // name that is a number threw from nlohmann::json, and 1e300 read as an
  // int was undefined behaviour.
  GatherSections sections;
  sections["layout"].out = "running=yes\ndata_dir=/d\n";
  sections["layout"].exit_status = 0;
  sections["sql"].out =
      "{\"k\": 1, \"v\": 2}\n"
      "{\"k\": \"meta\", \"v\": {\"version_num\": 1e300, \"in_recovery\": false}}\n"
      "{\"k\": \"senders\", \"v\": [{\"pid\": 4294967296, \"state\": \"streaming\"}, 7]}\n";
  sections["sql"].exit_status = 0;
  HostFacts facts;
  facts.name = "pg1";
  InterpretGather(sections, GatherRequest{}, &facts);
  CHECK_FALSE(facts.server.major.has_value());
  CHECK(facts.server.in_recovery == false);
  REQUIRE(facts.replication.senders.has_value());
  REQUIRE(facts.replication.senders->size() == 2);
  CHECK_FALSE((*facts.replication.senders)[0].pid.has_value());
  CHECK((*facts.replication.senders)[0].state == "streaming");
}

TEST_CASE("Whether the data directory is a mount point comes from the layout section",
          "[interpret]") {
  const std::string fixture = testing::ReadFixture("gather/pg15_debian_running.txt");
  const std::string line = "running=yes\n";
  REQUIRE(fixture.find(line) != std::string::npos);
  auto with = [&](const std::string& extra) {
    std::string text = fixture;
    text.replace(text.find(line), line.size(), line + extra);
    Result<GatherSections> sections = ParseGatherOutput(text, "@@pgpair-fixture");
    REQUIRE(sections.ok());
    HostFacts facts;
    facts.name = "pg2";
    InterpretGather(*sections, GatherRequest{}, &facts);
    return facts.layout.data_dir_mount_point;
  };
  CHECK(with("mount_point=yes\n") == std::optional<bool>(true));
  CHECK(with("mount_point=no\n") == std::optional<bool>(false));
  CHECK_FALSE(with("").has_value());  // an older gather: unknown
  // And the facts' JSON says it.
  CHECK(HostFactsToJson(InterpretFixture("gather/pg15_debian_running.txt"))["layout"].contains(
      "data_dir_mount_point"));
}

}  // namespace
}  // namespace pgpair
