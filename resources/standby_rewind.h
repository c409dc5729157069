#ifndef PGPAIR_RESOURCES_STANDBY_REWIND_H_
#define PGPAIR_RESOURCES_STANDBY_REWIND_H_

#include <string>

#include "engine/apply/standby_setup.h"
#include "engine/plan/resource.h"

namespace pgpair {

// The rejoin of a former primary by pg_rewind (host: the declared standby;
// address "standby_rewind[pg1]"). After a failover the manifest names the
// promoted host primary, and the declared standby is a copy of the same
// cluster that ran as a primary after the fork (StandbyData::kPromoted).
// Where ChooseRewind allows it, this resource plans the rejoin and the clone
// (resources/standby_clone.h) stands back; else the clone copies it again.
//
// pg_rewind takes the source's timeline from its pg_control, which a
// promoted server updates only at its first checkpoint on the new timeline
// (a spread one, which may take minutes): rewound from a source that has
// not written it yet, the copy cannot reach its minimum recovery point and
// never starts. So a CHECKPOINT on the new primary comes first when its
// facts show that (checkpoint_source), before anything else changes.
//
// Apply stops the former primary if it runs (only planned with
// allow_overwrite_primary: it still takes writes), finishes a crashed
// server's recovery in single-user mode, and runs pg_rewind from the new
// primary as the replication role (a dry run first, which changes
// nothing). Its WAL (the transactions after the fork) and the configuration
// files of its data directory are copied to <data_dir>.pgpair-<timestamp>
// first, never deleted; those pg_rewind removed because the new primary
// keeps its configuration outside its data directory (Debian's) are put
// back from there. It is then configured as a standby
// (engine/apply/standby_setup.h) and started by the orchestrator. A rewind
// that does not finish leaves <data_dir>.pgpair-rewinding, and the next
// plan clones the host again (see engine/apply/standby_rewind.sh).
const Resource& StandbyRewindResource();

struct StandbyRewindDetails {
  std::string data_dir;
  std::string keep;     // where the WAL and configuration go first (<data_dir>.pgpair-<timestamp>)
  std::string bin_dir;  // pg_rewind, pg_controldata and postgres of the cluster's major
  std::string config_file;  // postgresql.conf when outside the data directory, else empty
  // The manifest's WAL archive directory, else empty: pg_rewind may need
  // segments of the former primary's own WAL that it archived and removed.
  std::string archive_dir;
  int major = 0;
  bool stop_first = false;  // the former primary runs: it is stopped first
  // The new primary's pg_control still names a timeline older than its
  // own (no checkpoint since its promotion): a CHECKPOINT there first.
  bool checkpoint_source = false;
  StandbyConninfo primary;  // the source, and what the rewound copy streams from
  std::string timestamp;
  // {"data_dir", "keep", "bin_dir", "config_file", "archive_dir", "major",
  //  "stop_first", "checkpoint_source", "primary": {...}, "timestamp"}
  nlohmann::json ToJson() const;
};

// Whether the former primary (input.standby) can be rewound from the new
// one (input.primary), read from the facts: PostgreSQL 11 or later (10's
// pg_rewind logs in as a superuser only), pg_rewind in its bin_dir, last
// started with wal_log_hints = on or with data checksums, no interrupted
// rewind, the new primary running, the replication role allowed pg_rewind's
// file functions there and its pg_hba.conf admitting the role's login to
// database postgres from the standby's address (resources/replication_role.h
// and resources/hba_rule.h make both so). `why_not` says what is missing.
struct RewindChoice {
  bool possible = false;
  std::string why_not;  // "pg1 was last started with wal_log_hints = off ..."
};
RewindChoice ChooseRewind(const PlanInput& input);

// The command that runs one step ("rewind", "done") of
// engine/apply/standby_rewind.sh, exposed for tests. "rewind" reads a
// password file's line (PgpassLine) on stdin.
std::string RewindStepScript(const StandbyRewindDetails& rewind, const std::string& os_user,
                             const std::string& step);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_STANDBY_REWIND_H_
