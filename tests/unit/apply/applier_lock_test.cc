// The applier's side of the apply lock: nothing is changed once it is lost.

#include <catch2/catch.hpp>

#include "engine/apply/applier.h"
#include "resources/archive_dir.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair::testing {
namespace {

const char kLost[] = "pg2 (198.18.0.12): the apply lock was lost: no answer from the host for 11 s";

Plan OneArchiveChange() {
  Change change;
  change.resource = "archive_dir";
  change.address = "archive_dir[pg1:/var/backups/pgsql/archive]";
  change.host = "pg1";
  change.action = Action::kCreate;
  change.impact = Impact::kNone;
  change.after = "directory postgres:postgres 700";
  SetDetails(change, ArchiveDirDetails{"/var/backups/pgsql/archive", "postgres", 0700, "postgres"});
  Plan plan;
  plan.changes.push_back(change);
  return plan;
}

TEST_CASE("apply changes nothing once the lock is lost", "[apply][lock]") {
  FakePair pair;
  pair.context.lock_held = [] { return Status::Error(kLost); };
  Status applied = ApplyPlan(OneArchiveChange(), pair.context, ApplyTimings{});
  CHECK(applied.message() ==
        std::string(kLost) + "; stopping before archive_dir[pg1:/var/backups/pgsql/archive]");
  CHECK(pair.pg1.calls().empty());
  CHECK(pair.pg2.calls().empty());
}

TEST_CASE("apply checks the lock before each step, and stops at the first loss", "[apply][lock]") {
  FakePair pair;
  pair.primary.server.running = true;
  pair.pg1.OnCommand("", FakeTransport::Stdout(""));
  int checks = 0;
  pair.context.lock_held = [&checks] {
    return ++checks == 1 ? Status::Ok() : Status::Error(kLost);
  };
  // A change that needs a reload, as an hba rule does.
  Plan plan = OneArchiveChange();
  plan.changes[0].server_step = ServerStep::kReload;
  Status applied = ApplyPlan(plan, pair.context, ApplyTimings{});
  CHECK(applied.message() == std::string(kLost) + "; stopping before pg1's reload");
  CHECK(checks == 2);
  // The change itself ran; no reload or restart followed it.
  REQUIRE_FALSE(pair.pg1.calls().empty());
  for (const std::string& command : pair.pg1.commands()) {
    CHECK_THAT(command, !Catch::Contains("reload") && !Catch::Contains("restart"));
  }
}

}  // namespace
}  // namespace pgpair::testing
