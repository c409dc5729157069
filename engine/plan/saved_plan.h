#ifndef PGPAIR_ENGINE_PLAN_SAVED_PLAN_H_
#define PGPAIR_ENGINE_PLAN_SAVED_PLAN_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/manifest/manifest.h"
#include "engine/plan/change.h"
#include "engine/plan/plan_fingerprint.h"
#include "engine/util/status.h"

namespace pgpair {

// The version of the saved plan file (`plan -o`, schemas/saved-plan.schema.json);
// raised when a field changes meaning or goes away.
inline constexpr int kSavedPlanVersion = 1;

// What the file says of secrets; the schema holds it to this text.
inline constexpr const char* kSavedPlanSecrets =
    "none: the replication password is read again from the manifest's reference (env or file) "
    "when the plan is applied; conninfo strings are shown without it";

struct SavedPlanHost {
  std::string name;
  std::string address;
};

// A plan as `plan -o` writes it and `apply PLAN` and `show PLAN` read it:
// the plan document of `plan --json`, what it was made from (the manifest's
// absolute path and SHA-256, the facts' fingerprint) and how (the time used
// in the names of moved-aside directories, --allow-overwrite-primary), so
// that apply can remake the same plan and refuse if anything differs.
struct SavedPlan {
  std::string created_at;  // UTC, ISO 8601
  std::string pgpair_version;
  std::string manifest_path;  // absolute
  std::string manifest_sha256;
  std::string pair;
  SavedPlanHost primary;
  SavedPlanHost standby;
  std::string timestamp;  // PlanInput::timestamp, "20261126T061500Z"
  bool allow_overwrite_primary = false;
  PlanFingerprint fingerprint;
  nlohmann::json plan;  // as `plan --json` prints it (schemas/plan.schema.json)
};

nlohmann::json SavedPlanToJson(const SavedPlan& saved);

// True when `text` is a JSON object with pgpair_saved_plan_version: what
// `apply` takes for a saved plan rather than a manifest.
bool LooksLikeSavedPlan(const std::string& text);

// Reads a saved plan from the local file `path`. Fails, naming the file,
// when it cannot be read, is not a saved plan, or is of another version.
Result<SavedPlan> ReadSavedPlan(const std::string& path);
Result<SavedPlan> ParseSavedPlan(const std::string& text, const std::string& path);

// The plan document back as a Plan, for showing it: each change keeps its
// details as the JSON they were saved as (enough for FormatPlan and
// PlanToJson; apply never performs these, it remakes the plan and compares).
Result<Plan> PlanFromDocument(const nlohmann::json& document);

// The manifest as far as showing a plan needs it: the pair and its hosts.
Manifest ManifestForShowing(const SavedPlan& saved);

// One line per way the plan made now differs from the saved one: a change
// only in one of them, or the same address with other action, impact,
// server step, checks, edited files, before, after or details; different
// blockers or deferred changes. The reasons and notes, which are for
// people, are not compared. Empty when they are the same plan.
std::vector<std::string> PlanDocumentDifferences(const nlohmann::json& saved,
                                                 const nlohmann::json& now);

// SHA-256 (hex) of the local file `path`'s bytes.
Result<std::string> FileSha256(const std::string& path);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_PLAN_SAVED_PLAN_H_
