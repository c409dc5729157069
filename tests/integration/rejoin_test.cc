// A failover done by hand (the primary stopped hard, the standby promoted
// and written on, the old primary started again as a primary of its own),
// then the rejoin (issue 11): refused while the manifest still names the old
// primary; after the swap, refused while the old primary still takes writes
// unless --allow-overwrite-primary, saying how far it diverged; then
// rewound with pg_rewind (pgpair's first apply turned wal_log_hints on and
// let the replication role run pg_rewind), its WAL kept first; or, with
// wal_log_hints declared off, cloned again with its data moved aside.

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "tests/integration/fault_support.h"

namespace pgpair::testing {
namespace {

const std::string kManifest = Example("sandbox.yaml");

// Applies `manifest`, then fails over by hand: pg1 dies, pg2 is promoted and
// written on, pg1 comes back as a primary and is written on too.
void ApplyThenFailOverByHand(const std::string& manifest) {
  CommandResult apply = PgpairWithin(300, "apply --auto-approve " + manifest);
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
  REQUIRE(OnHost("pg1", "pg_ctlcluster 15 main stop -m immediate").exit_status == 0);
  REQUIRE(SqlOnHost("pg2", "SELECT pg_promote()").out == "t\n");
  REQUIRE(SqlOnHost("pg2", "INSERT INTO failover_rows VALUES ('on pg2')").exit_status == 0);
  REQUIRE(OnHost("pg1", "pg_ctlcluster 15 main start").exit_status == 0);
  REQUIRE(SqlOnHost("pg1",
                    "INSERT INTO failover_rows SELECT 'diverged on pg1' FROM "
                    "generate_series(1, 1000)")
              .exit_status == 0);
}

std::string Swapped(const std::string& manifest_text, const std::string& path) {
  std::ofstream(path) << Replaced(manifest_text, "primary: pg1\nstandby: pg2",
                                  "primary: pg2\nstandby: pg1");
  return path;
}

void ExpectRejoined(const std::string& manifest) {
  CHECK(SqlOnHost("pg1", "SELECT pg_is_in_recovery()").out == "t\n");
  CHECK(SqlOnHost("pg1", "SELECT string_agg(DISTINCT what, ',' ORDER BY what) FROM failover_rows")
            .out == "before,on pg2\n");
  CHECK(SqlOnHost("pg2", "SELECT pg_is_in_recovery()").out == "f\n");
  CHECK(PgpairWithin(120, "verify " + manifest).exit_status == 0);
  CommandResult again = PgpairWithin(120, "plan " + manifest);
  INFO(again.out << again.err);
  CHECK(again.exit_status == 0);
}

TEST_CASE("rejoin after a failover by hand: refused, then rewound with pg_rewind",
          "[switchover][rejoin]") {
  FreshSandbox();
  ApplyThenFailOverByHand(kManifest);
  // pgpair's apply prepared both hosts for a rewind.
  CHECK(SqlOnHost("pg1", "SHOW wal_log_hints").out == "on\n");
  CHECK(SqlOnHost("pg2", "SHOW wal_log_hints").out == "on\n");

  // The manifest unchanged: a split brain, refused, with the advice to swap.
  CommandResult unchanged = PgpairWithin(120, "plan " + kManifest);
  INFO(unchanged.out << unchanged.err);
  CHECK(unchanged.exit_status == 1);
  CHECK(unchanged.out.find("split brain") != std::string::npos);
  CHECK(unchanged.out.find("swap primary and standby in the manifest") != std::string::npos);

  // Swapped, while pg1 still takes writes: refused without the flag, saying
  // how far pg1 diverged and that it would be rewound.
  TempDir dir;
  const std::string swapped = Swapped(ReadText(kManifest), dir.path() + "/swapped.yaml");
  CommandResult refused = PgpairWithin(120, "plan " + swapped);
  INFO(refused.out << refused.err);
  CHECK(refused.exit_status == 1);
  CHECK(refused.out.find("pg2's timeline 2 forked from timeline 1 at") != std::string::npos);
  CHECK(refused.out.find("of WAL after the fork, whose transactions are not kept; it still runs "
                         "as a primary and takes writes") != std::string::npos);
  CHECK(
      refused.out.find("rewind it from pg2 with pg_rewind, plan with --allow-overwrite-primary") !=
      std::string::npos);
  CHECK(refused.out.find("swap primary and standby") == std::string::npos);  // already swapped
  CHECK(SqlOnHost("pg1", "SELECT pg_is_in_recovery()").out == "f\n");        // untouched

  // pg1 dies again, hard: stopped, it takes no writes, and the rewind needs
  // no flag; pgpair finishes pg1's crash recovery in single-user mode first.
  REQUIRE(OnHost("pg1", "pg_ctlcluster 15 main stop -m immediate").exit_status == 0);
  CommandResult plan = PgpairWithin(120, "plan " + swapped);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 2);  // changes planned
  CHECK(plan.out.find("standby_rewind[pg1]") != std::string::npos);
  CHECK(plan.out.find("standby_clone[pg1]") == std::string::npos);

