#include <unistd.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <sstream>

#include "engine/cli/apply_in_progress.h"
#include "engine/cli/check_metrics.h"
#include "engine/cli/cli.h"
#include "engine/cli/fleet.h"
#include "engine/cli/pair_commands.h"
#include "engine/facts/standby_state.h"
#include "engine/output/colour.h"
#include "engine/output/json_text.h"
#include "engine/output/plan_report.h"
#include "engine/plan/planner.h"

namespace pgpair {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

PairOutcome RunCheckOnPair(const std::string& manifest_path, const Connectors& connectors) {
  auto start = std::chrono::steady_clock::now();
  PairOutcome outcome;
  outcome.manifest_path = manifest_path;
  outcome.result = "error";
  outcome.exit_status = kExitError;
  Result<PairSession> session = OpenPairSession(manifest_path, connectors.connect);
  if (!session.ok()) {
    outcome.first_error = session.status().message();
    outcome.err = outcome.first_error + "\n";
    // The pair's name, when it is the secret and not the manifest that failed.
    Result<Manifest> manifest = LoadManifest(manifest_path);
    if (manifest.ok()) outcome.pair = manifest->pair;
    outcome.metrics = MakeFailedCheckMetrics(outcome.pair);
    outcome.seconds = SecondsSince(start);
    outcome.metrics->timestamp_seconds = static_cast<double>(std::time(nullptr));
    outcome.metrics->duration_seconds = outcome.seconds;
    return outcome;
  }
  RefreshFacts(*session, connectors.login_check);
  // An apply in progress is reported as such, with exit 0: what the hosts
  // show meanwhile is its unfinished work, neither drift nor an error.
  std::vector<ApplyInProgress> applies = FindAppliesInProgress(*session);
  bool applying = !applies.empty();
  Plan plan = applying ? Plan() : MakePlan(MakePlanInput(*session, false, UtcTimestamp()));
  const Manifest& manifest = session->manifest;
  bool reachable = plan.blockers.empty();
  const std::string why_not = WhyNotStreaming(session->primary_facts(), session->standby_facts(),
                                              manifest.standby_host().address, manifest.standby);
  bool streaming = why_not.empty();
  bool streaming_ok = streaming || !manifest.standby_streaming || applying;
  std::optional<double> delay = session->standby_facts().replication.replay_delay_seconds;
  int status = !reachable                               ? kExitError
               : (plan.changes.empty() && streaming_ok) ? kExitOk
                                                        : kExitDrift;

  outcome.pair = manifest.pair;
  outcome.exit_status = status;
  outcome.result = applying               ? "apply_in_progress"
                   : status == kExitOk    ? "converged"
                   : status == kExitDrift ? "drift"
                                          : "error";
  if (!applying && reachable) outcome.changes = plan.changes.size();
  outcome.first_error = FirstBlocker(plan);
  if (!streaming && !applying && manifest.standby_streaming) {
    outcome.not_streaming = manifest.standby + " not streaming: " + why_not;
  }

  nlohmann::json& out = outcome.document;
  out = PlanToJson(plan);
  out["pair"] = manifest.pair;
  out["status"] = outcome.result;
  out["apply_in_progress"] = AppliesInProgressToJson(applies);
  out["streaming"] = applying ? nlohmann::json(nullptr) : nlohmann::json(streaming);
  out["not_streaming_because"] =
      streaming || applying ? nlohmann::json(nullptr) : nlohmann::json(why_not);
  out["replay_delay_seconds"] = delay && !applying ? nlohmann::json(*delay) : nullptr;
  out["login_check"] = session->login_check
                           ? nlohmann::json{{"succeeded", session->login_check->succeeded},
                                            {"message", session->login_check->message}}
                           : nlohmann::json(nullptr);

  std::ostringstream text;
  text << "pgpair check: pair " << manifest.pair << ": ";
  if (applying) {
    for (const ApplyInProgress& apply : applies) text << DescribeApplyInProgress(apply) << "; ";
    text << "drift and streaming are not judged while it runs\n";
  } else if (status == kExitOk) {
    text << "converged, " << manifest.standby << " streaming from " << manifest.primary << "\n";
  } else {
    text << (status == kExitError ? "error" : "drift")
         << (streaming ? "" : ", " + manifest.standby + " not streaming: " + why_not) << "\n\n"
         << FormatPlan(plan, manifest, UseColour(STDOUT_FILENO));
  }
  outcome.out = text.str();

  outcome.metrics = MakeCheckMetrics(*session, plan, applying);
  outcome.seconds = SecondsSince(start);
  outcome.metrics->timestamp_seconds = static_cast<double>(std::time(nullptr));
  outcome.metrics->duration_seconds = outcome.seconds;
  return outcome;
}

int RunCheckCommand(const PairCommandOptions& options, const Connectors& connectors) {
  if (options.fleet) return RunFleet(FleetCommand::kCheck, options, connectors);
  PairOutcome outcome = RunCheckOnPair(options.manifest_paths.front(), connectors);
  if (options.json && !outcome.document.is_null()) {
    std::cout << ToJsonText(outcome.document) << "\n";
  } else {
    std::cout << outcome.out;
  }
  std::cerr << outcome.err;
  if (!options.metrics_file.empty()) {
    Status written = WriteTextfile(options.metrics_file, {*outcome.metrics});
    if (!written.ok()) {
      std::cerr << "pgpair: " << written.message() << "\n";
      return kExitError;
    }
  }
  return outcome.exit_status;
}

}  // namespace pgpair
