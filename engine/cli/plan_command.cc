#include <iomanip>
#include <iostream>

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
  Plan plan = MakePlan(MakePlanInput(*session, options.allow_overwrite_primary, UtcTimestamp()));
  if (options.json) {
    nlohmann::json out = PlanToJson(plan);
    out["pair"] = session->manifest.pair;
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
