#include <iomanip>
#include <iostream>

#include "engine/cli/apply_in_progress.h"
#include "engine/cli/cli.h"
#include "engine/cli/pair_commands.h"
#include "engine/output/json_text.h"
#include "engine/output/plan_report.h"
#include "engine/plan/planner.h"

namespace pgpair {

int RunPlanCommand(const PairCommandOptions& options, const Connectors& connectors) {
  Result<PairSession> session = OpenPairSession(options.manifest_path, connectors.connect);
  if (!session.ok()) {
    std::cerr << session.status().message() << "\n";
    return kExitError;
  }
  RefreshFacts(*session, connectors.login_check);
  // While an apply runs, the hosts show its unfinished work: no plan then.
  std::vector<ApplyInProgress> applies = FindAppliesInProgress(*session);
  Plan plan =
      applies.empty()
          ? MakePlan(MakePlanInput(*session, options.allow_overwrite_primary, UtcTimestamp()))
          : PlanWhileApplying(applies);
  if (options.json) {
    nlohmann::json out = PlanToJson(plan);
    out["pair"] = session->manifest.pair;
    out["apply_in_progress"] = AppliesInProgressToJson(applies);
    std::cout << ToJsonText(out) << "\n";
  } else {
    const Manifest& m = session->manifest;
    std::cout << "pgpair plan: pair " << m.pair << ", primary " << m.primary << " ("
              << m.primary_host().address << "), standby " << m.standby << " ("
              << m.standby_host().address << "); facts gathered in " << std::fixed
              << std::setprecision(2) << session->gather_seconds << " s\n\n"
              << FormatPlan(plan, m);
  }
  if (!plan.blockers.empty()) return kExitError;
  return plan.changes.empty() ? kExitOk : kExitDrift;
}

}  // namespace pgpair
