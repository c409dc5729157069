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
  // Resolve the secret before touching anything: a missing password found
  // half-way through would leave the pair between states.
  Result<std::string> password = ResolveSecret(*manifest.replication->password);
  if (!password.ok()) {
    std::cerr << password.status().message() << "\n";
    return kExitError;
  }
  // One apply per pair at a time: the lock is taken before the facts are
  // gathered, so that the plan is made from facts no other apply is
  // changing, and held until the final re-plan (it goes with `lock`).
  Result<std::unique_ptr<ApplyLock>> lock =
      ApplyLock::Acquire(manifest, connectors.open_lease, LockOwner::ThisProcess(manifest.pair));
  if (!lock.ok()) {
    std::cerr << "pgpair: " << lock.status().message() << "\n";
    return kExitError;
  }
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

  ApplyContext context;
  context.manifest = &manifest;
  context.plan_input = &input;
  context.primary = session->primary_transport();
  context.standby = session->standby_transport();
  context.replication_password = *password;
  context.progress = [](const std::string& message) { std::cout << "  -> " << message << "\n"; };
  const ApplyLock& held = **lock;
  context.lock_held = [&held] {
    return held.Held() ? Status::Ok() : Status::Error(held.LostReason());
  };
  context.lease_pids = held.LeasePids();
  std::cout << "\n";
  ApplyTimings timings;
  timings.streaming_wait = std::chrono::seconds(options.wait_seconds);
  Status applied = ApplyPlan(plan, context, timings);
  if (!applied.ok()) {
    std::cerr << "pgpair: apply failed: " << applied.message() << "\n";
    // A step that failed because a host went away fails for that reason.
    if (!held.Held() && applied.message().find(held.LostReason()) == std::string::npos) {
      std::cerr << "pgpair: " << held.LostReason() << "\n";
    }
    return kExitError;
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
  std::cout << "\nApplied " << plan.changes.size() << " changes in " << std::fixed
            << std::setprecision(1) << seconds
            << " s; facts gathered again: the pair matches the manifest.\n";
  return kExitOk;
}

}  // namespace pgpair
