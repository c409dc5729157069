// The planner: every resource's diff on one pair, in the order apply makes
// the changes, and the plan as the documented JSON (schemas/plan.schema.json).

#include "engine/plan/planner.h"

#include <catch2/catch.hpp>

#include "engine/output/plan_report.h"
#include "tests/unit/gathered_facts.h"

namespace pgpair::testing {
namespace {

// examples/sandbox.yaml's pair, written out: the test must not depend on
// that file's comments or order.
constexpr char kManifest[] = R"(pair: sandbox
hosts:
  pg1:
    address: 198.18.0.11
    ssh: {user: root, key: /k, known_hosts: /kh}
  pg2:
    address: 198.18.0.12
    ssh: {user: deploy, key: /k, known_hosts: /kh}
    become: sudo
primary: pg1
standby: pg2
replication:
  role: replicator
  password: {file: /secret}
archive:
  dir: /var/backups/pgsql/archive
settings:
  primary:
    listen_addresses: '*'
    max_wal_senders: 10
  standby:
    hot_standby: on
)";

struct FreshPair {
  Manifest manifest;
  HostFacts primary = GatheredFacts("gather/pg15_debian_running.txt", "pg1", "198.18.0.11");
  HostFacts standby = GatheredFacts("gather/pg15_debian_running.txt", "pg2", "198.18.0.12");
  PlanInput input;

  FreshPair() {
    Result<Manifest> parsed = ParseManifest(kManifest, "pair.yaml");
    INFO(parsed.status().message());
    REQUIRE(parsed.ok());
    manifest = *parsed;
    // Two independent clusters, as initdb leaves them.
    standby.server.system_identifier = "7712359110385930221";
    input.manifest = &manifest;
    input.primary = &primary;
    input.standby = &standby;
    input.timestamp = "20261201T120000Z";
  }
};

std::vector<std::string> Addresses(const Plan& plan) {
  std::vector<std::string> addresses;
  for (const Change& change : plan.changes) addresses.push_back(change.address);
  return addresses;
}

TEST_CASE("A fresh pair is planned primary first, in registry order", "[planner]") {
  FreshPair pair;
  Plan plan = MakePlan(pair.input);
  INFO(Addresses(plan).size());
  CHECK(plan.blockers.empty());
  CHECK(Addresses(plan) ==
        std::vector<std::string>{
            "archive_dir[pg1:/var/backups/pgsql/archive]", "replication_role[pg1/replicator]",
            "hba_rule[pg1/replication replicator 198.18.0.12/32]", "setting[pg1/listen_addresses]",
            "setting[pg1/archive_mode]", "setting[pg1/archive_command]",
            "setting[pg1/wal_log_hints]", "standby_clone[pg2]", "setting[pg2/wal_log_hints]"});
  // What each change asks of its host's server.
  std::map<std::string, ServerStep> steps;
  for (const Change& change : plan.changes) steps[change.address] = change.server_step;
  CHECK(steps["hba_rule[pg1/replication replicator 198.18.0.12/32]"] == ServerStep::kReload);
  CHECK(steps["setting[pg1/listen_addresses]"] == ServerStep::kRestart);
  CHECK(steps["archive_dir[pg1:/var/backups/pgsql/archive]"] == ServerStep::kNone);
  CHECK(steps["standby_clone[pg2]"] == ServerStep::kStart);
}

TEST_CASE("ApplyOrder keeps each host's order and puts the primary first", "[planner]") {
  FreshPair pair;
  Plan plan;
  for (const char* host : {"pg2", "pg1"}) {
    for (const char* kind : {"setting", "standby_clone", "hba_rule"}) {
      Change change;
      change.resource = kind;
      change.host = host;
      change.address = std::string(kind) + "[" + host + "]";
      plan.changes.push_back(change);
    }
  }
  CHECK(Addresses(Plan{ApplyOrder(plan, pair.manifest), {}, {}, {}}) ==
        std::vector<std::string>{"hba_rule[pg1]", "standby_clone[pg1]", "setting[pg1]",
                                 "hba_rule[pg2]", "standby_clone[pg2]", "setting[pg2]"});
}

TEST_CASE("A host that could not be read blocks the plan before any diff", "[planner]") {
  FreshPair pair;
  pair.standby.problems.push_back({"connection", "pg2 (198.18.0.12): connection refused"});
  Plan plan = MakePlan(pair.input);
  CHECK(plan.changes.empty());
  REQUIRE(plan.blockers.size() == 1);
  CHECK(plan.blockers[0].host == "pg2");
}

TEST_CASE("plan --json: typed details per resource, no argument map", "[planner][plan_report]") {
  FreshPair pair;
  nlohmann::json document = PlanToJson(MakePlan(pair.input));
  CHECK(document["pgpair_plan_version"] == 1);
  CHECK(document["blockers"].empty());
  std::map<std::string, nlohmann::json> by_address;
  for (const nlohmann::json& change : document["changes"]) {
    CHECK_FALSE(change.contains("arguments"));
    by_address[change["address"]] = change;
  }
  const nlohmann::json& archive = by_address["archive_dir[pg1:/var/backups/pgsql/archive]"];
  CHECK(archive["details"] == nlohmann::json{{"dir", "/var/backups/pgsql/archive"},
                                             {"owner", "postgres"},
                                             {"mode", "0700"},
                                             {"os_user", "postgres"}});
  CHECK(archive["server_step"] == "none");

  const nlohmann::json& role = by_address["replication_role[pg1/replicator]"];
  CHECK(role["details"]["statement"] == "create");
  CHECK(role["details"]["set_password"] == true);
  CHECK(role["details"]["connection_limit"].is_number_integer());

  const nlohmann::json& hba = by_address["hba_rule[pg1/replication replicator 198.18.0.12/32]"];
  CHECK(hba["details"]["file"] == "/etc/postgresql/15/main/pg_hba.conf");
  CHECK(hba["details"]["placement"].is_string());
  CHECK(hba["checks"] == nlohmann::json::array({"hba_rules"}));
  CHECK(hba["edited_files"] == nlohmann::json::array({"/etc/postgresql/15/main/pg_hba.conf"}));

  const nlohmann::json& listen = by_address["setting[pg1/listen_addresses]"];
  CHECK(listen["details"] == nlohmann::json{{"name", "listen_addresses"},
                                            {"value", "*"},
                                            {"file", "/etc/postgresql/15/main/postgresql.conf"},
                                            {"write", true}});
  CHECK(listen["impact"] == "restart");
  CHECK(listen["server_step"] == "restart");
  CHECK(listen["checks"] == nlohmann::json::array({"file_settings"}));

  const nlohmann::json& clone = by_address["standby_clone[pg2]"];
  CHECK(clone["details"]["data_dir"] == "/var/lib/postgresql/15/main");
  CHECK(clone["details"]["aside"] == "/var/lib/postgresql/15/main.pgpair-20261201T120000Z");
  CHECK(clone["details"]["primary"] == nlohmann::json{{"host", "198.18.0.11"},
                                                      {"port", 5432},
                                                      {"user", "replicator"},
                                                      {"application_name", "pg2"}});
  CHECK(clone["details"]["major"] == 15);
  CHECK(clone["server_step"] == "start");
  // No field may hold a password: the manifest's is only a file name here,
  // and conninfos are typed without one.
  CHECK(document.dump().find("password=") == std::string::npos);
}

TEST_CASE("plan --json for a stopped server: a start with no details", "[planner][plan_report]") {
  FreshPair pair;
  pair.standby = pair.primary;
  pair.standby.name = "pg2";
  pair.standby.address = "198.18.0.12";
  pair.primary.server.running = false;
  nlohmann::json document = PlanToJson(MakePlan(pair.input));
  bool found = false;
  for (const nlohmann::json& change : document["changes"]) {
    if (change["address"] != "server_running[pg1]") continue;
    found = true;
    CHECK(change["details"].is_null());
    CHECK(change["server_step"] == "start");
    CHECK(change["before"] == "stopped");
  }
  CHECK(found);
}

}  // namespace
}  // namespace pgpair::testing

