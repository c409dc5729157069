#include <unistd.h>

#include <ctime>
#include <iostream>
#include <sstream>

#include "engine/cli/apply_in_progress.h"
#include "engine/cli/cli.h"
#include "engine/cli/pair_commands.h"
#include "engine/facts/standby_state.h"
#include "engine/output/colour.h"
#include "engine/output/json_text.h"
#include "engine/output/plan_report.h"
#include "engine/plan/planner.h"
#include "engine/util/atomic_file.h"

namespace pgpair {
namespace {

// Prometheus text format, for node_exporter's textfile collector, replaced
// atomically so that the collector never reads half a file. While an apply
// runs, drift and streaming are not judged: their gauges are left out rather
// than reporting the apply's unfinished work.
std::string MetricsHeader(const std::string& label, bool success) {
  return "# HELP pgpair_check_success 1 when both hosts were read and planned.\n"
         "# TYPE pgpair_check_success gauge\n"
         "pgpair_check_success" +
         label + " " + (success ? "1" : "0") + "\n";
}

std::string MetricsTimestamp(const std::string& label) {
  return "# HELP pgpair_check_timestamp_seconds When this check ran.\n"
         "# TYPE pgpair_check_timestamp_seconds gauge\n"
         "pgpair_check_timestamp_seconds" +
         label + " " + std::to_string(std::time(nullptr)) + "\n";
}

std::string Label(const std::string& pair) { return "{pair=\"" + pair + "\"}"; }

Status WriteMetrics(const std::string& path, const std::string& pair, bool reachable,
                    const Plan& plan, bool streaming, const std::optional<double>& delay,
                    bool apply_in_progress) {
  std::ostringstream out;
  std::string label = Label(pair);
  out << MetricsHeader(label, reachable)
      << "# HELP pgpair_apply_in_progress 1 while a pgpair apply holds the pair's lock "
         "(drift and streaming are then not reported).\n"
      << "# TYPE pgpair_apply_in_progress gauge\n"
      << "pgpair_apply_in_progress" << label << " " << (apply_in_progress ? 1 : 0) << "\n";
  if (!apply_in_progress) {
    out << "# HELP pgpair_drift_changes Changes needed to match the manifest.\n"
        << "# TYPE pgpair_drift_changes gauge\n"
        << "pgpair_drift_changes" << label << " " << plan.changes.size() << "\n"
        << "# HELP pgpair_standby_streaming 1 when the standby's WAL receiver streams from "
           "the primary.\n"
        << "# TYPE pgpair_standby_streaming gauge\n"
        << "pgpair_standby_streaming" << label << " " << (streaming ? 1 : 0) << "\n";
  }
  if (delay && !apply_in_progress) {
    out << "# HELP pgpair_replay_delay_seconds Time since the standby replayed the last "
           "commit.\n"
        << "# TYPE pgpair_replay_delay_seconds gauge\n"
        << "pgpair_replay_delay_seconds" << label << " " << *delay << "\n";
  }
  out << MetricsTimestamp(label);
  return WriteFileAtomically(path, out.str());
}

// A check that stopped before planning knows nothing of the pair now: the
// figures of an earlier run must not stay, so only success 0 is written.
// `pair` is empty when the manifest itself could not be read.
Status WriteFailedCheckMetrics(const std::string& path, const std::string& pair) {
  std::string label = Label(pair);
  return WriteFileAtomically(path, MetricsHeader(label, false) + MetricsTimestamp(label));
}

}  // namespace

int RunCheckCommand(const PairCommandOptions& options, const Connectors& connectors) {
  Result<PairSession> session = OpenPairSession(options.manifest_path, connectors.connect);
  if (!session.ok()) {
    std::cerr << session.status().message() << "\n";
    if (!options.metrics_file.empty()) {
      // The pair's name, when it is the secret and not the manifest that failed.
      Result<Manifest> manifest = LoadManifest(options.manifest_path);
      Status written =
          WriteFailedCheckMetrics(options.metrics_file, manifest.ok() ? manifest->pair : "");
      if (!written.ok()) std::cerr << "pgpair: " << written.message() << "\n";
    }
    return kExitError;
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

  if (options.json) {
    nlohmann::json out = PlanToJson(plan);
    out["pair"] = manifest.pair;
    out["status"] = applying               ? "apply_in_progress"
                    : status == kExitOk    ? "converged"
                    : status == kExitDrift ? "drift"
                                           : "error";
    out["apply_in_progress"] = AppliesInProgressToJson(applies);
    out["streaming"] = applying ? nlohmann::json(nullptr) : nlohmann::json(streaming);
    out["not_streaming_because"] =
        streaming || applying ? nlohmann::json(nullptr) : nlohmann::json(why_not);
    out["replay_delay_seconds"] = delay && !applying ? nlohmann::json(*delay) : nullptr;
    out["login_check"] = session->login_check
                             ? nlohmann::json{{"succeeded", session->login_check->succeeded},
                                              {"message", session->login_check->message}}
                             : nlohmann::json(nullptr);
    std::cout << ToJsonText(out) << "\n";
  } else {
    std::cout << "pgpair check: pair " << manifest.pair << ": ";
    if (applying) {
      for (const ApplyInProgress& apply : applies) {
        std::cout << DescribeApplyInProgress(apply) << "; ";
      }
      std::cout << "drift and streaming are not judged while it runs\n";
    } else if (status == kExitOk) {
      std::cout << "converged, " << manifest.standby << " streaming from " << manifest.primary
                << "\n";
    } else {
      std::cout << (status == kExitError ? "error" : "drift")
                << (streaming ? "" : ", " + manifest.standby + " not streaming: " + why_not)
                << "\n\n"
                << FormatPlan(plan, manifest, UseColour(STDOUT_FILENO));
    }
  }
  if (!options.metrics_file.empty()) {
    Status written = WriteMetrics(options.metrics_file, manifest.pair, reachable, plan, streaming,
                                  delay, applying);
    if (!written.ok()) {
      std::cerr << "pgpair: " << written.message() << "\n";
      return kExitError;
    }
  }
  return status;
}

}  // namespace pgpair
