#include "resources/server_running.h"

#include <catch2/catch.hpp>

#include "tests/unit/gathered_facts.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

Plan Diff(const Manifest& m, const HostFacts& primary, const HostFacts& standby) {
  return testing::DiffResource(ServerRunningResource(), m, primary, standby);
}

TEST_CASE("A stopped server is planned to start", "[server_running]") {
  Manifest m = testing::SandboxPair();
  HostFacts primary = testing::GatheredFacts("gather/pg15_debian_running.txt", "pg1");
  HostFacts standby = testing::GatheredFacts("gather/pg15_debian_stopped.txt", "pg2");
  Plan plan = Diff(m, primary, standby);
  REQUIRE(plan.changes.size() == 1);
  CHECK(plan.changes[0].address == "server_running[pg2]");
  // A stopped server has nothing to interrupt: a start, not a restart.
  CHECK(plan.changes[0].impact == Impact::kNone);
  CHECK(plan.changes[0].server_step == ServerStep::kStart);
  CHECK(plan.blockers.empty());
  CHECK(Diff(m, primary, primary).changes.empty());
}

TEST_CASE("A stopped server without a pg_ctl of its major is not started blindly",
          "[server_running]") {
  Manifest m = testing::SandboxPair();
  HostFacts primary = testing::GatheredFacts("gather/pg12_pgctl_running.txt", "pg1");
  // Found in /var/lib/pgsql/12/data, with no bin dir of 12 in the usual places.
  HostFacts standby = testing::GatheredFacts("gather/pg12_pgctl_stopped.txt", "pg2");
  REQUIRE_FALSE(standby.layout.bin_dir);
  Plan plan = Diff(m, primary, standby);
  CHECK(plan.changes.empty());
  REQUIRE(plan.blockers.size() == 1);
  CHECK(plan.blockers[0].host == "pg2");
  CHECK_THAT(plan.blockers[0].message, Catch::Contains("found no pg_ctl of PostgreSQL 12") &&
                                           Catch::Contains("declare hosts.pg2.postgres.bin_dir"));

  SECTION("a declared service starts it its own way") {
    m.hosts[1].postgres.service = ServiceManager::kSystemctl;
    m.hosts[1].postgres.systemd_unit = "postgresql-12";
    Plan with_service = Diff(m, primary, standby);
    CHECK(with_service.blockers.empty());
    CHECK(with_service.changes.size() == 1);
  }
  SECTION("a known bin dir is enough") {
    standby.layout.bin_dir = "/opt/pgsql-12/bin";
    CHECK(Diff(m, primary, standby).blockers.empty());
  }
}

}  // namespace
}  // namespace pgpair
