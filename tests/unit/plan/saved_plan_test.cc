// Saved plans (`plan -o`, `apply PLAN`, `show PLAN`): the fingerprint of the
// facts a plan depends on, the file format, and the comparison of a saved
// plan with the one made again at apply time.

#include "engine/plan/saved_plan.h"

#include <catch2/catch.hpp>

#include "engine/output/plan_report.h"
#include "engine/plan/planner.h"
#include "tests/unit/gathered_facts.h"
#include "tests/unit/json_schema.h"

namespace pgpair::testing {
namespace {

using nlohmann::json;

constexpr char kManifest[] = R"(pair: sandbox
hosts:
  pg1: {address: 198.18.0.11, ssh: {user: root, key: /k, known_hosts: /kh}}
  pg2: {address: 198.18.0.12, ssh: {user: root, key: /k, known_hosts: /kh}}
primary: pg1
standby: pg2
replication: {role: replicator, password: {file: /secret}}
archive: {dir: /var/backups/pgsql/archive}
settings:
  primary: {listen_addresses: '*', wal_level: replica}
  standby: {hot_standby: on}
)";

// Two fresh clusters, as a first plan sees them.
struct FreshPair {
  Manifest manifest;
  HostFacts primary = GatheredFacts("gather/pg15_debian_running.txt", "pg1", "198.18.0.11");
  HostFacts standby = GatheredFacts("gather/pg15_debian_running.txt", "pg2", "198.18.0.12");

