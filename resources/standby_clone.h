#ifndef PGPAIR_RESOURCES_STANDBY_CLONE_H_
#define PGPAIR_RESOURCES_STANDBY_CLONE_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/plan/resource.h"

namespace pgpair {

// The standby's data directory is a copy of the primary's (host: standby;
// address "standby_clone[pg2]"). When it is not (missing, another cluster,
// a primary of its own), the plan replaces it: the old directory is moved
// to <data_dir>.pgpair-<timestamp>, never deleted, and a fresh copy is taken
// with pg_basebackup on the standby, then configured with
// WriteStandbyConfig. The server is left stopped: the orchestrator starts it.
// Blocks the plan when the primary is not running, when the two hosts'
// majors or architectures differ, and when the standby runs as a primary of
// the same cluster (split brain) unless allow_overwrite_primary.
const Resource& StandbyCloneResource();

// What standby_clone decides for the pair.
enum class CloneVerdict {
  kKeep,     // the standby's data directory is a copy of the primary's
  kReplace,  // it will be cloned again
  kBlocked,  // the plan must stop: see the blockers
  kUnknown,  // facts are missing: a note or blocker names them
};

struct CloneDecision {
  CloneVerdict verdict = CloneVerdict::kUnknown;
  std::optional<Change> change;  // set for kReplace
  std::vector<Blocker> blockers;
  std::vector<std::string> notes;
};

// Pure. StandbyCloneResource's Diff appends this decision to the plan;
// recovery_config reads the verdict, since it configures only a kept standby.
CloneDecision DecideStandbyClone(const PlanInput& input);

// The line of a libpq password file that matches a replication connection
// to host:port as user, with ':' and '\' escaped as libpq requires.
// It holds the password: stdin only.
std::string PgpassLine(const std::string& host, int port, const std::string& user,
                       const std::string& password);

// The shell script the clone runs on the standby (after the stop), exposed
// for tests. It reads the password file's line on stdin.
std::string CloneScript(const Change& change, const std::string& os_user);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_STANDBY_CLONE_H_
