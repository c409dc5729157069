#ifndef PGPAIR_ENGINE_CLI_PAIR_OUTCOME_H_
#define PGPAIR_ENGINE_CLI_PAIR_OUTCOME_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/output/textfile_metrics.h"
#include "engine/plan/change.h"

namespace pgpair {

// What plan or check did with one pair, kept rather than printed, so that
// one pair's run prints it as it always did and a fleet run prints a line
// of it (engine/cli/fleet.h). Made by RunPlanOnPair and RunCheckOnPair
// (engine/cli/pair_commands.h), which print nothing themselves.
struct PairOutcome {
  std::string manifest_path;
  std::string pair;  // empty: the manifest could not be read
  int exit_status = 1;
  // The result in a word: check's status ("converged", "drift", "error",
  // "apply_in_progress"); plan's "no_changes", "changes", "error",
  // "apply_in_progress".
  std::string result;
  std::optional<size_t> changes;  // empty: no plan was made
  std::string first_error;        // the first error found; empty when none
  std::string not_streaming;      // check: why the standby does not stream
  double seconds = 0;             // wall time of the pair's whole run
  // The pair's --json document (schemas/check.schema.json,
  // schemas/plan.schema.json); null when the run stopped before a plan.
  nlohmann::json document;
  std::string out;                     // what a run on this pair alone prints on stdout
  std::string err;                     // and on stderr
  std::optional<PairMetrics> metrics;  // check: what --textfile reports
};

// The plan's first blocker as a line's error: its message, after its host
// unless the message names the host first; empty without blockers.
std::string FirstBlocker(const Plan& plan);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_PAIR_OUTCOME_H_
