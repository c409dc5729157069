#include "engine/cli/saved_plan_file.h"

#include <stdlib.h>

#include <climits>
#include <ctime>

#include "engine/output/json_text.h"
#include "engine/util/atomic_file.h"

namespace pgpair {

std::string AbsolutePath(const std::string& path) {
  char resolved[PATH_MAX];
  if (realpath(path.c_str(), resolved) != nullptr) return resolved;
  return path;
}

SavedPlan MakeSavedPlan(const PairSession& session, const PlanInput& input,
                        const nlohmann::json& plan_document, const std::string& manifest_sha256) {
  const Manifest& manifest = session.manifest;
  SavedPlan saved;
  saved.created_at = UtcIsoTime();
  saved.pgpair_version = PGPAIR_VERSION;
  saved.manifest_path = AbsolutePath(manifest.path);
  saved.manifest_sha256 = manifest_sha256;
  saved.pair = manifest.pair;
  saved.primary = {manifest.primary, manifest.primary_host().address};
  saved.standby = {manifest.standby, manifest.standby_host().address};
  saved.timestamp = input.timestamp;
  saved.allow_overwrite_primary = input.allow_overwrite_primary;
  saved.fingerprint = FingerprintFacts(manifest, *input.primary, *input.standby, input.login_check);
  saved.plan = plan_document;
  return saved;
}

Status WriteSavedPlan(const std::string& path, const SavedPlan& saved) {
  return WriteFileAtomically(path, ToJsonText(SavedPlanToJson(saved)) + "\n", 0644);
}

Status CheckManifestUnchanged(const SavedPlan& saved) {
  Result<std::string> now = FileSha256(saved.manifest_path);
  if (!now.ok()) {
    return Status::Error("the manifest the plan was made from cannot be read: " +
                         now.status().message());
  }
  if (*now != saved.manifest_sha256) {
    return Status::Error(
        "the manifest " + saved.manifest_path + " changed since the plan was made (sha256 " +
        saved.manifest_sha256.substr(0, 12) + " when planned, " + now->substr(0, 12) + " now)");
  }
  return Status::Ok();
}

}  // namespace pgpair
