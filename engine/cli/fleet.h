#ifndef PGPAIR_ENGINE_CLI_FLEET_H_
#define PGPAIR_ENGINE_CLI_FLEET_H_

#include <string>
#include <vector>

#include "engine/cli/pair_commands.h"

namespace pgpair {

enum class FleetCommand { kPlan, kCheck };

// The order of badness of exit statuses, for a fleet's exit status (the
// worst pair's): 1 (an error) before 2 (changes, drift) before 0.
int WorseExitStatus(int a, int b);

// `pgpair plan|check` over many pairs (options.manifest_paths, one pair a
// manifest). First, before any host is contacted: every manifest is read
// for its pair name, a name declared by two manifests is an error naming
// both, and --shard keeps the pairs of its share (a manifest that cannot be
// read goes by its file name). Then the pairs run on options.jobs threads
// at most, each with its own two SSH connections and its own timeouts, and
// each pair's line is printed as soon as it is done: a text line (pair,
// result, changes or the first error, time) or, with --json, one JSON
// object a line (schemas/fleet-line.schema.json); a last text line sums
// up. check --textfile then writes every pair's metrics in one file.
// Returns the worst pair's exit status (WorseExitStatus); 0 for no pair.
int RunFleet(FleetCommand command, const PairCommandOptions& options, const Connectors& connectors);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_FLEET_H_