  FreshPair() {
    Result<Manifest> parsed = ParseManifest(kManifest, "/srv/pairs/sandbox.yaml");
    INFO(parsed.status().message());
    REQUIRE(parsed.ok());
    manifest = *parsed;
    standby.server.system_identifier = "7712359110385930221";
  }
  PlanFingerprint Fingerprint() const {
    return FingerprintFacts(manifest, primary, standby, std::nullopt);
  }
  PlanInput Input() const {
    PlanInput input;
    input.manifest = &manifest;
    input.primary = &primary;
    input.standby = &standby;
    input.timestamp = "20261201T120000Z";
    return input;
  }
};

// The item names of `differences` ("pg1: setting wal_level: ..." -> "pg1: setting wal_level").
std::vector<std::string> Items(const std::vector<std::string>& differences) {
  std::vector<std::string> items;
  for (const std::string& line : differences) {
    size_t second = line.find(": ", line.find(": ") + 2);
    items.push_back(line.substr(0, second));
  }
  return items;
}

TEST_CASE("the same facts give the same fingerprint", "[saved_plan][fingerprint]") {
  FreshPair pair;
  CHECK(FingerprintDifferences(pair.Fingerprint(), pair.Fingerprint()).empty());
  // Facts that change on every look are not part of it.
  PlanFingerprint before = pair.Fingerprint();
  pair.primary.server.start_time = "2030-01-01 00:00:00+00";
  pair.primary.server.postmaster_pid = 99999;
  pair.standby.replication.replay_lsn = "0/DEADBEEF";
  pair.primary.gather_seconds = 42;
  CHECK(FingerprintDifferences(before, pair.Fingerprint()).empty());
}

// Each case: one fact a plan depends on, changed between plan and apply,
// and the item that must name it.
TEST_CASE("each fact a plan depends on is named when it changes", "[saved_plan][fingerprint]") {
  struct Case {
    const char* what;
    std::function<void(FreshPair&)> change;
    std::string item;
  };
  const std::vector<Case> cases = {
      {"the standby re-initialised", [](FreshPair& p) { p.standby.server.system_identifier = "1"; },
       "pg2: system identifier"},
      {"the primary stopped", [](FreshPair& p) { p.primary.server.running = false; },
       "pg1: server"},
      {"an hba line edited", [](FreshPair& p) { p.primary.hba.lines->back().text += " # edited"; },
       "pg1: pg_hba.conf"},
      {"a configuration file line edited",
       [](FreshPair& p) { p.primary.file_settings->front().value = "'changed'"; },
       "pg1: configuration file lines"},
      {"a manifest setting changed",
       [](FreshPair& p) {
         for (SettingFact& s : *p.primary.settings) {
           if (s.name == "wal_level") s.value = "logical";
         }
       },
       "pg1: setting wal_level"},
      {"a setting waiting for a restart",
       [](FreshPair& p) {
         for (SettingFact& s : *p.standby.settings) {
           if (s.name == "hot_standby") s.pending_restart = true;
         }
       },
       "pg2: setting hot_standby"},
      {"the replication role created",
       [](FreshPair& p) {
         for (RoleFact& r : *p.primary.roles) {
           r.exists = true;
           r.can_login = true;
         }
       },
       "pg1: role replicator"},
      {"standby.signal written", [](FreshPair& p) { p.standby.recovery.standby_signal = true; },
       "pg2: recovery configuration"},
      {"the archive directory made",
       [](FreshPair& p) {
         p.primary.archive->exists = true;
         p.primary.archive->is_directory = true;
       },
       "pg1: archive directory"},
      {"a clone left a staging directory",
       [](FreshPair& p) {
         p.standby.layout.clone_leftovers =
             std::vector<std::string>{"/var/lib/postgresql/15/main.pgpair-staging"};
       },
       "pg2: layout"},
  };
  for (const Case& c : cases) {
    FreshPair pair;
    PlanFingerprint before = pair.Fingerprint();
    c.change(pair);
    INFO(c.what);
    std::vector<std::string> differences = FingerprintDifferences(before, pair.Fingerprint());
    INFO(json(differences).dump());
    CHECK(Items(differences) == std::vector<std::string>{c.item});
  }
}

TEST_CASE("a difference says what it was and what it is", "[saved_plan][fingerprint]") {
  FreshPair pair;
  PlanFingerprint before = pair.Fingerprint();
  for (SettingFact& s : *pair.primary.settings) {
    if (s.name == "wal_level") s.value = "logical";
  }
  CHECK(FingerprintDifferences(before, pair.Fingerprint()) ==
        std::vector<std::string>{
            "pg1: setting wal_level: \"replica\" when planned, \"logical\" now"});
}

TEST_CASE("the fingerprint holds no secret and survives JSON", "[saved_plan][fingerprint]") {
  FreshPair pair;
  pair.standby.recovery.primary_conninfo_password_sha256 = std::string(64, 'e');
  pair.standby.recovery.primary_conninfo = "host=198.18.0.11 user=replicator password=********";
  PlanFingerprint fingerprint = pair.Fingerprint();
  const std::string text = FingerprintToJson(fingerprint).dump();
  CHECK(text.find("eeeeeeeeeeee") == std::string::npos);
  Result<PlanFingerprint> back = FingerprintFromJson(json::parse(text));
  REQUIRE(back.ok());
  CHECK(back->items == fingerprint.items);
  CHECK_FALSE(FingerprintFromJson(json::parse(R"({"pg1: server": 1})")).ok());
  CHECK_FALSE(FingerprintFromJson(json::array()).ok());
}

SavedPlan SavedFrom(const FreshPair& pair, const Plan& plan) {
  SavedPlan saved;
  saved.created_at = "2026-12-01T12:00:00Z";
  saved.pgpair_version = "0.1.0";
  saved.manifest_path = "/srv/pairs/sandbox.yaml";
  saved.manifest_sha256 = std::string(64, 'a');
  saved.pair = "sandbox";
  saved.primary = {"pg1", "198.18.0.11"};
  saved.standby = {"pg2", "198.18.0.12"};
  saved.timestamp = "20261201T120000Z";
  saved.fingerprint = pair.Fingerprint();
  saved.plan = PlanToJson(plan);
  saved.plan["pair"] = "sandbox";
  saved.plan["apply_in_progress"] = json::array();
  return saved;
}

TEST_CASE("a saved plan is written and read back as it was, by its schema",
          "[saved_plan][schema]") {
  FreshPair pair;
  Plan plan = MakePlan(pair.Input());
  REQUIRE_FALSE(plan.changes.empty());
  SavedPlan saved = SavedFrom(pair, plan);
  json document = SavedPlanToJson(saved);
  const json schema = LoadSchema("saved-plan.schema.json");
  REQUIRE(schema.is_object());
  CHECK(SchemaViolations(document, schema, schema) == std::vector<std::string>{});
  CHECK(document["secrets"] == kSavedPlanSecrets);

  Result<SavedPlan> back = ParseSavedPlan(document.dump(), "p.json");
  INFO(back.status().message());
  REQUIRE(back.ok());
  CHECK(SavedPlanToJson(*back) == document);
  CHECK(LooksLikeSavedPlan(document.dump()));
}

TEST_CASE("what is not a saved plan of this version is refused, naming the file", "[saved_plan]") {
  CHECK_FALSE(LooksLikeSavedPlan(kManifest));
  CHECK_FALSE(LooksLikeSavedPlan("{pair: sandbox, primary: pg1}"));  // YAML flow style
  CHECK_FALSE(LooksLikeSavedPlan(R"({"pgpair_plan_version": 1})"));  // plan --json, not -o
  Result<SavedPlan> yaml = ParseSavedPlan(kManifest, "p.json");
  REQUIRE_FALSE(yaml.ok());
  CHECK(yaml.status().message() ==
        "p.json: not a saved plan (pgpair plan MANIFEST -o p.json writes one)");
  Result<SavedPlan> newer = ParseSavedPlan(R"({"pgpair_saved_plan_version": 2})", "p.json");
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.status().message().find("version 2, this pgpair reads version 1") !=
        std::string::npos);
  Result<SavedPlan> partial = ParseSavedPlan(R"({"pgpair_saved_plan_version": 1})", "p.json");
  REQUIRE_FALSE(partial.ok());
  CHECK(partial.status().message().find("p.json: a saved plan with a missing") == 0);
}

