// `pgpair facts` against the sandbox hosts: real SSH, sudo and PostgreSQL.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {
namespace {

using nlohmann::json;

json FactsJson(const std::string& manifest) {
  CommandResult run = Pgpair("facts --json " + manifest);
  INFO("pgpair facts: exit " << run.exit_status << "\n" << run.err);
  REQUIRE(run.exit_status == 0);
  return json::parse(run.out);
}

const json& Host(const json& facts, const std::string& name) {
  for (const json& host : facts["hosts"]) {
    if (host["name"] == name) return host;
  }
  FAIL("no host " << name << " in the facts");
  throw std::logic_error("unreachable");
}

const json* FindByName(const json& list, const std::string& name) {
  if (!list.is_array()) return nullptr;
  for (const json& item : list) {
    if (item["name"] == name) return &item;
  }
  return nullptr;
}

TEST_CASE("facts of both fresh hosts match what the sandbox set up", "[facts]") {
  FreshSandbox();
  json facts = FactsJson(Example("sandbox.yaml"));
  CHECK(facts["pair"] == "sandbox");
  for (const char* name : {"pg1", "pg2"}) {
    const json& host = Host(facts, name);
    INFO("host " << name << " problems: " << host["problems"].dump());
    CHECK(host["os"]["hostname"] == name);
    CHECK(host["server"]["major"] == 15);
    CHECK(host["server"]["running"] == true);
    CHECK(host["server"]["in_recovery"] == false);
    CHECK(host["layout"]["cluster"] == "15/main");
    CHECK(host["layout"]["data_dir"] == "/var/lib/postgresql/15/main");
    CHECK(host["hba"]["lines"].size() == 7);  // Debian's default file
    CHECK(FindByName(host["roles"], "replicator")->at("exists") == false);
    CHECK(host["archive"]["exists"] == false);
    CHECK(host["replication"]["senders"].empty());
    CHECK(FindByName(host["settings"], "listen_addresses")->at("value") == "localhost");
    // The promise: one connection and one exec round trip per host.
    CHECK(host["gathering"]["ssh_connections"] == 1);
    CHECK(host["gathering"]["exec_round_trips"] == 1);
    CHECK(host["problems"].empty());
  }
  // Two independent clusters: different system identifiers.
  CHECK(Host(facts, "pg1")["server"]["system_identifier"] !=
        Host(facts, "pg2")["server"]["system_identifier"]);
}

TEST_CASE("facts --json validates against schemas/facts.schema.json", "[facts]") {
  FreshSandbox();
  TempDir dir;
  CommandResult run = Pgpair("facts --json " + Example("sandbox.yaml"));
  REQUIRE(run.exit_status == 0);
  std::string document = dir.Write("facts.json", run.out);
  CommandResult validate = ValidateAgainstSchema("facts.schema.json", document);
  INFO(validate.err);
  CHECK(validate.exit_status == 0);
  CHECK(validate.out == "valid\n");
}

TEST_CASE("changes made by hand on a host show in its facts", "[facts]") {
  FreshSandbox();
  // A setting in postgresql.conf (not yet reloaded), an hba line, a role.
  REQUIRE(OnHost("pg1", "echo \"work_mem = '8MB'\" >> /etc/postgresql/15/main/postgresql.conf")
              .exit_status == 0);
  REQUIRE(OnHost("pg1",
                 "echo 'host replication replicator 198.18.0.12/32 scram-sha-256' >> "
                 "/etc/postgresql/15/main/pg_hba.conf")
              .exit_status == 0);
  REQUIRE(SqlOnHost("pg1",
                    "CREATE ROLE replicator LOGIN REPLICATION CONNECTION LIMIT 5 "
                    "PASSWORD 'hand-made'")
              .exit_status == 0);

  json facts = FactsJson(Example("sandbox.yaml"));
  const json& pg1 = Host(facts, "pg1");
  // The file holds the new value; the server does not use it until a reload.
  bool in_file = false;
  for (const json& s : pg1["file_settings"]) {
    in_file |= s["name"] == "work_mem" && s["value"] == "8MB";
  }
  CHECK(in_file);
  CHECK(FindByName(pg1["settings"], "work_mem")->at("value") == "4096");

  const json& last_line = pg1["hba"]["lines"].back();
  CHECK(last_line["databases"] == json::array({"replication"}));
  CHECK(last_line["users"] == json::array({"replicator"}));
  CHECK(last_line["address"] == "198.18.0.12/32");
  CHECK(last_line["method"] == "scram-sha-256");

  const json* role = FindByName(pg1["roles"], "replicator");
  REQUIRE(role);
  CHECK(role->at("exists") == true);
  CHECK(role->at("replication") == true);
  CHECK(role->at("connection_limit") == 5);
  CHECK(role->at("has_password") == true);
  CHECK(role->at("password_kind") == "scram-sha-256");
  // Never the hash, never the password.
  CommandResult text = Pgpair("facts --json " + Example("sandbox.yaml"));
  CHECK(text.out.find("SCRAM-SHA-256$") == std::string::npos);
  CHECK(text.out.find("hand-made") == std::string::npos);

  // pg2 was left alone.
  CHECK(FindByName(Host(facts, "pg2")["roles"], "replicator")->at("exists") == false);
}

TEST_CASE("with the server stopped, file facts arrive and SQL facts are unknown", "[facts]") {
  FreshSandbox();
  REQUIRE(OnHost("pg2", "pg_ctlcluster 15 main stop").exit_status == 0);
  json facts = FactsJson(Example("sandbox.yaml"));
  const json& pg2 = Host(facts, "pg2");
  CHECK(pg2["server"]["running"] == false);
  // Unknown, not empty or false.
  CHECK(pg2["settings"].is_null());
  CHECK(pg2["roles"].is_null());
  CHECK(pg2["server"]["in_recovery"].is_null());
  CHECK(pg2["hba"]["server_rules"].is_null());
  CHECK(pg2["replication"]["senders"].is_null());
  // Still known from the files and pg_controldata.
  CHECK(pg2["server"]["major"] == 15);
  CHECK(pg2["server"]["system_identifier"].is_string());
  CHECK(pg2["server"]["cluster_state"] == "shut down");
  CHECK(pg2["file_settings"].is_array());
  CHECK_FALSE(pg2["file_settings"].empty());
  CHECK(pg2["hba"]["lines"].size() == 7);
  CHECK(pg2["recovery"]["standby_signal"] == false);
  CHECK_FALSE(pg2["problems"].empty());  // says the server is down
  // The human report says so too.
  CommandResult text = Pgpair("facts " + Example("sandbox.yaml"));
  CHECK(text.out.find("stopped") != std::string::npos);
  REQUIRE(Sandbox("reset").exit_status == 0);
}

TEST_CASE("a stopped server's own hba_file is the one read, running or not", "[facts]") {
  FreshSandbox();
  // pg2's configuration names another pg_hba.conf, with one line more.
  const std::string conf = "/etc/postgresql/15/main";
  REQUIRE(OnHost("pg2", "cp -p " + conf + "/pg_hba.conf " + conf + "/other_hba.conf && " +
                            "echo 'host all all 10.9.9.9/32 reject' >> " + conf +
                            "/other_hba.conf && sed -i \"s|^hba_file = .*|hba_file = '" + conf +
                            "/other_hba.conf'|\" " + conf + "/postgresql.conf")
              .exit_status == 0);
  for (const char* state : {"restart", "stop"}) {
    INFO("after pg_ctlcluster " << state);
    REQUIRE(OnHost("pg2", std::string("pg_ctlcluster 15 main ") + state).exit_status == 0);
    json facts = FactsJson(Example("sandbox.yaml"));
    const json& pg2 = Host(facts, "pg2");
    CHECK(pg2["layout"]["hba_file"] == conf + "/other_hba.conf");
    CHECK(pg2["hba"]["file"] == conf + "/other_hba.conf");
    CHECK(pg2["hba"]["lines"].size() == 8);
    CHECK(pg2["layout"]["port"] == 5432);
  }
  REQUIRE(Sandbox("reset").exit_status == 0);
}

TEST_CASE("of two Debian clusters the one online is taken and with both down neither is",
          "[facts]") {
  FreshSandbox();
  TempDir dir;
  // Both hosts' layouts left to discovery.
  const std::string manifest = dir.Write(
      "pair.yaml",
      Replaced(ReadText(Example("sandbox.yaml")), "    postgres: {cluster: 15/main}\n", ""));
  // A second cluster, down, as pg_upgradecluster leaves the old one.
  REQUIRE(OnHost("pg1", "pg_createcluster 15 old --port 5433 >/dev/null").exit_status == 0);
  CHECK(Host(FactsJson(manifest), "pg1")["layout"]["cluster"] == "15/main");

  REQUIRE(OnHost("pg1", "pg_ctlcluster 15 main stop").exit_status == 0);
  CommandResult run = Pgpair("facts " + manifest);
  INFO(run.out << run.err);
  CHECK_THAT(run.out + run.err,
             Catch::Contains("pg_lsclusters lists 15/main (port 5432, down), 15/old (port 5433, "
                             "down), several and not exactly one online"));
}

TEST_CASE("a wrong host key is refused, naming the host and both fingerprints", "[facts]") {
  FreshSandbox();
  TempDir dir;
  // known_hosts with pg1's entry replaced by another ed25519 key.
  std::string other_key =
      ReadText(std::string(PGPAIR_SOURCE_DIR) + "/tests/fixtures/known_hosts/impostor_ed25519.pub");
  REQUIRE_FALSE(other_key.empty());
  std::string known_hosts = ReadText("/var/lib/pgpair-sandbox/known_hosts");
  std::string wrong;
  std::istringstream lines(known_hosts);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("198.18.0.11 ", 0) == 0) {
      std::istringstream key(other_key);
      std::string type, blob;
      key >> type >> blob;
      line = "198.18.0.11 " + type + " " + blob;
    }
    wrong += line + "\n";
  }
  std::string wrong_path = dir.Write("known_hosts", wrong);
  std::string manifest =
      dir.Write("pair.yaml", Replaced(ReadText(Example("sandbox.yaml")),
                                      "/var/lib/pgpair-sandbox/known_hosts", wrong_path));
  CommandResult run = Pgpair("facts " + manifest);
  CHECK(run.exit_status == 1);
  INFO(run.err);
  CHECK(run.err.find("pg1 (198.18.0.11)") != std::string::npos);
  CHECK(run.err.find("SHA256:") != std::string::npos);
  // pg2's key is right: its facts still come back.
  CHECK(run.out.find("hostname pg2") != std::string::npos);
}

TEST_CASE("a non-root login with sudo gives the same facts as root", "[facts]") {
  FreshSandbox();
  TempDir dir;
  // examples/sandbox.yaml reaches pg2 as deploy with sudo; this one as root.
  std::string as_root = Replaced(ReadText(Example("sandbox.yaml")), "user: deploy", "user: root");
  as_root = Replaced(as_root, "    become: sudo\n", "");
  json via_sudo = FactsJson(Example("sandbox.yaml"));
  json via_root = FactsJson(dir.Write("pair.yaml", as_root));
  const json& a = Host(via_sudo, "pg2");
  const json& b = Host(via_root, "pg2");
  for (const char* topic : {"os", "layout", "hba", "recovery", "archive"}) {
    INFO(topic);
    CHECK(a[topic] == b[topic]);
  }
  CHECK(a["server"]["system_identifier"] == b["server"]["system_identifier"]);
  CHECK(a["settings"].size() == b["settings"].size());
  CHECK(a["roles"] == b["roles"]);
}

}  // namespace
}  // namespace pgpair::testing
