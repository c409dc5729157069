#include <unistd.h>

#include <iostream>

#include "engine/cli/cli.h"
#include "engine/cli/pair_commands.h"
#include "engine/output/colour.h"
#include "engine/output/json_text.h"
#include "engine/output/plan_report.h"
#include "engine/plan/saved_plan.h"

namespace pgpair {

int RunShowCommand(const std::string& plan_path, bool json) {
  Result<SavedPlan> saved = ReadSavedPlan(plan_path);
  if (!saved.ok()) {
    std::cerr << "pgpair: " << saved.status().message() << "\n";
    return kExitError;
  }
  // What plan --json printed when the plan was made: the same contract.
  if (json) {
    std::cout << ToJsonText(saved->plan) << "\n";
    return kExitOk;
  }
  Result<Plan> plan = PlanFromDocument(saved->plan);
  if (!plan.ok()) {
    std::cerr << "pgpair: " << plan_path << ": " << plan.status().message() << "\n";
    return kExitError;
  }
  std::cout << "pgpair show: saved plan " << plan_path << ": pair " << saved->pair << ", primary "
            << saved->primary.name << " (" << saved->primary.address << "), standby "
            << saved->standby.name << " (" << saved->standby.address << "); made "
            << saved->created_at << " from " << saved->manifest_path << " (sha256 "
            << saved->manifest_sha256.substr(0, 12) << ")\n\n"
            << FormatPlan(*plan, ManifestForShowing(*saved), UseColour(STDOUT_FILENO));
  if (plan->blockers.empty() && !plan->changes.empty()) {
    std::cout << "\n`pgpair apply " << plan_path
              << "` makes these changes, if the hosts and the manifest are still as they were.\n";
  }
  return kExitOk;
}

}  // namespace pgpair