TEST_CASE("show prints a saved plan as plan printed it", "[saved_plan]") {
  FreshPair pair;
  Plan plan = MakePlan(pair.Input());
  SavedPlan saved = SavedFrom(pair, plan);
  Result<Plan> shown = PlanFromDocument(saved.plan);
  REQUIRE(shown.ok());
  CHECK(FormatPlan(*shown, ManifestForShowing(saved)) == FormatPlan(plan, pair.manifest));
  CHECK(PlanToJson(*shown) == PlanToJson(plan));
}

TEST_CASE("the plan made again is compared change by change", "[saved_plan]") {
  FreshPair pair;
  const json saved = PlanToJson(MakePlan(pair.Input()));
  CHECK(PlanDocumentDifferences(saved, saved).empty());

  SECTION("the reasons are for people: not compared") {
    json now = saved;
    now["changes"][0]["reason"] = "another wording";
    now["notes"].push_back("a note");
    CHECK(PlanDocumentDifferences(saved, now).empty());
  }
  SECTION("a change no longer needed, and one needed now") {
    json now = saved;
    const std::string gone = now["changes"][0]["address"];
    now["changes"].erase(0);
    CHECK(PlanDocumentDifferences(saved, now) ==
          std::vector<std::string>{gone + ": in the saved plan, no longer needed"});
    CHECK(PlanDocumentDifferences(now, saved) ==
          std::vector<std::string>{gone + ": needed now, not in the saved plan"});
  }
  SECTION("the same change made differently") {
    json now = saved;
    now["changes"][0]["impact"] = "restart";
    now["changes"][0]["details"] = json::object();
    const std::string address = now["changes"][0]["address"];
    CHECK(PlanDocumentDifferences(saved, now) ==
          std::vector<std::string>{address + ": planned differently now (details, impact)"});
  }
  SECTION("the same changes in another order") {
    json now = saved;
    std::swap(now["changes"][0], now["changes"][1]);
    CHECK(PlanDocumentDifferences(saved, now) ==
          std::vector<std::string>{"the order of the changes differs"});
  }
  SECTION("a blocker now") {
    json now = saved;
    now["blockers"].push_back({{"host", "pg2"}, {"message", "unreachable"}});
    REQUIRE(PlanDocumentDifferences(saved, now).size() == 1);
    CHECK(PlanDocumentDifferences(saved, now)[0].find("blockers: [] when planned") == 0);
  }
}

// The facts of a fresh pair, planned twice with the saved time, give the
// same plan: what apply PLAN relies on.
TEST_CASE("the same facts and time make the same plan", "[saved_plan]") {
  FreshPair pair;
  CHECK(PlanDocumentDifferences(PlanToJson(MakePlan(pair.Input())),
                                PlanToJson(MakePlan(pair.Input())))
            .empty());
}

}  // namespace
}  // namespace pgpair::testing