  CommandResult rejoined = PgpairWithin(300, "apply --auto-approve " + swapped);
  INFO(rejoined.out << rejoined.err);
  CHECK(rejoined.exit_status == 0);
  CHECK(rejoined.out.find("pg_rewind") != std::string::npos);
  // pg1's WAL, with the 1000 rows written after the fork, is kept; its data
  // directory was rewound in place, not moved aside.
  CHECK(OnHost("pg1", "ls " + kDataDir + ".pgpair-*/pg_wal/000000010000000000000003").exit_status ==
        0);
  CHECK(OnHost("pg1", "ls -d " + kDataDir + ".pgpair-*/PG_VERSION").exit_status != 0);
  CHECK(OnHost("pg1", "test -e " + kDataDir + ".pgpair-rewinding").exit_status != 0);
  ExpectRejoined(swapped);
}

TEST_CASE("rejoin without wal_log_hints: cloned again with the old data kept",
          "[switchover][rejoin]") {
  FreshSandbox();
  TempDir dir;
  // The operator declines wal_log_hints on both hosts.
  const std::string no_hints = dir.path() + "/no-hints.yaml";
  std::ofstream(no_hints) << Replaced(
      Replaced(ReadText(kManifest), "    listen_addresses: '*'",
               "    listen_addresses: '*'\n    wal_log_hints: 'off'"),
      "    hot_standby: on", "    hot_standby: on\n    wal_log_hints: 'off'");
  ApplyThenFailOverByHand(no_hints);
  CHECK(SqlOnHost("pg1", "SHOW wal_log_hints").out == "off\n");

  const std::string swapped = Swapped(ReadText(no_hints), dir.path() + "/swapped.yaml");
  CommandResult refused = PgpairWithin(120, "plan " + swapped);
  INFO(refused.out << refused.err);
  CHECK(refused.exit_status == 1);
  CHECK(refused.out.find("clone it from pg2 again, plan with --allow-overwrite-primary") !=
        std::string::npos);

  // With the operator's word: pg1 stopped, cloned from pg2, its data kept.
  CommandResult rejoined =
      PgpairWithin(300, "apply --auto-approve --allow-overwrite-primary " + swapped);
  INFO(rejoined.out << rejoined.err);
  CHECK(rejoined.exit_status == 0);
  CHECK(rejoined.out.find("pg_rewind cannot rejoin it (pg1 was last started with wal_log_hints = "
                          "off and has no data checksums") != std::string::npos);
  CHECK(OnHost("pg1", "ls -d " + kDataDir + ".pgpair-*/PG_VERSION").exit_status == 0);
  ExpectRejoined(swapped);
}

// A failover by hand, pg2 written on after the fork so that pg_rewind has
// something to copy, pg1 stopped, and pg2's link throttled so that the copy
// takes a while: pg_rewind on pg1 pulls the blocks from pg2 (its dry run
// first, then the rewind), and the throttle shapes what a host sends, so it
// belongs on the source. Then `apply` of the swapped manifest in the
// background, returned once pg_rewind has started (its mark is on pg1).
// `fill` is the checksum of what was written after the fork.
struct RewindUnderWay {
  FaultGuard guard;
  TempDir dir;
  std::string swapped;
  std::string fill;
  std::unique_ptr<BackgroundPgpair> apply;
  const std::string mark = kDataDir + ".pgpair-rewinding";

  // `command_timeout`: each host's ssh.command_timeout, if given.
  explicit RewindUnderWay(const std::string& command_timeout = "") {
    FreshSandbox();
    ApplyThenFailOverByHand(kManifest);
    fill = FirstLine(RequireSandbox("fill pg2 40"));
    REQUIRE(OnHost("pg1", "pg_ctlcluster 15 main stop -m fast").exit_status == 0);
    std::string text = ReadText(kManifest);
    if (!command_timeout.empty()) {
      text = Replaced(
          text, "      host_key_policy: strict\n",
          "      host_key_policy: strict\n      command_timeout: " + command_timeout + "\n");
      REQUIRE(text.find("command_timeout") != std::string::npos);
    }
    swapped = Swapped(text, dir.path() + "/swapped.yaml");
    RequireSandbox("throttle pg2 32mbit");
    apply = std::make_unique<BackgroundPgpair>("apply --auto-approve " + swapped,
                                               dir.path() + "/apply.out");
    REQUIRE(apply->started());
    const bool rewinding = WaitUntil(
        [&] { return OnHost("pg1", "test -e " + mark).exit_status == 0 || !apply->Running(); },
        std::chrono::seconds(120));
    INFO(apply->Output());
    REQUIRE(rewinding);
    REQUIRE(apply->Running());
  }

