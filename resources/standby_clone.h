#ifndef PGPAIR_RESOURCES_STANDBY_CLONE_H_
#define PGPAIR_RESOURCES_STANDBY_CLONE_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/apply/standby_setup.h"
#include "engine/plan/resource.h"

namespace pgpair {

// The standby's data directory is a copy of the primary's (host: standby;
// address "standby_clone[pg2]"). When it is not (missing, another cluster,
// a copy never configured as a standby, a primary of its own), the plan
// replaces it, staged so that the data directory's path holds either the old
// data or a complete, configured standby at every instant: pg_basebackup
// copies into <data_dir>.pgpair-staging, the copy is configured there
// (engine/apply/standby_setup.h) and renamed <data_dir>.pgpair-ready, the
// server is stopped, and two renames put the old directory at
// <data_dir>.pgpair-<timestamp> (never deleted) and the copy in its place.
// Leftovers of an interrupted clone under those two names are removed by
// the next one. The server is left stopped: the orchestrator starts it.
// A standby that reads its configuration files from its data directory (the
// pg_ctl layout) keeps working when the primary keeps its own elsewhere
// (Debian's /etc/postgresql/...), whose copy brings none: each such file
// the copy lacks is carried into it from the old data directory before it
// is marked ready (CarriedConfigFiles); a file the server needs that
// neither has fails that step, and the old data directory is unchanged.
// Blocks the plan when the two hosts' majors or architectures differ, and
// when the standby ran as a primary of the same cluster after the fork
// (split brain) unless allow_overwrite_primary; that flag is not needed
// for a stopped former primary once the manifest names the host promoted
// from it (PromotedFrom). Such a former primary is rewound instead where
// pg_rewind can do it (ChooseRewind). A stopped primary defers the clone (a
// note): its own changes and its start come first.
const Resource& StandbyCloneResource();

// A configuration file the standby's server reads from its data
// directory: `name` relative to it; `required` when the server does not
// start without it (postgresql.conf, pg_hba.conf; pg_ident.conf is not).
struct CarriedConfigFile {
  std::string name;
  bool required = true;
  bool operator==(const CarriedConfigFile& other) const {
    return name == other.name && required == other.required;
  }
};

// Pure. The configuration files `standby` reads from inside its data
// directory `data_dir` (its config_file and hba_file when they lie there,
// and pg_ident.conf beside a config_file there); empty when they lie
// outside it (Debian's layout) or are unknown.
std::vector<CarriedConfigFile> CarriedConfigFiles(const HostFacts& standby,
                                                  const std::string& data_dir);

// What a standby_clone change copies, and where.
struct StandbyCloneDetails {
  std::string data_dir;
  std::string aside;    // where the old data directory goes (<data_dir>.pgpair-<timestamp>)
  std::string bin_dir;  // the standby's programs (pg_basebackup) of the primary's major
  int major = 0;
  StandbyConninfo primary;  // what the copy connects to and is configured with, password aside
  std::string timestamp;
  // The standby's configuration files in its data directory, by name
  // relative to it, carried into the copy when it lacks them.
  std::vector<CarriedConfigFile> carried_config;
  // {"data_dir", "aside", "bin_dir", "major", "primary": {...}, "timestamp",
  //  "carried_config": [{"name", "required"}...]}
  nlohmann::json ToJson() const;
};

// What standby_clone decides for the pair.
enum class CloneVerdict {
  kKeep,        // the standby's data directory is a copy of the primary's
  kReplace,     // it will be cloned again
  kBlocked,     // the plan must stop: see the blockers
  kDeferred,    // it will be cloned once the primary's server runs (a note says so)
  kUnknown,     // facts are missing: a note or blocker names them
  kSwitchover,  // the roles are being swapped: the switchover makes the standby
  kRewind,      // a former primary, rewound by resources/standby_rewind.h
};

struct CloneDecision {
  CloneVerdict verdict = CloneVerdict::kUnknown;
  std::optional<Change> change;  // set for kReplace
  std::vector<Blocker> blockers;
  std::vector<std::string> notes;
};

// Pure. StandbyCloneResource's Diff appends this decision to the plan.
CloneDecision DecideStandbyClone(const PlanInput& input);

// The command that runs one step ("stage", "ready", "swap") of
// engine/apply/standby_clone.sh for `clone`, its values as the script's
// arguments (ScriptCommand), exposed for tests. "stage" reads a password
// file's line (PgpassLine) on stdin, and refuses to copy when the
// filesystem beside the data directory has less than `copy_kb` KiB free
// (0: not checked).
std::string CloneStepScript(const StandbyCloneDetails& clone, const std::string& os_user,
                            const std::string& step, long long copy_kb = 0);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_STANDBY_CLONE_H_
