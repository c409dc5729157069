// Every command's --json on the sandbox pair is a document of its schema in
// schemas/, validated by a full JSON Schema validator (scripts/validate-json).

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {
namespace {

using nlohmann::json;

const std::string kManifest = Example("sandbox.yaml");

// Runs `pgpair ARGUMENTS`, requires `exit_status`, validates its stdout
// against schemas/`schema` and returns it parsed.
json Document(const std::string& arguments, int exit_status, const std::string& schema) {
  CommandResult run = Pgpair(arguments);
  INFO("pgpair " << arguments << ": exit " << run.exit_status << "\n" << run.out << run.err);
  REQUIRE(run.exit_status == exit_status);
  TempDir dir;
  CommandResult valid = ValidateAgainstSchema(schema, dir.Write("out.json", run.out));
  INFO("schemas/" << schema << ": " << valid.out << valid.err);
  CHECK(valid.out == "valid\n");
  return json::parse(run.out);
}

TEST_CASE("facts, plan, apply, check and verify --json follow their schemas", "[json]") {
  FreshSandbox();
  Document("facts --json " + kManifest, 0, "facts.schema.json");
  json plan = Document("plan --json " + kManifest, 2, "plan.schema.json");
  json drift = Document("check --json " + kManifest, 2, "check.schema.json");
  CHECK(drift["status"] == "drift");
  CHECK(drift["streaming"] == false);

  json applied = Document("apply --json --auto-approve " + kManifest, 0, "apply.schema.json");
  CHECK(applied["result"] == "applied");
  // The same changes as plan's (their moved-aside names carry apply's own time).
  auto addresses = [](const json& document) {
    std::vector<std::string> list;
    for (const json& change : document["changes"]) list.push_back(change["address"]);
    return list;
  };
  CHECK(addresses(applied["plans"][0]) == addresses(plan));
  // The steps as they ran: every change of the plans, each with its time.
  std::vector<std::string> changed;
  for (const json& step : applied["steps"]) {
    INFO(step.dump());
    CHECK(step["result"] == "ok");
    CHECK(step["duration_seconds"].is_number());
    if (step["kind"] == "change") changed.push_back(step["name"]);
  }
  size_t planned = 0;
  for (const json& round : applied["plans"]) planned += round["changes"].size();
  CHECK(changed.size() == planned);
  CHECK(applied["changes_made"] == planned);
  CHECK(std::find(changed.begin(), changed.end(), "standby_clone[pg2]") != changed.end());
  CHECK(applied["steps"].back()["kind"] == "wait");

  json converged = Document("check --json " + kManifest, 0, "check.schema.json");
  CHECK(converged["status"] == "converged");
  CHECK(converged["login_check"]["succeeded"] == true);
  json verified = Document("verify --json " + kManifest, 0, "verify.schema.json");
  CHECK(verified["verified"] == true);
  CHECK(verified["checks"].size() == 3);
  CHECK(verified["canary_seconds"].is_number());

  json again = Document("apply --json --auto-approve " + kManifest, 0, "apply.schema.json");
  CHECK(again["result"] == "no_changes");
  CHECK(again["steps"].empty());
}

}  // namespace
}  // namespace pgpair::testing
