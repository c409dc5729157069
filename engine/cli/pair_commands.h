#ifndef PGPAIR_ENGINE_CLI_PAIR_COMMANDS_H_
#define PGPAIR_ENGINE_CLI_PAIR_COMMANDS_H_

#include <string>

#include "engine/apply/apply_lock.h"
#include "engine/cli/pair_session.h"

namespace pgpair {

struct PairCommandOptions {
  std::string manifest_path;
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
  LeaseOpener open_lease;  // apply's lock: a second connection per host
};

// Each returns the process exit status (engine/cli/cli.h).
int RunPlanCommand(const PairCommandOptions& options, const Connectors& connectors);
int RunApplyCommand(const PairCommandOptions& options, const Connectors& connectors);
int RunCheckCommand(const PairCommandOptions& options, const Connectors& connectors);
// `pgpair show PLAN [--json]`: a saved plan as plan shows it; changes nothing.
int RunShowCommand(const std::string& plan_path, bool json);
int RunVerifyCommand(const PairCommandOptions& options, const Connectors& connectors);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_PAIR_COMMANDS_H_
