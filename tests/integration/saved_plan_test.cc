// Saved plans on the sandbox pair: `plan -o` then `apply PLAN` makes exactly
// that plan; a plan whose hosts or manifest changed in between is refused,
// naming what changed, and nothing is applied.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {
namespace {

using nlohmann::json;

// A copy of examples/sandbox.yaml that a test may edit (its paths are absolute).
struct ManifestCopy {
  TempDir dir;
  std::string path = dir.Write("sandbox.yaml", ReadText(Example("sandbox.yaml")));
  std::string plan = dir.path() + "/plan.json";
};

void RequireValid(const std::string& schema, const std::string& document_path) {
  CommandResult valid = ValidateAgainstSchema(schema, document_path);
  INFO("schemas/" << schema << " on " << document_path << ": " << valid.out << valid.err);
  CHECK(valid.out == "valid\n");
}

struct Saved {
  json document;
  std::string listing;  // the plan as `plan -o` printed it, header aside
};

// `plan -o`, on a fresh pair: exit 2 (changes needed) and a valid file.
Saved SavePlan(const ManifestCopy& copy) {
  CommandResult run = Pgpair("plan " + copy.path + " -o " + copy.plan);
  INFO("pgpair plan -o: exit " << run.exit_status << "\n" << run.out << run.err);
  REQUIRE(run.exit_status == 2);
  CHECK(run.out.find("Saved to " + copy.plan) != std::string::npos);
  RequireValid("saved-plan.schema.json", copy.plan);
  json saved = json::parse(ReadText(copy.plan));
  TempDir dir;
  RequireValid("plan.schema.json", dir.Write("plan.json", saved["plan"].dump()));
  size_t from = run.out.find("\n\n");
  size_t to = run.out.find("\nSaved to ");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  return {saved, run.out.substr(from, to - from)};
}

std::string ReplicatorCount() {
  return SqlOnHost("pg1", "SELECT count(*) FROM pg_roles WHERE rolname = 'replicator'").out;
}

std::string StandbySystemIdentifier() {
  return OnHost("pg2",
                "/usr/lib/postgresql/15/bin/pg_controldata /var/lib/postgresql/15/main | "
                "sed -n 's/^Database system identifier: *//p'")
      .out;
}

// What a refused apply must leave: the fresh pair as it was.
void RequireNothingApplied(const std::string& standby_id) {
  CHECK(ReplicatorCount() == "0\n");
  CHECK(StandbySystemIdentifier() == standby_id);
  CHECK(OnHost("pg1", "test -e /var/backups/pgsql/archive").exit_status != 0);
}

TEST_CASE("plan -o, show, apply PLAN: the saved plan is made exactly", "[saved_plan]") {
  FreshSandbox();
  ManifestCopy copy;
  Saved made = SavePlan(copy);
  const json& saved = made.document;
  std::vector<std::string> addresses;
  for (const json& change : saved["plan"]["changes"]) addresses.push_back(change["address"]);
  CHECK(std::find(addresses.begin(), addresses.end(), "standby_clone[pg2]") != addresses.end());

  // It holds no secret, and says so.
  std::string password = ReadText("/var/lib/pgpair-sandbox/replication-password");
  while (!password.empty() && password.back() == '\n') password.pop_back();
  REQUIRE_FALSE(password.empty());
  CHECK(ReadText(copy.plan).find(password) == std::string::npos);
  CHECK(saved["secrets"].get<std::string>().rfind("none", 0) == 0);

  // show prints it as plan did, without contacting a host.
  CommandResult show = Pgpair("show " + copy.plan);
  INFO(show.out << show.err << "plan -o printed:" << made.listing);
  CHECK(show.exit_status == 0);
  CHECK(show.out.find(made.listing) != std::string::npos);
  CommandResult show_json = Pgpair("show --json " + copy.plan);
  CHECK(show_json.exit_status == 0);
  TempDir dir;
  RequireValid("plan.schema.json", dir.Write("show.json", show_json.out));
  CHECK(json::parse(show_json.out) == saved["plan"]);

  // The saved plan needs no --auto-approve: it is what was approved.
  const std::string log = copy.dir.path() + "/pgpair.log";
  CommandResult apply = Pgpair("--log-file " + log + " apply " + copy.plan);
  INFO("pgpair apply PLAN: exit " << apply.exit_status << "\n" << apply.out << apply.err);
  REQUIRE(apply.exit_status == 0);
  CHECK(apply.out.find("the hosts and the manifest are as they were") != std::string::npos);
  CHECK(apply.out.find("the pair matches the manifest") != std::string::npos);
  CHECK(Pgpair("check " + copy.path).exit_status == 0);
  CHECK(apply.out.find(password) == std::string::npos);
  // The full log (debug level) of the run holds no secret either.
  const std::string logged = ReadText(log);
  CHECK(logged.find("apply " + copy.plan) != std::string::npos);
  CHECK(logged.find("exit status 0") != std::string::npos);
  CHECK(logged.find(password) == std::string::npos);

  // Once made, the plan is stale: the hosts are no longer what it was made from.
  CommandResult again = Pgpair("apply " + copy.plan);
  INFO(again.out << again.err);
  CHECK(again.exit_status == 1);
  CHECK(again.err.find("is stale: the hosts changed since it was made") != std::string::npos);
  CHECK(again.err.find("pg1: role replicator") != std::string::npos);
  // The same refusal as apply --json reports it.
  CommandResult refused = Pgpair("apply --json " + copy.plan);
  CHECK(refused.exit_status == 1);
  RequireValid("apply.schema.json", dir.Write("refused.json", refused.out));
  json report = json::parse(refused.out);
  CHECK(report["result"] == "refused");
  CHECK(report["saved_plan"] == copy.plan);
  CHECK(report["steps"].empty());
  CHECK(report["message"].get<std::string>().find("is stale") != std::string::npos);
}

TEST_CASE("a saved plan whose hosts drifted is refused, naming the drift", "[saved_plan]") {
  FreshSandbox();
  ManifestCopy copy;
  SavePlan(copy);
  const std::string standby_id = StandbySystemIdentifier();
  REQUIRE_FALSE(standby_id.empty());
  // Someone edits the primary's pg_hba.conf and a setting between plan and apply.
  REQUIRE(OnHost("pg1",
                 "echo 'host all all 10.9.9.9/32 reject' >> /etc/postgresql/15/main/pg_hba.conf && "
                 "runuser -u postgres -- psql -X -q -c \"ALTER SYSTEM SET wal_level = logical\"")
              .exit_status == 0);
  const std::string log = copy.dir.path() + "/pgpair.log";
  CommandResult apply = Pgpair("--log-file " + log + " apply " + copy.plan);
  INFO("pgpair apply PLAN: exit " << apply.exit_status << "\n" << apply.out << apply.err);
  CHECK(apply.exit_status == 1);
  CHECK(apply.err.find("is stale: the hosts changed since it was made") != std::string::npos);
  CHECK(apply.err.find("pg1: pg_hba.conf: ") != std::string::npos);
  CHECK(apply.err.find("pg1: configuration file lines: ") != std::string::npos);
  CHECK(apply.err.find("nothing was changed; make a new plan") != std::string::npos);
  RequireNothingApplied(standby_id);
}

TEST_CASE("a saved plan whose manifest was edited is refused before any host is contacted",
          "[saved_plan]") {
  FreshSandbox();
  ManifestCopy copy;
  SavePlan(copy);
  const std::string standby_id = StandbySystemIdentifier();
  copy.dir.Write("sandbox.yaml",
                 Replaced(ReadText(copy.path), "max_wal_senders: 10", "max_wal_senders: 12"));
  const std::string log = copy.dir.path() + "/pgpair.log";
  CommandResult apply = Pgpair("--log-file " + log + " apply " + copy.plan);
  INFO("pgpair apply PLAN: exit " << apply.exit_status << "\n" << apply.out << apply.err);
  CHECK(apply.exit_status == 1);
  CHECK(apply.err.find("the manifest " + copy.path + " changed since the plan was made") !=
        std::string::npos);
  CHECK(apply.out.empty());
  RequireNothingApplied(standby_id);
}

}  // namespace
}  // namespace pgpair::testing
