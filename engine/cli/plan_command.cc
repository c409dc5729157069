#include <unistd.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "engine/cli/apply_in_progress.h"
#include "engine/cli/cli.h"
#include "engine/cli/fleet.h"
#include "engine/cli/pair_commands.h"
#include "engine/cli/saved_plan_file.h"
#include "engine/output/colour.h"
#include "engine/output/json_text.h"
#include "engine/output/plan_report.h"
#include "engine/plan/apply_time_note.h"
#include "engine/plan/planner.h"

namespace pgpair {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

PairOutcome Failed(PairOutcome outcome, const std::string& message,
                   std::chrono::steady_clock::time_point start) {
  outcome.exit_status = kExitError;
  outcome.result = "error";
  if (outcome.first_error.empty()) outcome.first_error = message;
  outcome.err += message + "\n";
  outcome.seconds = SecondsSince(start);
  return outcome;
}

}  // namespace

PairOutcome RunPlanOnPair(const std::string& manifest_path, const PairCommandOptions& options,
                          const Connectors& connectors) {
  auto start = std::chrono::steady_clock::now();
  PairOutcome outcome;
  outcome.manifest_path = manifest_path;
  // The digest is of the bytes read before the manifest is parsed: should
  // the file change in between, apply finds the plan's manifest changed,
  // never the other way round.
  std::string manifest_sha256;
  if (!options.out_path.empty()) {
    Result<std::string> digest = FileSha256(manifest_path);
    if (!digest.ok()) return Failed(outcome, "pgpair: " + digest.status().message(), start);
    manifest_sha256 = *digest;
  }
  Result<PairSession> session = OpenPairSession(manifest_path, connectors.connect);
  if (!session.ok()) {
    Result<Manifest> manifest = LoadManifest(manifest_path);
    if (manifest.ok()) outcome.pair = manifest->pair;
    return Failed(outcome, session.status().message(), start);
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
  nlohmann::json& document = outcome.document;
  document = PlanToJson(plan);
  document["pair"] = session->manifest.pair;
  document["apply_in_progress"] = AppliesInProgressToJson(applies);
  const Manifest& m = session->manifest;
  outcome.pair = m.pair;
  std::ostringstream text;
  if (options.json) {
    text << ToJsonText(document) << "\n";
  } else {
    text << "pgpair plan: pair " << m.pair << ", primary " << m.primary << " ("
         << m.primary_host().address << "), standby " << m.standby << " ("
         << m.standby_host().address << "); hosts read in " << std::fixed << std::setprecision(2)
         << session->connect_seconds + session->gather_seconds << " s (connecting "
         << session->connect_seconds << " s, gathering " << session->gather_seconds << " s)\n\n"
         << FormatPlan(plan, m, UseColour(STDOUT_FILENO));
  }
  outcome.out = text.str();
  if (!plan.blockers.empty()) outcome.first_error = FirstBlocker(plan);
  if (!options.out_path.empty()) {
    // A plan made while another apply runs is no plan to act on.
    if (!applies.empty()) {
      return Failed(
          outcome,
          "pgpair: no plan saved to " + options.out_path + ": an apply is in progress on the pair",
          start);
    }
    Status written =
        WriteSavedPlan(options.out_path, MakeSavedPlan(*session, input, document, manifest_sha256));
    if (!written.ok()) return Failed(outcome, "pgpair: " + written.message(), start);
    if (!options.json) {
      outcome.out += "\nSaved to " + options.out_path + "; `pgpair apply " + options.out_path +
                     "` makes exactly these changes, and refuses if the hosts or the manifest "
                     "change first.\n";
    }
  }
  outcome.seconds = SecondsSince(start);
  if (plan.blockers.empty()) outcome.changes = plan.changes.size();
  if (!applies.empty()) {
    outcome.result = "apply_in_progress";
    outcome.exit_status = kExitError;
  } else if (!plan.blockers.empty()) {
    outcome.result = "error";
    outcome.exit_status = kExitError;
  } else {
    outcome.result = plan.changes.empty() ? "no_changes" : "changes";
    outcome.exit_status = plan.changes.empty() ? kExitOk : kExitDrift;
  }
  return outcome;
}

int RunPlanCommand(const PairCommandOptions& options, const Connectors& connectors) {
  if (options.fleet) return RunFleet(FleetCommand::kPlan, options, connectors);
  PairOutcome outcome = RunPlanOnPair(options.manifest_paths.front(), options, connectors);
  std::cout << outcome.out;
  std::cerr << outcome.err;
  return outcome.exit_status;
}

}  // namespace pgpair
