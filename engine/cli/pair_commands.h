#ifndef PGPAIR_ENGINE_CLI_PAIR_COMMANDS_H_
#define PGPAIR_ENGINE_CLI_PAIR_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/apply/apply_lock.h"
#include "engine/cli/pair_outcome.h"
#include "engine/cli/pair_session.h"
#include "engine/cli/shard.h"

namespace pgpair {

struct PairCommandOptions {
  std::string manifest_path;                // apply, verify
  std::vector<std::string> manifest_paths;  // plan, check: the manifests, directories expanded
  // plan, check: a fleet run (several manifests, a directory or --shard):
  // one line per pair, not one pair's full output.
  bool fleet = false;
  int jobs = 8;                // fleet: pairs worked at once
  std::optional<Shard> shard;  // fleet: only the pairs of this share
  bool json = false;
  bool auto_approve = false;             // apply
  bool allow_overwrite_primary = false;  // plan, apply
  std::string metrics_file;              // check
  std::string out_path;                  // plan -o: where the saved plan goes
  int wait_seconds = 120;                // apply, verify
};

// How the commands reach hosts; the CLI passes SSH and libpqxx, tests fakes.
struct Connectors {
  TransportFactory connect;
  LoginChecker login_check;
  // Apply's lock: the opener of a second connection per host for the pair
  // of `manifest`, which may make them ahead of the leases.
  std::function<LeaseOpener(const Manifest& manifest)> lease_opener;
};

// One pair's plan or check, printed nowhere: what the command of that pair
// alone prints, and what a fleet run's line and textfile need. Safe to run
// for several pairs at once: nothing is shared between two calls but the
// connectors, which open new connections per call.
PairOutcome RunPlanOnPair(const std::string& manifest_path, const PairCommandOptions& options,
                          const Connectors& connectors);
PairOutcome RunCheckOnPair(const std::string& manifest_path, const Connectors& connectors);

// Each returns the process exit status (engine/cli/cli.h).
int RunPlanCommand(const PairCommandOptions& options, const Connectors& connectors);
int RunApplyCommand(const PairCommandOptions& options, const Connectors& connectors);
int RunCheckCommand(const PairCommandOptions& options, const Connectors& connectors);
// `pgpair show PLAN [--json]`: a saved plan as plan shows it; changes nothing.
int RunShowCommand(const std::string& plan_path, bool json);
int RunVerifyCommand(const PairCommandOptions& options, const Connectors& connectors);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_PAIR_COMMANDS_H_
