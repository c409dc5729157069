// The applier's order: the primary's changes, then the standby's, whatever
// order the plan lists them in, and nothing on the standby once the
// primary's part failed.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/apply/applier.h"
#include "resources/archive_dir.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair::testing {
namespace {

Change ArchiveChange(const std::string& host, const std::string& dir) {
  Change change;
  change.resource = "archive_dir";
  change.address = "archive_dir[" + host + ":" + dir + "]";
  change.host = host;
  change.action = Action::kCreate;
  SetDetails(change, ArchiveDirDetails{dir, "postgres", 0700, "postgres"});
  return change;
}

// The steps as apply --json reports them: "kind name@host".
struct StepLog {
  std::vector<std::string> steps;
  void Attach(ApplyContext& context) {
    context.step_started = [this](const std::string& kind, const std::string& name,
                                  const std::string& host) {
      steps.push_back(kind + " " + name + "@" + host);
    };
  }
};

TEST_CASE("apply makes the primary's changes first, then the standby's", "[apply]") {
  FakePair pair;
  pair.manifest.standby_streaming = false;  // no wait at the end: the fakes do not stream
  pair.primary.server.running = true;        // no server step: archive_dir needs none
  pair.standby.server.running = true;
  pair.pg1.OnCommand("", FakeTransport::Stdout(""));
  pair.pg2.OnCommand("", FakeTransport::Stdout(""));
  StepLog log;
  log.Attach(pair.context);
  Plan plan;
  plan.changes = {ArchiveChange("pg2", "/b"), ArchiveChange("pg1", "/a"),
                  ArchiveChange("pg2", "/c")};
  REQUIRE(ApplyPlan(plan, pair.context, ApplyTimings{}).ok());
  CHECK(log.steps == std::vector<std::string>{
                         "keep_configuration copy the configuration files at stake@pg1",
                         "change archive_dir[pg1:/a]@pg1",
                         "keep_configuration copy the configuration files at stake@pg2",
                         "change archive_dir[pg2:/b]@pg2", "change archive_dir[pg2:/c]@pg2"});
}

TEST_CASE("apply stops at the primary's failed change and leaves the standby alone", "[apply]") {
  FakePair pair;
  pair.manifest.standby_streaming = false;
  pair.pg1.OnCommand("", FakeTransport::Exit(1, "mkdir: cannot create directory: Read-only"));
  pair.pg2.OnCommand("", FakeTransport::Stdout(""));
  Plan plan;
  plan.changes = {ArchiveChange("pg2", "/b"), ArchiveChange("pg1", "/a")};
  Status applied = ApplyPlan(plan, pair.context, ApplyTimings{});
  CHECK_FALSE(applied.ok());
  CHECK_THAT(applied.message(), Catch::Contains("archive_dir[pg1:/a]"));
  CHECK(pair.pg2.calls().empty());
}

}  // namespace
}  // namespace pgpair::testing
