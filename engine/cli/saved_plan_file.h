#ifndef PGPAIR_ENGINE_CLI_SAVED_PLAN_FILE_H_
#define PGPAIR_ENGINE_CLI_SAVED_PLAN_FILE_H_

#include <string>
#include <vector>

#include "engine/cli/pair_session.h"
#include "engine/plan/saved_plan.h"
#include "engine/util/utc_time.h"

namespace pgpair {

// The saved plan of `plan`, made in `session` from the manifest whose bytes
// had SHA-256 `manifest_sha256` when it was read, with `input`.
SavedPlan MakeSavedPlan(const PairSession& session, const PlanInput& input,
                        const nlohmann::json& plan_document, const std::string& manifest_sha256);

// Writes `saved` to the local file `path` atomically, mode 0644 (it holds
// no secret).
Status WriteSavedPlan(const std::string& path, const SavedPlan& saved);

// Why `saved` must not be applied to the manifest as it is now: the
// manifest's bytes differ from the ones it was made from. Ok otherwise.
Status CheckManifestUnchanged(const SavedPlan& saved);

// The manifest's path made absolute, so that a saved plan can be applied
// from another directory.
std::string AbsolutePath(const std::string& path);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_SAVED_PLAN_FILE_H_
