#ifndef PGPAIR_ENGINE_PLAN_SWITCHOVER_STATE_H_
#define PGPAIR_ENGINE_PLAN_SWITCHOVER_STATE_H_

#include <string>

#include "engine/facts/facts.h"

namespace pgpair {

// Where a pair stands in a planned switchover, read from the facts alone:
// the manifest names `future_primary` as primary and `future_standby` as
// standby, and the facts show the two roles the other way round, or a step
// of the swap that an interrupted apply left done. Every stage but kNone
// and kDiverged is one the switchover resource (resources/switchover.h)
// completes; the other resources then stand back (the clone does not call
// the old primary a split brain, the old primary is not started as it is).
enum class SwitchoverStage {
  kNone,  // not a switchover: the roles are as declared, or the facts show no swap
  // The old primary (declared standby) runs as primary; the future primary
  // runs in recovery. The whole switchover is to do.
  kBothUp,
  // The old primary is stopped cleanly ("shut down", last a primary, no
  // standby mark) and the future primary still runs in recovery: a switchover
  // stopped after the stop. Writes are down; nothing is writable. The rest
  // (wait for the replay of the shutdown checkpoint, promote, ...) is to do.
  kOldPrimaryStopped,
  // The old primary is stopped cleanly, without a standby mark; the future
  // primary is promoted, on a timeline that forked from the old primary's
  // after its shutdown checkpoint: nothing of the old primary is lost, it
  // can follow the new timeline. Configuring it as a standby, its start and
  // the checks are to do.
  kPromoted,
  // As kPromoted, but the future primary's timeline forked before the old
  // primary's last checkpoint (or the facts cannot show where): the old
  // primary wrote WAL the new one does not have. A rejoin, not a
  // switchover: it needs pg_rewind or a new clone.
  kDiverged,
};

struct SwitchoverState {
  SwitchoverStage stage = SwitchoverStage::kNone;
  // How the facts show it, for plans: "pg1 runs as the primary and pg2
  // streams from it in recovery", ...
  std::string how;
};

const char* SwitchoverStageName(SwitchoverStage stage);  // "both_up", "old_primary_stopped", ...

// Pure. `future_primary` is the host the manifest declares primary.
SwitchoverState ClassifySwitchover(const HostFacts& future_primary,
                                   const HostFacts& future_standby);

// Whether the switchover resource takes the pair over (kBothUp,
// kOldPrimaryStopped, kPromoted).
bool SwitchoverPending(const HostFacts& future_primary, const HostFacts& future_standby);

// How far `old_primary` (a copy of `new_primary`'s cluster that ran as a
// primary after it) diverged: where `new_primary`'s timeline forked from it
// (its newest history file), where the old primary's WAL is (its
// pg_current_wal_lsn() while it runs, its last checkpoint when stopped), and
// how much WAL it wrote after the fork, whose transactions a new copy or a
// rewind discards. A phrase for plans; says what is unknown when the facts
// cannot tell.
std::string DescribeDivergence(const HostFacts& new_primary, const HostFacts& old_primary);

// Whether `new_primary` was promoted from `old_primary`'s timeline: its
// newest timeline history file names `old_primary`'s timeline (pg_controldata)
// as its parent. True after a failover once the manifest names the promoted
// host primary; false when the manifest still names the old primary, whose
// timeline is the older one.
bool PromotedFrom(const HostFacts& new_primary, const HostFacts& old_primary);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_PLAN_SWITCHOVER_STATE_H_
