#include <unistd.h>

#include <chrono>
#include <iomanip>
#include <iostream>

#include "engine/apply/applier.h"
#include "engine/apply/apply_lock.h"
#include "engine/cli/cli.h"
#include "engine/cli/pair_commands.h"
#include "engine/output/plan_report.h"
#include "engine/plan/planner.h"

namespace pgpair {
namespace {

bool Confirm(size_t change_count) {
  std::cout << "\nApply these " << change_count
            << " changes? Only 'yes' is accepted: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

}  // namespace

int RunApplyCommand(const PairCommandOptions& options, const Connectors& connectors) {
  auto start = std::chrono::steady_clock::now();
  Result<PairSession> session = OpenPairSession(options.manifest_path, connectors.connect);
  if (!session.ok()) {
    std::cerr << session.status().message() << "\n";
    return kExitError;
  }
  const Manifest& manifest = session->manifest;
  // One apply per pair at a time: the lock is taken before the facts are
  // gathered, so that the plan is made from facts no other apply is
  // changing, and held until the final re-plan (it goes with `lock`).
  Result<std::unique_ptr<ApplyLock>> lock =
      ApplyLock::Acquire(manifest, connectors.open_lease, LockOwner::ThisProcess(manifest.pair));
  if (!lock.ok()) {
    std::cerr << "pgpair: " << lock.status().message() << "\n";
    return kExitError;
  }
  const ApplyLock& held = **lock;
  RefreshFacts(*session, connectors.login_check);
  PlanInput input = MakePlanInput(*session, options.allow_overwrite_primary, UtcTimestamp());
  Plan plan = MakePlan(input);
  std::cout << "pgpair apply: pair " << manifest.pair << "\n\n" << FormatPlan(plan, manifest);
  if (!plan.blockers.empty()) {
    std::cerr << "pgpair: nothing was changed: the plan has blockers\n";
    return kExitError;
  }
  if (plan.changes.empty()) return kExitOk;
  if (!options.auto_approve) {
    if (!isatty(STDIN_FILENO)) {
      std::cerr << "pgpair: no terminal to confirm on; pass --auto-approve to apply without "
                   "asking (scripts, CI)\n";
      return kExitError;
    }
    if (!Confirm(plan.changes.size())) {
      std::cerr << "pgpair: not applied\n";
      return kExitError;
    }
  }

  ApplyTimings timings;
  timings.streaming_wait = std::chrono::seconds(options.wait_seconds);
  auto apply = [&](const Plan& to_apply, const PlanInput& facts_before) {
    ApplyContext context;
    context.manifest = &manifest;
    context.plan_input = &facts_before;
    context.primary = session->primary_transport();
    context.standby = session->standby_transport();
    context.replication_password = session->replication_password;
    // Flushed line by line: a log of a run that is killed keeps its last step.
    context.progress = [](const std::string& message) {
      std::cout << "  -> " << message << std::endl;
    };
    context.lock_held = [&held] {
      return held.Held() ? Status::Ok() : Status::Error(held.LostReason());
    };
    context.lease_pids = held.LeasePids();
    std::cout << "\n";
    return ApplyPlan(to_apply, context, timings);
  };
  // A step that failed because a host went away fails for that reason.
  auto report_failure = [&held](const Status& failed) {
    std::cerr << "pgpair: apply failed: " << failed.message() << "\n";
    if (!held.Held() && failed.message().find(held.LostReason()) == std::string::npos) {
      std::cerr << "pgpair: " << held.LostReason() << "\n";
    }
  };
  Status applied = apply(plan, input);
  if (!applied.ok()) {
    report_failure(applied);
    return kExitError;
  }
  size_t made = plan.changes.size();

  // What waited for the changes above (the standby's clone while the
  // primary was stopped) is planned now and made in the same run; the
  // operator approved it with the first plan, which named it.
  if (!plan.deferred.empty()) {
    RefreshFacts(*session, connectors.login_check);
    PlanInput next_input = MakePlanInput(*session, options.allow_overwrite_primary, UtcTimestamp());
    Plan next = MakePlan(next_input);
    std::cout << "\nPlanned now, after the changes above:\n\n" << FormatPlan(next, manifest);
    if (!next.blockers.empty() || !next.deferred.empty()) {
      std::cerr << "pgpair: apply stopped: what waited cannot be planned yet (see above)\n";
      return kExitError;
    }
    Status second = apply(next, next_input);
    if (!second.ok()) {
      report_failure(second);
      return kExitError;
    }
    made += next.changes.size();
  }

  // Prove the result: the facts gathered again must give an empty plan.
  RefreshFacts(*session, connectors.login_check);
  Plan after = MakePlan(MakePlanInput(*session, false, UtcTimestamp()));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!after.empty()) {
    std::cerr << "pgpair: BUG: the plan after apply is not empty; remaining:\n"
              << FormatPlan(after, manifest);
    return kExitError;
  }
  std::cout << "\nApplied " << made << (made == 1 ? " change" : " changes") << " in " << std::fixed
            << std::setprecision(1) << seconds
            << " s; facts gathered again: the pair matches the manifest.\n";
  return kExitOk;
}

}  // namespace pgpair
