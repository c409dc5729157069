// A failover done by hand (the primary stopped hard, the standby promoted
// and written on, the old primary started again as a primary of its own),
// then the rejoin (issue 11): refused while the manifest still names the old
// primary; refused after the swap without --allow-overwrite-primary, saying
// how far the old primary diverged; with it, the old primary is stopped and
// cloned again from the new one, its data moved aside, never deleted.
// (pg_rewind is not planned yet: this is the path without wal_log_hints or
// checksums, which Debian's cluster has by default.)

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/integration/fault_support.h"

namespace pgpair::testing {
namespace {

const std::string kManifest = Example("sandbox.yaml");

TEST_CASE("rejoin after a failover by hand: refused, then re-cloned with the old data kept",
          "[switchover][rejoin]") {
  FreshSandbox();
  CommandResult apply = PgpairWithin(300, "apply --auto-approve " + kManifest);
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_status == 0);
  REQUIRE(SqlOnHost("pg1",
                    "CREATE TABLE failover_rows (what text); INSERT INTO failover_rows "
                    "VALUES ('before')")
              .exit_status == 0);
  // Replayed on pg2 before the failover.
  REQUIRE(
      WaitUntil([] { return SqlOnHost("pg2", "SELECT what FROM failover_rows").out == "before\n"; },
                std::chrono::seconds(20)));

  // The failover: pg1 dies, pg2 is promoted and written on, pg1 comes back
  // as a primary and is written on too.
  REQUIRE(OnHost("pg1", "pg_ctlcluster 15 main stop -m immediate").exit_status == 0);
  REQUIRE(SqlOnHost("pg2", "SELECT pg_promote()").out == "t\n");
  REQUIRE(SqlOnHost("pg2", "INSERT INTO failover_rows VALUES ('on pg2')").exit_status == 0);
  REQUIRE(OnHost("pg1", "pg_ctlcluster 15 main start").exit_status == 0);
  REQUIRE(SqlOnHost("pg1",
                    "INSERT INTO failover_rows SELECT 'diverged on pg1' FROM "
                    "generate_series(1, 1000)")
              .exit_status == 0);

  // The manifest unchanged: a split brain, refused.
  CommandResult unchanged = PgpairWithin(120, "plan " + kManifest);
  INFO(unchanged.out << unchanged.err);
  CHECK(unchanged.exit_status == 1);
  CHECK(unchanged.out.find("split brain") != std::string::npos);

  // Swapped: refused without the flag, saying how far pg1 diverged.
  TempDir dir;
  const std::string swapped = dir.path() + "/swapped.yaml";
  std::ofstream(swapped) << Replaced(ReadText(kManifest), "primary: pg1\nstandby: pg2",
                                     "primary: pg2\nstandby: pg1");
  CommandResult refused = PgpairWithin(120, "plan " + swapped);
  INFO(refused.out << refused.err);
  CHECK(refused.exit_status == 1);
  CHECK(refused.out.find("pg2's timeline 2 forked from timeline 1 at") != std::string::npos);
  CHECK(refused.out.find("of WAL after the fork, whose transactions are not kept; it still runs "
                         "as a primary and takes writes") != std::string::npos);
  CHECK(refused.out.find("--allow-overwrite-primary") != std::string::npos);
  CHECK(SqlOnHost("pg1", "SELECT pg_is_in_recovery()").out == "f\n");  // untouched

  // With the operator's word: pg1 stopped, cloned from pg2, its data kept.
  CommandResult rejoined =
      PgpairWithin(300, "apply --auto-approve --allow-overwrite-primary " + swapped);
  INFO(rejoined.out << rejoined.err);
  CHECK(rejoined.exit_status == 0);
  CHECK(SqlOnHost("pg1", "SELECT pg_is_in_recovery()").out == "t\n");
  CHECK(SqlOnHost("pg1", "SELECT string_agg(DISTINCT what, ',' ORDER BY what) FROM failover_rows")
            .out == "before,on pg2\n");
  CHECK(OnHost("pg1", "ls -d " + kDataDir + ".pgpair-*/PG_VERSION").exit_status == 0);
  CHECK(PgpairWithin(120, "verify " + swapped).exit_status == 0);
  CHECK(PgpairWithin(120, "plan " + swapped).exit_status == 0);
}

}  // namespace
}  // namespace pgpair::testing
