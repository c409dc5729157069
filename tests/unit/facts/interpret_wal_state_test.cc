// gather.sh's wal_state section: the archiver's backlog and the newest
// timeline history file, which the switchover reads (resources/switchover.h).

#include <catch2/catch.hpp>

#include "engine/facts/facts_json.h"
#include "engine/facts/interpret.h"

namespace pgpair {
namespace {

HostFacts WithWalState(const std::string& out, int exit_status = 0) {
  GatherSections sections;
  sections["wal_state"] = {out, "", exit_status};
  HostFacts f;
  InterpretGather(sections, GatherRequest{}, &f);
  return f;
}

TEST_CASE("a promoted cluster's newest history file says where its timeline forked",
          "[interpret][switchover]") {
  // As PostgreSQL 15 wrote 00000002.history on the sandbox's pg2.
  HostFacts f = WithWalState(
      "ready 0\nhistory 00000002.history\n1\t0/5000110\tno recovery target "
      "specified\n");
  CHECK(f.replication.archive_ready_files == 0);
  REQUIRE(f.replication.timeline_fork.has_value());
  CHECK(f.replication.timeline_fork->timeline == 2);
  CHECK(f.replication.timeline_fork->parent == 1);
  CHECK(f.replication.timeline_fork->fork_lsn == "0/5000110");
  nlohmann::json json = HostFactsToJson(f);
  CHECK(json["replication"]["timeline_fork"]["fork_lsn"] == "0/5000110");
  CHECK(json["replication"]["archive_ready_files"] == 0);
}

TEST_CASE("timeline 0x1A, a backlog, no history, or no section", "[interpret][switchover]") {
  HostFacts hex = WithWalState("ready 12\nhistory 0000001A.history\n25\t3/AB000028\treason\n");
  CHECK(hex.replication.archive_ready_files == 12);
  REQUIRE(hex.replication.timeline_fork.has_value());
  CHECK(hex.replication.timeline_fork->timeline == 26);
  CHECK(hex.replication.timeline_fork->parent == 25);
  // A cluster that never forked has no history file: no fork.
  HostFacts never = WithWalState("ready 0\n");
  CHECK_FALSE(never.replication.timeline_fork);
  // Nothing gathered: both unknown.
  HostFacts none = WithWalState("", 1);
  CHECK_FALSE(none.replication.archive_ready_files);
  CHECK_FALSE(none.replication.timeline_fork);
}

}  // namespace
}  // namespace pgpair

namespace pgpair {
namespace {

HostFacts WithRecoveryTopic(const std::string& value) {
  GatherSections sections;
  // psql's line for the recovery topic, as the fixtures of
  // tests/fixtures/gather/ show it, with the archiver's failure count.
  sections["sql"] = {"{\"k\" : \"recovery\", \"v\" : " + value + "}\n", "", 0};
  HostFacts f;
  InterpretGather(sections, GatherRequest{}, &f);
  return f;
}

TEST_CASE("pg_stat_archiver's failed_count comes with the recovery topic, unknown without it",
          "[interpret][textfile]") {
  HostFacts failing = WithRecoveryTopic(
      "{\"receive_lsn\" : null, \"replay_lsn\" : null, \"replay_delay\" : null, "
      "\"current_lsn\" : \"0/3000148\", \"archive_failing\" : true, "
      "\"archive_failed_count\" : 17}");
  CHECK(failing.replication.archive_failed_count == 17);
  CHECK(failing.replication.archive_failing == true);
  CHECK(HostFactsToJson(failing)["replication"]["archive_failed_count"] == 17);
  // A script of before this field (the captured fixtures): unknown, not 0.
  HostFacts older =
      WithRecoveryTopic("{\"receive_lsn\" : null, \"replay_lsn\" : null, \"replay_delay\" : null}");
  CHECK_FALSE(older.replication.archive_failed_count);
  CHECK(HostFactsToJson(older)["replication"]["archive_failed_count"].is_null());
}

}  // namespace
}  // namespace pgpair
