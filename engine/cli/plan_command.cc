#include <unistd.h>

#include <iomanip>
#include <iostream>

#include "engine/cli/apply_in_progress.h"
#include "engine/cli/cli.h"
#include "engine/cli/pair_commands.h"
#include "engine/cli/saved_plan_file.h"
#include "engine/output/colour.h"
#include "engine/output/json_text.h"
#include "engine/output/plan_report.h"
#include "engine/plan/apply_time_note.h"
#include "engine/plan/planner.h"

namespace pgpair {

int RunPlanCommand(const PairCommandOptions& options, const Connectors& connectors) {
  // The digest is of the bytes read before the manifest is parsed: should
  // the file change in between, apply finds the plan's manifest changed,
  // never the other way round.
  std::string manifest_sha256;
  if (!options.out_path.empty()) {
    Result<std::string> digest = FileSha256(options.manifest_path);
    if (!digest.ok()) {
      std::cerr << "pgpair: " << digest.status().message() << "\n";
      return kExitError;
    }
    manifest_sha256 = *digest;
  }
  Result<PairSession> session = OpenPairSession(options.manifest_path, connectors.connect);
  if (!session.ok()) {
    std::cerr << session.status().message() << "\n";
    return kExitError;
  }
  RefreshFacts(*session, connectors.login_check);
  // While an apply runs, the hosts show its unfinished work: no plan then.
  std::vector<ApplyInProgress> applies = FindAppliesInProgress(*session);
  // Only a saved plan's names are kept by apply (it remakes the plan with
  // the saved time); a plan that is only shown names no time it would not.
  const bool saving = !options.out_path.empty();
  PlanInput input = MakePlanInput(*session, options.allow_overwrite_primary,
                                  saving ? UtcTimestamp() : kApplyTimeTimestamp);
  Plan plan = applies.empty() ? MakePlan(input) : PlanWhileApplying(applies);
  if (!saving) AddApplyTimeNote(&plan);
  nlohmann::json document = PlanToJson(plan);
  document["pair"] = session->manifest.pair;
  document["apply_in_progress"] = AppliesInProgressToJson(applies);
  if (options.json) {
    std::cout << ToJsonText(document) << "\n";
  } else {
    const Manifest& m = session->manifest;
    std::cout << "pgpair plan: pair " << m.pair << ", primary " << m.primary << " ("
              << m.primary_host().address << "), standby " << m.standby << " ("
              << m.standby_host().address << "); hosts read in " << std::fixed
              << std::setprecision(2) << session->connect_seconds + session->gather_seconds
              << " s (connecting " << session->connect_seconds << " s, gathering "
              << session->gather_seconds << " s)\n\n"
              << FormatPlan(plan, m, UseColour(STDOUT_FILENO));
  }
  if (!options.out_path.empty()) {
    // A plan made while another apply runs is no plan to act on.
    if (!applies.empty()) {
      std::cerr << "pgpair: no plan saved to " << options.out_path
                << ": an apply is in progress on the pair\n";
      return kExitError;
    }
    Status written =
        WriteSavedPlan(options.out_path, MakeSavedPlan(*session, input, document, manifest_sha256));
    if (!written.ok()) {
      std::cerr << "pgpair: " << written.message() << "\n";
      return kExitError;
    }
    if (!options.json) {
      std::cout << "\nSaved to " << options.out_path << "; `pgpair apply " << options.out_path
                << "` makes exactly these changes, and refuses if the hosts or the manifest "
                   "change first.\n";
    }
  }
  if (!plan.blockers.empty()) return kExitError;
  return plan.changes.empty() ? kExitOk : kExitDrift;
}

}  // namespace pgpair
