#ifndef PGPAIR_ENGINE_APPLY_APPLIER_H_
#define PGPAIR_ENGINE_APPLY_APPLIER_H_

#include <chrono>
#include <functional>
#include <string>

#include "engine/plan/change.h"
#include "engine/plan/resource.h"

namespace pgpair {

struct ApplyTimings {
  std::chrono::seconds streaming_wait{120};
};

// Performs `plan` in a safe order: the primary's changes, in registry order
// (engine/plan/planner.h's ApplyOrder), then the one server step they declare
// (engine/apply/server_lifecycle.h: a start, or a reload with its checks and
// perhaps one restart); then the standby's changes and its step (a re-clone
// leaves it stopped: it is started); then a bounded wait until the standby
// streams. Before a host's changes, the configuration files at stake are
// copied (engine/apply/restart_safety.h): a start or restart the server
// refuses is undone with them, and the error quotes the server's log. Each
// change and each server step first checks that apply still holds its lock.
// Stops at the first failure, saying which change failed and what had been
// done before it. It does not re-plan: the caller gathers the facts again
// and checks that the new plan is empty. Each step is told to
// context.step_started and step_finished, by kind and name: per host
// "keep_configuration", then "change" (its address) per change, then
// "server_step" ("reload", "restart", "start"); last "wait" (the standby
// streams).
Status ApplyPlan(const Plan& plan, ApplyContext& context, const ApplyTimings& timings);

// Waits until the primary reports the standby streaming (pg_stat_replication
// state 'streaming' from the standby's address), at most `timeout`.
Status WaitForStreaming(ApplyContext& context, std::chrono::seconds timeout);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_APPLIER_H_
