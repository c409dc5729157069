#include "engine/cli/apply_in_progress.h"

#include <catch2/catch.hpp>

#include "tests/unit/resources/resource_support.h"

namespace pgpair::testing {
namespace {

ApplyHolderFact Holder(const std::string& machine, int pid) {
  ApplyHolderFact holder;
  holder.pair = "sandbox";
  holder.user = "root";
  holder.machine = machine;
  holder.pid = pid;
  holder.since = "2026-12-01T11:02:03Z";
  holder.lease_pid = 5151;
  return holder;
}

PairSession Session(std::optional<ApplyHolderFact> on_pg1, std::optional<ApplyHolderFact> on_pg2) {
  PairSession session;
  session.manifest = SandboxPair();
  HostFacts pg1, pg2;
  pg1.name = "pg1";
  pg2.name = "pg2";
  pg1.apply_in_progress = std::move(on_pg1);
  pg2.apply_in_progress = std::move(on_pg2);
  session.facts.hosts = {pg1, pg2};
  return session;
}

TEST_CASE("no holder on either host: no apply in progress", "[cli][lock]") {
  CHECK(FindAppliesInProgress(Session(std::nullopt, std::nullopt)).empty());
  CHECK(AppliesInProgressToJson({}) == nlohmann::json::array());
}

TEST_CASE("one pgpair holding both hosts is one apply in progress", "[cli][lock]") {
  std::vector<ApplyInProgress> applies =
      FindAppliesInProgress(Session(Holder("ctl1", 4242), Holder("ctl1", 4242)));
  REQUIRE(applies.size() == 1);
  CHECK(applies[0].hosts == std::vector<std::string>{"pg1", "pg2"});
  CHECK(DescribeApplyInProgress(applies[0]) ==
        "an apply is in progress on pg1 and pg2: user root on machine ctl1, pid 4242, since "
        "2026-12-01T11:02:03Z (pair sandbox)");
  Plan plan = PlanWhileApplying(applies);
  CHECK(plan.changes.empty());
  REQUIRE(plan.blockers.size() == 1);
  CHECK(plan.blockers[0].host.empty());
  CHECK_THAT(plan.blockers[0].message,
             Catch::StartsWith("an apply is in progress on pg1 and pg2: user root") &&
                 Catch::Contains("the plan is not made while it runs"));
  nlohmann::json json = AppliesInProgressToJson(applies);
  CHECK(json == nlohmann::json::parse(R"([{"hosts": ["pg1", "pg2"], "pair": "sandbox",
      "user": "root", "machine": "ctl1", "pid": 4242, "since": "2026-12-01T11:02:03Z"}])"));
}

TEST_CASE("two runs, or one host only, are named apart", "[cli][lock]") {
  std::vector<ApplyInProgress> applies =
      FindAppliesInProgress(Session(Holder("ctl1", 4242), Holder("ops7", 99)));
  REQUIRE(applies.size() == 2);
  CHECK(applies[0].hosts == std::vector<std::string>{"pg1"});
  CHECK(applies[1].hosts == std::vector<std::string>{"pg2"});
  CHECK(PlanWhileApplying(applies).blockers.size() == 2);
  applies = FindAppliesInProgress(Session(std::nullopt, Holder("ops7", 99)));
  REQUIRE(applies.size() == 1);
  CHECK_THAT(DescribeApplyInProgress(applies[0]),
             Catch::StartsWith("an apply is in progress on pg2: "));
}

}  // namespace
}  // namespace pgpair::testing
