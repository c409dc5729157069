#ifndef PGPAIR_RESOURCES_SWITCHOVER_H_
#define PGPAIR_RESOURCES_SWITCHOVER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/apply/standby_setup.h"
#include "engine/plan/resource.h"
#include "engine/plan/switchover_state.h"

namespace pgpair {

// The roles are swapped as the manifest says (address "switchover[pg1->pg2]",
// host: the old primary, which is stopped and started again as a standby).
// Planned when the facts show the declared standby running as the primary
// and the declared primary streaming from it in recovery
// (engine/plan/switchover_state.h), and when an interrupted switchover left
// one of its steps done: the change then starts at the first step not done.
// Its preconditions are blockers: both servers run, the future primary
// streams and has replayed all but kMaxReplayLagBytes, it is not delayed
// (recovery_min_apply_delay), the archiver of the old primary neither fails
// nor lags (kMaxArchiveReadyFiles), both run one major and the password is
// resolved. What the future primary needs as a primary (the hba rule for
// the other host, the archive directory, its settings) are the other
// resources' ordinary changes, made before it; the old primary's changes as
// a standby wait until after it (Plan::deferred).
//
// The steps, each safe where it is interrupted (see switchover.cc):
// checkpoint the old primary; wait, bounded, until the future primary has
// received the WAL up to there, which proves that their replication
// connection delivers before writes stop; stop the old primary (fast);
// read its shutdown checkpoint (pg_controldata); wait, bounded, until the
// future primary has replayed it; promote (pg_promote() from 12, pg_ctl promote on 10 and 11);
// configure the old primary as a standby of the new one (standby.signal and
// primary_conninfo, or recovery.conf with recovery_target_timeline =
// 'latest'); start it; wait until it streams; a canary row written on the
// new primary is read on the new standby. A failure before the promotion
// starts the old primary again as the primary (the switchover is undone);
// after it, nothing is reversed: the next plan completes the switchover.
const Resource& SwitchoverResource();

// The largest replay lag (the old primary's current WAL location minus the
// future primary's replay location) that the switchover starts with.
inline constexpr unsigned long long kMaxReplayLagBytes = 16ull * 1024 * 1024;
// More WAL segments waiting for the archiver than this is a backlog.
inline constexpr int kMaxArchiveReadyFiles = 8;

// The step names, in order; a change lists the ones it performs.
inline constexpr const char* kSwitchoverSteps[] = {
    "checkpoint",     "wait_received", "stop_old_primary",      "read_shutdown_checkpoint",
    "wait_replay",    "promote",       "configure_old_primary", "start_old_primary",
    "wait_streaming", "verify_canary"};

struct SwitchoverStep {
  std::string name;  // one of kSwitchoverSteps
  std::string text;  // what it does, for the plan
};

struct SwitchoverDetails {
  std::string old_primary;  // the host declared standby
  std::string new_primary;  // the host declared primary
  std::string stage;        // SwitchoverStageName: where the pair stands
  std::vector<SwitchoverStep> steps;
  int major = 0;
  std::string old_primary_data_dir;
  std::string conninfo_file;  // where the old primary's primary_conninfo goes (12+)
  StandbyConninfo conninfo;   // the old primary's, to the new one, password aside
  std::string timestamp;
  std::string write_downtime;  // the expected interruption of writes, for the plan
  // wait_received gives up after this long without the future primary's
  // receipt moving closer (the old primary still runs: nothing is lost).
  int receive_stall_seconds = 10;
  int replay_wait_seconds = 30;
  int streaming_wait_seconds = 120;
  // {"old_primary", "new_primary", "stage", "steps": [{"name", "text"}],
  //  "major", "old_primary_data_dir", "conninfo_file", "conninfo": {...},
  //  "timestamp", "write_downtime", "receive_stall_seconds",
  //  "replay_wait_seconds", "streaming_wait_seconds"}
  nlohmann::json ToJson() const;
};

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_SWITCHOVER_H_
