// apply --json's report (engine/cli/apply_report.h): the steps as they ran,
// in order, with their results and messages, and the outcome; conforming to
// schemas/apply.schema.json's own part (the plans are plan.schema.json's).

#include "engine/cli/apply_report.h"

#include <catch2/catch.hpp>

#include "tests/unit/json_schema.h"

namespace pgpair {
namespace {

using nlohmann::json;

TEST_CASE("the report lists the steps as they ran, a failed one last", "[apply][json]") {
  ApplyReport report;
  report.SetPair("sandbox");
  report.Progress("said before any step: belongs to none");
  report.StepStarted("keep_configuration", "copy the configuration files at stake", "pg1");
  report.StepFinished(Status::Ok());
  report.StepStarted("change", "setting[pg1/wal_level]", "pg1");
  report.Progress("pg1: wal_level = replica in /etc/postgresql/15/main/postgresql.conf");
  report.StepFinished(Status::Ok());
  report.AddChangesMade(1);
  report.StepStarted("server_step", "restart", "pg1");
  report.StepFinished(Status::Error("pg1 (198.18.0.11): the server did not restart"));
  json document = report.Finish("failed", "pgpair: apply failed: the server did not restart");

  CHECK(document["pgpair_apply_version"] == 1);
  CHECK(document["pair"] == "sandbox");
  CHECK(document["saved_plan"].is_null());
  CHECK(document["result"] == "failed");
  CHECK(document["changes_made"] == 1);
  const json& steps = document["steps"];
  REQUIRE(steps.size() == 3);
  CHECK(steps[0]["messages"].empty());
  CHECK(steps[1]["name"] == "setting[pg1/wal_level]");
  CHECK(steps[1]["messages"] ==
        json::array({"pg1: wal_level = replica in /etc/postgresql/15/main/postgresql.conf"}));
  CHECK(steps[1]["result"] == "ok");
  CHECK(steps[1]["error"].is_null());
  CHECK(steps[2]["result"] == "failed");
  CHECK(steps[2]["error"] == "pg1 (198.18.0.11): the server did not restart");
  for (const json& step : steps) CHECK(step["duration_seconds"].get<double>() >= 0);

  // The schema's own part; its "plans" refer to plan.schema.json, which the
  // end-to-end tests check with a full validator.
  json schema = testing::LoadSchema("apply.schema.json");
  REQUIRE(schema.is_object());
  json own = schema;
  own["properties"]["plans"] = {{"type", "array"}};
  CHECK(testing::SchemaViolations(document, own, own) == std::vector<std::string>{});
}

TEST_CASE("a step still running when the run ends has no duration", "[apply][json]") {
  ApplyReport report;
  report.SetSavedPlan("/tmp/p.json");
  report.StepStarted("wait", "the standby streams", "pg2");
  json document = report.Finish("failed", "stopped");
  CHECK(document["saved_plan"] == "/tmp/p.json");
  CHECK(document["steps"][0]["result"] == "running");
  CHECK(document["steps"][0]["duration_seconds"].is_null());
  CHECK(document["pair"].is_null());
}

}  // namespace
}  // namespace pgpair
