#ifndef PGPAIR_ENGINE_APPLY_SERVER_LIFECYCLE_H_
#define PGPAIR_ENGINE_APPLY_SERVER_LIFECYCLE_H_

#include <string>
#include <vector>

#include "engine/plan/change.h"
#include "engine/plan/resource.h"

namespace pgpair {

// What a host's server does once the host's changes are made: the one step
// they declare (Change::server_step), and the checks they ask for
// (Change::checks). No resource starts, reloads or restarts a server; the
// engine does it here, once per host.

// The step for `changes` on a host whose facts are `facts`: the largest the
// changes declare, and a start whenever the server is not known to run.
ServerStep StepFor(const std::vector<Change>& changes, const HostFacts& facts);

// The checks `changes` ask for, each once, in a fixed order.
std::vector<ServerCheck> ChecksFor(const std::vector<Change>& changes);

// Runs the step for the host's `changes` (all of them the host's):
// - start: the server was stopped, or a re-clone left it stopped;
// - reload, then the checks; then, for a restart, the restart. A check that
//   fails stops there: the server still runs with its previous files.
// The standby host's server is started or restarted only when its data
// directory has the mark of a standby (standby.signal, recovery.conf up to
// 11): without it, it would come up as a second primary. Starts and
// restarts are undone when the server refuses them
// (engine/apply/restart_safety.h).
Status RunServerStep(ApplyContext& context, const std::string& host_name,
                     const std::vector<Change>& changes);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_SERVER_LIFECYCLE_H_
