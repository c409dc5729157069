#include "engine/apply/applier.h"

#include <cstdio>
#include <functional>
#include <thread>

#include "engine/apply/remote_sql.h"
#include "engine/apply/restart_safety.h"
#include "engine/apply/server_lifecycle.h"
#include "engine/facts/standby_state.h"
#include "engine/plan/planner.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

const Resource* FindResource(const std::string& kind) {
  for (const Resource* resource : RegisteredResources()) {
    if (kind == resource->kind()) return resource;
  }
  return nullptr;
}

// Nothing is changed without the lock: a lost lease means the link to a
// host is gone, or another apply may soon take over.
Status LockStillHeld(ApplyContext& context, const std::string& next_step) {
  if (!context.lock_held) return Status::Ok();
  Status held = context.lock_held();
  if (held.ok()) return held;
  return Status::Error(held.message() + "; stopping before " + next_step);
}

// Runs one step, telling context.step_started and step_finished.
Status Step(ApplyContext& context, const char* kind, const std::string& name,
            const std::string& host, const std::function<Status()>& run) {
  if (context.step_started) context.step_started(kind, name, host);
  Status result = run();
  if (context.step_finished) context.step_finished(result);
  return result;
}

Status ApplyChanges(const std::vector<Change>& changes, ApplyContext& context) {
  for (const Change& change : changes) {
    const Resource* resource = FindResource(change.resource);
    if (!resource) return Status::Error("no resource of kind " + change.resource);
    if (Status held = LockStillHeld(context, change.address); !held.ok()) return held;
    if (context.progress) context.progress(change.address);
    Status applied = Step(context, "change", change.address, change.host,
                          [&] { return resource->Apply(change, context); });
    if (!applied.ok()) return applied.WithContext(change.address);
  }
  return Status::Ok();
}

}  // namespace

Status WaitForStreaming(ApplyContext& context, std::chrono::seconds timeout) {
  const HostSpec& primary = context.manifest->primary_host();
  const HostSpec& standby = context.manifest->standby_host();
  // The standby's own WAL receiver is the witness; the primary's sender
  // must be the standby's, not pg_basebackup's WAL stream from the same
  // address: the live form of StandbyStreams (engine/facts/standby_state.h).
  const std::string receiver_sql = StandbyReceiverStreamingSql();
  const std::string sender_sql = PrimarySenderStreamingSql(standby.address, standby.name);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::string> receiving =
        RunRemoteSql(*context.standby, standby, *context.plan_input->standby, receiver_sql);
    if (receiving.ok() && TrimTrailing(*receiving) != "0") {
      Result<std::string> sending =
          RunRemoteSql(*context.primary, primary, *context.plan_input->primary, sender_sql);
      if (sending.ok() && TrimTrailing(*sending) != "0") return Status::Ok();
      if (!sending.ok()) last_error = sending.status().message();
    } else if (!receiving.ok()) {
      last_error = receiving.status().message();
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return Status::Error(
      context.standby->host_label() + ": the standby " + standby.name + " is not streaming from " +
      primary.name + " after " + std::to_string(timeout.count()) + " s" +
      (last_error.empty() ? "" : " (" + last_error + ")") + "; see the standby's server log");
}

Status ApplyPlan(const Plan& plan, ApplyContext& context, const ApplyTimings& timings) {
  if (!plan.blockers.empty()) return Status::Error("the plan has blockers; nothing was changed");
  const Manifest& manifest = *context.manifest;
  std::vector<Change> primary_changes, standby_changes, pair_changes;
  for (const Change& change : ApplyOrder(plan, manifest)) {
    if (change.swaps_roles) {
      pair_changes.push_back(change);
    } else {
      (change.host == manifest.primary ? primary_changes : standby_changes).push_back(change);
    }
  }
  // The primary, then the standby. Before a host's files change: the version
  // its server runs with, to go back to if it refuses the new one; then the
  // host's changes, then its one server step.
  auto run_batch = [&](const std::string& host, const std::vector<Change>& changes) -> Status {
    if (changes.empty()) return Status::Ok();
    const ServerStep step = StepFor(changes, context.FactsFor(host));
    Status done = Step(context, "keep_configuration", "copy the configuration files at stake", host,
                       [&] { return KeepLastGood(context, host, changes); });
    if (done.ok()) done = ApplyChanges(changes, context);
    if (done.ok() && step != ServerStep::kNone) {
      done = LockStillHeld(context, host + "'s " + ServerStepName(step));
    }
    if (done.ok()) {
      done = step == ServerStep::kNone
                 ? RunServerStep(context, host, changes)
                 : Step(context, "server_step", ServerStepName(step), host,
                        [&] { return RunServerStep(context, host, changes); });
    }
    return done;
  };
  Status done = run_batch(manifest.primary, primary_changes);
  // A switchover drives both servers itself, between the future primary's
  // preparation (its hba rule, settings and their restart, as a standby)
  // and the new standby's changes (which the planner defers past it).
  if (done.ok() && !pair_changes.empty()) done = ApplyChanges(pair_changes, context);
  if (done.ok()) done = run_batch(manifest.standby, standby_changes);
  if (!done.ok()) return done;
  // A plan with deferred changes leaves the standby for the next round.
  if (context.manifest->standby_streaming && !plan.changes.empty() && plan.deferred.empty()) {
    // A wait says what it waits for and for how long, then how long it took.
    if (context.progress) {
      context.progress("waiting for " + manifest.standby + " to stream from " + manifest.primary +
                       " (up to " + std::to_string(timings.streaming_wait.count()) + " s)");
    }
    auto start = std::chrono::steady_clock::now();
    return Step(context, "wait", "the standby streams", manifest.standby, [&] {
      Status streaming = WaitForStreaming(context, timings.streaming_wait);
      if (streaming.ok() && context.progress) {
        char took[32];
        std::snprintf(
            took, sizeof took, "%.1f",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        context.progress(manifest.standby + " streams, after " + took + " s");
      }
      return streaming;
    });
  }
  return Status::Ok();
}

}  // namespace pgpair