namespace pgpair::testing {
namespace {

size_t Count(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

TEST_CASE("The plan as a person reads it: each change with its reason, then the summary",
          "[planner][plan_report]") {
  FreshPair pair;
  Plan plan = MakePlan(pair.input);
  const std::string text = FormatPlan(plan, pair.manifest);
  INFO(text);
  // Every change once, with its action and impact, a reason, and a value
  // for every setting.
  for (const Change& change : plan.changes) {
    CHECK(Count(text, " " + change.address + "  (") == 1);
  }
  CHECK(Count(text, "      why: ") == plan.changes.size());
  CHECK(text.find("  + setting[pg1/listen_addresses]  (create, impact: restart)\n"
                  "      'localhost'  ->  '*'\n") != std::string::npos);
  CHECK(text.find("  -/+ standby_clone[pg2]  (replace, impact: re-clone)\n") != std::string::npos);
  // The last line sums it up per action and names each host's interruption.
  CHECK(text.substr(text.rfind("\n", text.size() - 2) + 1) ==
        "Plan: 9 changes (8 create, 1 replace); pg1: restart; pg2: re-clone.\n");
  // The password's source is named in the manifest, never its content.
  CHECK(text.find("/secret") == std::string::npos);
}

TEST_CASE("A blocked plan leads with its blockers, an empty one says the pair matches",
          "[planner][plan_report]") {
  FreshPair pair;
  Plan blocked;
  blocked.blockers.push_back({"pg2", "the data directory is not readable"});
  blocked.notes.push_back("pg1: a note");
  const std::string text = FormatPlan(blocked, pair.manifest);
  CHECK(text.rfind("  ! pg2: the data directory is not readable\n", 0) == 0);
  CHECK(text.find("  note: pg1: a note\n") != std::string::npos);
  CHECK(PlanSummary(blocked, pair.manifest) ==
        "Blocked: 1 problem must be solved first; Plan: 0 changes.");
  CHECK(FormatPlan(Plan{}, pair.manifest) == "No changes: the pair matches the manifest.\n");
}

}  // namespace
}  // namespace pgpair::testing
