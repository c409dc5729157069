#include "engine/plan/switchover_state.h"

#include <catch2/catch.hpp>

#include "engine/util/lsn.h"

namespace pgpair {
namespace {

const char kId[] = "7712359091470470057";

// pg2, declared primary: a standby of pg1 that streams.
HostFacts FuturePrimary() {
  HostFacts f;
  f.name = "pg2";
  f.server.major = 15;
  f.server.running = true;
  f.server.in_recovery = true;
  f.server.system_identifier = kId;
  f.server.timeline = "1";
  return f;
}

// pg1, declared standby: the primary that runs.
HostFacts OldPrimary() {
  HostFacts f;
  f.name = "pg1";
  f.server.major = 15;
  f.server.running = true;
  f.server.in_recovery = false;
  f.server.system_identifier = kId;
  f.server.timeline = "1";
  f.recovery.standby_signal = false;
  f.recovery.recovery_conf = false;
  return f;
}

HostFacts StoppedOldPrimary() {
  HostFacts f = OldPrimary();
  f.server.running = false;
  f.server.in_recovery.reset();
  f.server.cluster_state = "shut down";
  f.server.checkpoint_location = "0/5000028";
  return f;
}

HostFacts Promoted(const char* fork_lsn, int parent = 1) {
  HostFacts f = FuturePrimary();
  f.server.in_recovery = false;
  f.replication.timeline_fork = TimelineForkFact{2, parent, std::string(fork_lsn)};
  return f;
}

TEST_CASE("ParseLsn reads PostgreSQL's high/low hex form", "[switchover]") {
  CHECK(ParseLsn("0/5000028") == 0x5000028ull);
  CHECK(ParseLsn("16/B374D848") == ((0x16ull << 32) | 0xB374D848ull));
  CHECK_FALSE(ParseLsn("5000028"));    // no slash
  CHECK_FALSE(ParseLsn("0/"));         // no low part
  CHECK_FALSE(ParseLsn("0/50x0028"));  // not hex
}

TEST_CASE("A declared standby that runs as the primary of the same cluster is a switchover",
          "[switchover]") {
  SwitchoverState state = ClassifySwitchover(FuturePrimary(), OldPrimary());
  CHECK(state.stage == SwitchoverStage::kBothUp);
  CHECK(state.how.find("pg1 runs as the primary") != std::string::npos);
  CHECK(SwitchoverPending(FuturePrimary(), OldPrimary()));
}

TEST_CASE("Roles as declared, or another cluster, are no switchover", "[switchover]") {
  // The manifest's primary runs as the primary: nothing to swap.
  HostFacts primary = OldPrimary();
  primary.name = "pg2";
  CHECK(ClassifySwitchover(primary, FuturePrimary()).stage == SwitchoverStage::kNone);
  // Two clusters: the clone's business, never a promotion.
  HostFacts other = OldPrimary();
  other.server.system_identifier = "1";
  CHECK(ClassifySwitchover(FuturePrimary(), other).stage == SwitchoverStage::kNone);
  // Both primaries: a split brain, which the clone refuses.
  CHECK(ClassifySwitchover(Promoted("0/6000000"), OldPrimary()).stage == SwitchoverStage::kNone);
}

TEST_CASE(
    "An old primary stopped cleanly while the future one is in recovery resumes after the "
    "stop",
    "[switchover]") {
  CHECK(ClassifySwitchover(FuturePrimary(), StoppedOldPrimary()).stage ==
        SwitchoverStage::kOldPrimaryStopped);
  // A crash is a failover's state, not a switchover's.
  HostFacts crashed = StoppedOldPrimary();
  crashed.server.cluster_state = "in production";
  CHECK(ClassifySwitchover(FuturePrimary(), crashed).stage == SwitchoverStage::kNone);
  // Already marked a standby: the ordinary plan starts it.
  HostFacts marked = StoppedOldPrimary();
  marked.recovery.standby_signal = true;
  CHECK(ClassifySwitchover(FuturePrimary(), marked).stage == SwitchoverStage::kNone);
}

TEST_CASE(
    "A promotion after the old primary's shutdown checkpoint lets it follow, one before it "
    "is a divergence",
    "[switchover]") {
  CHECK(ClassifySwitchover(Promoted("0/50000A0"), StoppedOldPrimary()).stage ==
        SwitchoverStage::kPromoted);
  SwitchoverState before = ClassifySwitchover(Promoted("0/4000000"), StoppedOldPrimary());
  CHECK(before.stage == SwitchoverStage::kDiverged);
  CHECK(before.how.find("forked from timeline 1 at 0/4000000") != std::string::npos);
  // Forked from another timeline than the one the old primary ran on.
  CHECK(ClassifySwitchover(Promoted("0/50000A0", 3), StoppedOldPrimary()).stage ==
        SwitchoverStage::kDiverged);
  // No history file: where it forked is unknown, so it is not followed.
  HostFacts unknown = Promoted("0/50000A0");
  unknown.replication.timeline_fork.reset();
  CHECK(ClassifySwitchover(unknown, StoppedOldPrimary()).stage == SwitchoverStage::kDiverged);
  CHECK_FALSE(SwitchoverPending(unknown, StoppedOldPrimary()));
}

}  // namespace
}  // namespace pgpair