  // pg2 stayed the one writable primary, untouched; pg1 was never started
  // as it is; then the next run rejoins pg1 with every row of pg2.
  void ExpectNeverWorseThenRejoined() {
    CHECK(SqlOnHost("pg2", "SELECT pg_is_in_recovery()").out == "f\n");
    CHECK(SqlOnHost("pg2", "SELECT txid_current() > 0").out == "t\n");  // still writable
    CHECK(SqlOnHost("pg1", "SELECT 1").exit_status != 0);               // never started as it is
    CommandResult rerun = PgpairWithin(300, "apply --auto-approve " + swapped);
    INFO(rerun.out << rerun.err);
    CHECK(rerun.exit_status == 0);
    CHECK(OnHost("pg1", "test -e " + mark).exit_status != 0);
    CHECK(FillChecksum("pg1") == fill);
    ExpectRejoined(swapped);
  }
};

// pgpair killed while pg_rewind copies: the guard ends pg_rewind, and the
// next plan clones pg1 again, the half-rewound directory moved aside.
TEST_CASE("rejoin: pgpair killed during pg_rewind, the next run clones the host again",
          "[switchover][rejoin][fault]") {
  RewindUnderWay rewind;
  rewind.apply->Kill9();

  // Nothing of the dead run keeps acting on pg1: pg_rewind ends with it.
  const bool rewind_ended =
      WaitUntil([] { return !AnyProcessInHost("pg1", "pg_rewind"); }, std::chrono::seconds(30));
  CHECK(rewind_ended);
  CHECK(LeftoversAfter(std::chrono::seconds(30)).empty());
  RequireSandbox("throttle pg2 off");
  CHECK(OnHost("pg1", "test -e " + rewind.mark).exit_status == 0);

  CommandResult plan = PgpairWithin(120, "plan " + rewind.swapped);
  INFO(plan.out << plan.err);
  CHECK(plan.out.find("standby_clone[pg1]") != std::string::npos);
  CHECK(plan.out.find("pg_rewind, which did not finish") != std::string::npos);
  CHECK(plan.out.find("standby_rewind[pg1]") == std::string::npos);
  rewind.ExpectNeverWorseThenRejoined();
  CHECK(OnHost("pg1", "ls -d " + kDataDir + ".pgpair-*/PG_VERSION").exit_status == 0);  // kept
}

// pg1's link cut for 20 s while pg_rewind copies (pg_rewind's own
// connection to pg2 and pgpair's to pg1 both stall): the apply ends by
// itself, in bounded time, with an error or with pg1 rejoined; pg_rewind
// does not run on once the apply has ended; the next run converges.
TEST_CASE("rejoin: the former primary's link cut during pg_rewind, the next run converges",
          "[switchover][rejoin][fault][link]") {
  // A short command bound, so that the silence of the cut ends the wait
  // within the test's time; the lease's own timeout ends pg_rewind.
  RewindUnderWay rewind("15s");
  RequireSandbox("link pg1 down");
  REQUIRE_FALSE(Reachable("pg1"));
  std::this_thread::sleep_for(std::chrono::seconds(20));
  RequireSandbox("link pg1 up");
  RequireSandbox("throttle pg2 off");
  std::optional<int> status = rewind.apply->Wait(std::chrono::seconds(120));
  if (!status) rewind.apply->Kill9();
  INFO("pgpair apply, pg1's link cut during pg_rewind: exit " << (status ? *status : -1)
                                                              << ", printed:\n"
                                                              << rewind.apply->Output());
  REQUIRE(status.has_value());
  const bool rewind_ended =
      WaitUntil([] { return !AnyProcessInHost("pg1", "pg_rewind"); }, std::chrono::seconds(30));
  CHECK(rewind_ended);
  CHECK(LeftoversAfter(std::chrono::seconds(30)).empty());
  if (*status == 0) {
    // The cut was short enough for the connections to live through it.
    ExpectRejoined(rewind.swapped);
  } else {
    rewind.ExpectNeverWorseThenRejoined();
  }
}

}  // namespace
}  // namespace pgpair::testing
