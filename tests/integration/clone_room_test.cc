// A standby host where the copy cannot be made beside the data directory:
// a data directory that is a mount point (no rename can move it), and a
// filesystem without room for the copy beside the old data, each made
// inside pg2's own mount namespace. The mount point is in the facts, so the
// plan is blocked before anything changes; the room is known only when the
// copy begins, so the clone refuses then, before it copies. Either way pg2
// keeps running on its own data and nothing is staged beside it; once the
// host is put right, the next apply converges.

#include <catch2/catch.hpp>
#include <string>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {
namespace {

const std::string kManifest = Example("sandbox.yaml");
const std::string kData = "/var/lib/postgresql/15/main";
const std::string kParent = "/var/lib/postgresql/15";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string SystemIdentifier(const std::string& host) {
  return SqlOnHost(host, "SELECT system_identifier FROM pg_control_system()").out;
}

// Whatever the test mounted on pg2 is gone however it ends (the next
// sandbox reset would unmount it too).
struct MountsUndone {
  ~MountsUndone() {
    OnHost("pg2", "pg_ctlcluster 15 main stop; umount -l " + kData + " 2>/dev/null; umount -l " +
                      kParent + " 2>/dev/null; true");
  }
};

// pg2 refused the clone before copying: its own cluster still runs on its
// own data, and nothing lies beside the data directory. `primary_changed`:
// whether the primary's part of the apply was made (a clone refused when it
// begins) or not (a plan blocked before anything changes).
void ExpectStandbyUntouched(const std::string& identifier, bool primary_changed) {
  CHECK(SystemIdentifier("pg2") == identifier);
  CHECK(SqlOnHost("pg2", "SELECT pg_is_in_recovery()").out == "f\n");
  CommandResult beside = OnHost("pg2", "ls -d " + kData + ".pgpair-* 2>/dev/null");
  CHECK(beside.out.empty());
  CHECK(SqlOnHost("pg1", "SHOW wal_log_hints").out == (primary_changed ? "on\n" : "off\n"));
}

void ExpectConverges() {
  CommandResult apply = Pgpair("apply --auto-approve " + kManifest);
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_status == 0);
  CommandResult verify = Pgpair("verify " + kManifest);
  INFO(verify.out << verify.err);
  CHECK(verify.exit_status == 0);
  CHECK(Pgpair("plan " + kManifest).exit_status == 0);
}

TEST_CASE("a standby data directory that is a mount point is refused before anything changes",
          "[staged_clone][room]") {
  FreshSandbox();
  MountsUndone undone;
  REQUIRE(OnHost("pg2", "mount --bind " + kData + " " + kData).exit_status == 0);
  const std::string identifier = SystemIdentifier("pg2");
  REQUIRE_FALSE(identifier.empty());

  // The plan says so, and the way out.
  CommandResult plan = Pgpair("plan " + kManifest);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 1);
  const std::string blocker = kData +
                              " is a mount point: pgpair makes the copy beside it and puts it in "
                              "place by renaming, which a mount point does not allow; mount the "
                              "volume on " +
                              kParent + " instead";
  CHECK(Contains(plan.out + plan.err, blocker));
  CommandResult apply = Pgpair("apply --auto-approve " + kManifest);
  INFO(apply.out << apply.err);
  CHECK(apply.exit_status == 1);
  CHECK(Contains(apply.out + apply.err, blocker));
  ExpectStandbyUntouched(identifier, false);

  // The volume one level up, as the message says: here, no volume at all.
  REQUIRE(OnHost("pg2", "umount " + kData).exit_status == 0);
  ExpectConverges();
}

TEST_CASE(
    "a standby without room for the copy beside its data is refused before anything is copied",
    "[staged_clone][room]") {
  FreshSandbox();
  MountsUndone undone;
  RequireSandbox("fill pg1 64");
  // pg2's cluster moved onto a filesystem of its own with 24 MB to spare,
  // far less than a copy of pg1 needs beside it.
  CommandResult small =
      OnHost("pg2", "set -e; pg_ctlcluster 15 main stop; cp -a " + kParent +
                        " /tmp/pg15; size=$(du -sm /tmp/pg15 | cut -f1); "
                        "mount -t tmpfs -o size=$((size + 24))m,mode=755 pgpair-small " +
                        kParent + "; cp -a /tmp/pg15/. " + kParent + "/; chown postgres:postgres " +
                        kParent + "; rm -rf /tmp/pg15; pg_ctlcluster 15 main start");
  INFO(small.out << small.err);
  REQUIRE(small.exit_status == 0);
  const std::string identifier = SystemIdentifier("pg2");
  REQUIRE_FALSE(identifier.empty());

  CommandResult apply = Pgpair("apply --auto-approve " + kManifest);
  INFO(apply.out << apply.err);
  CHECK(apply.exit_status == 1);
  CHECK(Contains(apply.out + apply.err, kParent + " has "));
  CHECK(Contains(apply.out + apply.err, " MB free, and the copy of 198.18.0.11 needs about "));
  CHECK(Contains(
      apply.out + apply.err,
      " MB there beside " + kData + " (kept until the copy is complete); nothing was changed"));
  ExpectStandbyUntouched(identifier, true);

  // Room made: pg2 back on the machine's filesystem.
  REQUIRE(OnHost("pg2", "pg_ctlcluster 15 main stop && umount " + kParent +
                            " && pg_ctlcluster 15 main start")
              .exit_status == 0);
  ExpectConverges();
}

}  // namespace
}  // namespace pgpair::testing
