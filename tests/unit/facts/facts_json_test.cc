#include "engine/facts/facts_json.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/gathered_facts.h"
#include "tests/unit/json_schema.h"

namespace pgpair {
namespace {

using nlohmann::json;
using testing::GatheredFacts;

// The captured gather outputs of tests/fixtures/gather/ (see its README).
const char* const kFixtures[] = {
    "gather/pg15_debian_running.txt",  "gather/pg15_debian_stopped.txt",
    "gather/pg12_pgctl_running.txt",   "gather/pg12_pgctl_stopped.txt",
    "gather/pg15_debian_applying.txt", "gather/pg15_debian_stale_lock.txt",
};

// A host pgpair could not reach: what the collector reports for it.
HostFacts Unreachable() {
  HostFacts facts;
  facts.name = "pg2";
  facts.address = "198.18.0.12";
  facts.declared_role = "standby";
  facts.problems.push_back(
      {"connection",
       "pg2 (198.18.0.12): cannot connect: Connection refused; every fact of this host is "
       "unknown"});
  return facts;
}

const json* Named(const json& list, const std::string& name) {
  for (const json& item : list) {
    if (item.at("name") == name) return &item;
  }
  return nullptr;
}

TEST_CASE("The facts JSON of real gathered hosts fits schemas/facts.schema.json", "[facts_json]") {
  const json schema = testing::LoadSchema("facts.schema.json");
  REQUIRE(schema.is_object());
  for (const char* fixture : kFixtures) {
    INFO(fixture);
    PairFacts pair;
    pair.pair = "sandbox";
    pair.hosts = {GatheredFacts(fixture), Unreachable()};
    const json document = FactsToJson(pair);
    CHECK(testing::SchemaViolations(document, schema, schema) == std::vector<std::string>{});
  }
}

TEST_CASE("The schema check sees a document that does not fit", "[facts_json]") {
  const json schema = testing::LoadSchema("facts.schema.json");
  PairFacts pair;
  pair.pair = "sandbox";
  pair.hosts = {GatheredFacts("gather/pg15_debian_running.txt")};
  json document = FactsToJson(pair);
  document["hosts"][0].erase("gathering");
  document["hosts"][0]["server"]["major"] = "15";
  document["hosts"][0]["layout"]["invented"] = true;
  CHECK(testing::SchemaViolations(document, schema, schema) ==
        std::vector<std::string>{"/hosts/0: lacks gathering",
                                 "/hosts/0/layout: has invented, which the schema does not allow",
                                 "/hosts/0/server/major: is string, not [\"integer\",\"null\"]"});
}

TEST_CASE("A running Debian primary as the JSON shows it", "[facts_json]") {
  const json host = HostFactsToJson(GatheredFacts("gather/pg15_debian_running.txt"));
  CHECK(host["name"] == "pg1");
  CHECK(host["address"] == "198.18.0.11");
  CHECK(host["os"]["pretty_name"] == "Debian GNU/Linux 12 (bookworm)");
  CHECK(host["os"]["architecture"] == "x86_64");
  CHECK(host["layout"]["cluster"] == "15/main");
  CHECK(host["layout"]["data_dir"] == "/var/lib/postgresql/15/main");
  CHECK(host["layout"]["hba_file"] == "/etc/postgresql/15/main/pg_hba.conf");
  CHECK(host["layout"]["port"] == 5432);
  CHECK(host["server"]["major"] == 15);
  CHECK(host["server"]["version"] == "15.18");
  CHECK(host["server"]["running"] == true);
  CHECK(host["server"]["in_recovery"] == false);
  // 64-bit identifiers stay exact: a string, not a double.
  CHECK(host["server"]["system_identifier"] == "7712359091470470057");
  // The server's own view of a setting, with where it came from.
  const json* buffers = Named(host["settings"], "shared_buffers");
  REQUIRE(buffers != nullptr);
  CHECK(*buffers == json{{"name", "shared_buffers"},
                         {"value", "16384"},
                         {"unit", "8kB"},
                         {"vartype", "integer"},
                         {"context", "postmaster"},
                         {"source", "configuration file"},
                         {"source_file", "/etc/postgresql/15/main/postgresql.conf"},
                         {"source_line", 127},
                         {"pending_restart", false},
                         {"boot_value", "16384"}});
  // Debian's pg_hba.conf: its seven rules, each as written and as parsed.
  REQUIRE(host["hba"]["lines"].size() == 7);
  CHECK(host["hba"]["lines"][0]["line_number"] == 90);
  CHECK(host["hba"]["lines"][0]["type"] == "local");
  CHECK(host["hba"]["lines"][0]["databases"] == json{"all"});
  CHECK(host["hba"]["lines"][0]["users"] == json{"postgres"});
  CHECK(host["hba"]["lines"][0]["method"] == "peer");
  CHECK(host["hba"]["lines"][0]["text"] ==
        "local   all             postgres                                peer");
  CHECK(host["hba"]["server_rules"].size() == 7);
  // The replication role asked about does not exist yet: known, and false.
  const json* replicator = Named(host["roles"], "replicator");
  REQUIRE(replicator != nullptr);
  CHECK((*replicator)["exists"] == false);
  CHECK((*replicator)["can_login"].is_null());
  CHECK(host["archive"]["path"] == "/var/backups/pgsql/archive");
  CHECK(host["archive"]["exists"] == false);
  // A primary with no standby yet: none, which is not unknown.
  CHECK(host["replication"]["senders"] == json::array());
  CHECK(host["replication"]["receiver_present"] == false);
  CHECK(host["recovery"]["standby_signal"] == false);
  CHECK(host["apply_in_progress"].is_null());
  CHECK(host["problems"] == json::array());
}

TEST_CASE("A stopped server: what only the server knows is null, its files are read",
          "[facts_json]") {
  const json host =
      HostFactsToJson(GatheredFacts("gather/pg15_debian_stopped.txt", "pg2", "198.18.0.12"));
  CHECK(host["server"]["running"] == false);
  CHECK(host["server"]["cluster_state"] == "shut down");
  CHECK(host["server"]["major"] == 15);
  CHECK(host["server"]["in_recovery"].is_null());
  CHECK(host["settings"].is_null());
  CHECK(host["roles"].is_null());
  CHECK(host["hba"]["server_rules"].is_null());
  CHECK(host["replication"]["senders"].is_null());
  CHECK(host["replication"]["receiver_present"].is_null());
  // From disk: the configuration files and pg_hba.conf.
  CHECK(host["file_settings"].is_array());
  CHECK_FALSE(host["file_settings"].empty());
  CHECK(host["hba"]["lines"].size() == 7);
  REQUIRE(host["problems"].size() == 1);
  CHECK(host["problems"][0]["topic"] == "server");
  CHECK(host["problems"][0]["message"] ==
        "PostgreSQL is not running; settings, roles, hba rules and replication are unknown "
        "(file facts are read from disk)");
}

TEST_CASE("An unreachable host: every fact null, the reason in problems", "[facts_json]") {
  const json host = HostFactsToJson(Unreachable());
  CHECK(host["name"] == "pg2");
  CHECK(host["declared_role"] == "standby");
  for (const char* group : {"os", "layout", "server", "recovery"}) {
    INFO(group);
    for (const auto& [key, value] : host[group].items()) {
      INFO(key);
      CHECK(value.is_null());
    }
  }
  for (const char* list :
       {"settings", "file_settings", "roles", "archive", "apply_in_progress", "refused_settings"}) {
    INFO(list);
    CHECK(host[list].is_null());
  }
  CHECK(host["hba"] == json{{"file", nullptr}, {"lines", nullptr}, {"server_rules", nullptr}});
  CHECK(host["gathering"]["ssh_connections"] == 0);
  CHECK(host["problems"] ==
        json::array({{{"topic", "connection"}, {"message", Unreachable().problems[0].message}}}));
}

TEST_CASE("An apply in progress names who holds the lock", "[facts_json]") {
  const json held = HostFactsToJson(GatheredFacts("gather/pg15_debian_applying.txt"));
  CHECK(held["apply_in_progress"] == json{{"pair", "sandbox"},
                                          {"user", "root"},
                                          {"machine", "vm"},
                                          {"pid", 17367},
                                          {"since", "2026-12-01T11:47:02Z"},
                                          {"lease_pid", 17430}});
  // A record its lease no longer backs is no apply in progress.
  const json stale = HostFactsToJson(GatheredFacts("gather/pg15_debian_stale_lock.txt"));
  CHECK(stale["apply_in_progress"].is_null());
}

TEST_CASE("The pair document: its version, the pair, the hosts in order", "[facts_json]") {
  PairFacts pair;
  pair.pair = "maas";
  pair.hosts = {GatheredFacts("gather/pg12_pgctl_running.txt"), Unreachable()};
  const json document = FactsToJson(pair);
  CHECK(document["pgpair_facts_version"] == 1);
  CHECK(document["pair"] == "maas");
  REQUIRE(document["hosts"].size() == 2);
  CHECK(document["hosts"][0]["layout"]["bin_dir"] == "/opt/pgsql-12/bin");
  CHECK(document["hosts"][0]["layout"]["cluster"].is_null());
  CHECK(document["hosts"][1]["name"] == "pg2");
}

}  // namespace
}  // namespace pgpair
