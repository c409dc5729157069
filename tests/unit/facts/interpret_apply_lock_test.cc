// The apply lock's holder record in the facts: an apply in progress only
// while its lease runs.

#include <catch2/catch.hpp>

#include "engine/facts/facts_json.h"
#include "engine/facts/interpret.h"
#include "tests/unit/gathered_facts.h"

namespace pgpair::testing {
namespace {

TEST_CASE("a live lease's record is an apply in progress", "[interpret][lock]") {
  HostFacts f = GatheredFacts("gather/pg15_debian_applying.txt");
  REQUIRE(f.apply_in_progress.has_value());
  CHECK(f.apply_in_progress->pair == "sandbox");
  CHECK(f.apply_in_progress->user == "root");
  CHECK(f.apply_in_progress->machine == "vm");
  CHECK(f.apply_in_progress->pid == 17367);
  CHECK(f.apply_in_progress->since == "2026-12-01T11:47:02Z");
  CHECK(f.apply_in_progress->lease_pid == 17430);
  // The rest of the facts are read as always.
  CHECK(f.server.running == true);
  nlohmann::json json = HostFactsToJson(f);
  CHECK(json["apply_in_progress"]["pid"] == 17367);
  CHECK(json["apply_in_progress"]["machine"] == "vm");
}

TEST_CASE("a record whose lease is gone, or none, is no apply in progress", "[interpret][lock]") {
  CHECK_FALSE(GatheredFacts("gather/pg15_debian_stale_lock.txt").apply_in_progress);
  // Gathered before the lock existed: no apply_lock section at all.
  HostFacts old = GatheredFacts("gather/pg15_debian_running.txt");
  CHECK_FALSE(old.apply_in_progress);
  CHECK(HostFactsToJson(old)["apply_in_progress"].is_null());
}

TEST_CASE("of several lock directories, the one whose lease runs counts", "[interpret][lock]") {
  GatherSections sections;
  sections["apply_lock"] = {
      "dir=/run/pgpair\npair=old\nuser=root\nmachine=ctl1\npid=10\nlease_pid=11\n"
      "lease_start=5\nlease_alive=no\n"
      "dir=/tmp/pgpair-lock-root\npair=sandbox\nuser=alice\nmachine=ops7\npid=20\n"
      "since=2026-12-01T10:00:00Z\nlease_pid=21\nlease_start=6\nlease_alive=yes\n",
      "", 0};
  HostFacts f;
  InterpretGather(sections, GatherRequest{}, &f);
  REQUIRE(f.apply_in_progress.has_value());
  CHECK(f.apply_in_progress->user == "alice");
  CHECK(f.apply_in_progress->pid == 20);
}

}  // namespace
}  // namespace pgpair::testing
