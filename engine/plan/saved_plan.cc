#include "engine/plan/saved_plan.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/util/digest.h"

namespace pgpair {
namespace {

using nlohmann::json;

// A saved change's details, kept as saved: shown, never performed.
class SavedDetails final : public ChangeDetails {
 public:
  explicit SavedDetails(json value) : value_(std::move(value)) {}
  json ToJson() const override { return value_; }

 private:
  json value_;
};

// The value of `names` that Name(value) spells `text`.
template <typename E, size_t N>
bool FromName(const std::string& text, const E (&values)[N], const char* (*name)(E), E* out) {
  for (E value : values) {
    if (text == name(value)) {
      *out = value;
      return true;
    }
  }
  return false;
}

constexpr Action kActions[] = {Action::kCreate, Action::kUpdate, Action::kDelete, Action::kReplace};
constexpr Impact kImpacts[] = {Impact::kNone, Impact::kReload, Impact::kRestart, Impact::kReclone};
constexpr ServerStep kSteps[] = {ServerStep::kNone, ServerStep::kReload, ServerStep::kRestart,
                                 ServerStep::kStart};
constexpr ServerCheck kChecks[] = {ServerCheck::kHbaRules, ServerCheck::kFileSettings};

std::optional<std::string> OptionalString(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return std::nullopt;
}

std::string String(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Change> ChangeFromJson(const json& item) {
  if (!item.is_object()) return Status::Error("a change is not an object");
  Change change;
  change.resource = String(item, "resource");
  change.address = String(item, "address");
  change.host = String(item, "host");
  const std::string where = "change " + change.address;
  if (!FromName(String(item, "action"), kActions, ActionName, &change.action) ||
      !FromName(String(item, "impact"), kImpacts, ImpactName, &change.impact) ||
      !FromName(String(item, "server_step"), kSteps, ServerStepName, &change.server_step)) {
    return Status::Error(where + ": unknown action, impact or server_step");
  }
  change.before = OptionalString(item.value("before", json()));
  change.after = OptionalString(item.value("after", json()));
  change.reason = String(item, "reason");
  for (const json& check : item.value("checks", json::array())) {
    ServerCheck parsed;
    if (!check.is_string() ||
        !FromName(check.get<std::string>(), kChecks, ServerCheckName, &parsed)) {
      return Status::Error(where + ": unknown check " + check.dump());
    }
    change.checks.push_back(parsed);
  }
  for (const json& file : item.value("edited_files", json::array())) {
    if (file.is_string()) change.edited_files.push_back(file.get<std::string>());
  }
  json details = item.value("details", json());
  if (!details.is_null()) change.details = std::make_shared<const SavedDetails>(details);
  return change;
}

// A change without what the comparison ignores, and keyed by address.
std::map<std::string, json> ComparableChanges(const json& document) {
  std::map<std::string, json> changes;
  for (const json& change : document.value("changes", json::array())) {
    json comparable = change;
    comparable.erase("reason");
    changes[change.value("address", std::string())] = comparable;
  }
  return changes;
}

// The fields of two versions of one change that differ.
std::string ChangedFields(const json& saved, const json& now) {
  std::vector<std::string> fields;
  std::set<std::string> keys;
  for (const auto& [key, unused] : saved.items()) keys.insert(key);
  for (const auto& [key, unused] : now.items()) keys.insert(key);
  for (const std::string& key : keys) {
    if (saved.value(key, json()) != now.value(key, json())) fields.push_back(key);
  }
  std::string text;
  for (size_t i = 0; i < fields.size(); ++i) text += (i == 0 ? "" : ", ") + fields[i];
  return text;
}

}  // namespace

json SavedPlanToJson(const SavedPlan& saved) {
  return {{"pgpair_saved_plan_version", kSavedPlanVersion},
          {"secrets", kSavedPlanSecrets},
          {"created_at", saved.created_at},
          {"pgpair_version", saved.pgpair_version},
          {"manifest", {{"path", saved.manifest_path}, {"sha256", saved.manifest_sha256}}},
          {"pair",
           {{"name", saved.pair},
            {"primary", {{"name", saved.primary.name}, {"address", saved.primary.address}}},
            {"standby", {{"name", saved.standby.name}, {"address", saved.standby.address}}}}},
          {"timestamp", saved.timestamp},
          {"allow_overwrite_primary", saved.allow_overwrite_primary},
          {"fingerprint", FingerprintToJson(saved.fingerprint)},
          {"plan", saved.plan}};
}

bool LooksLikeSavedPlan(const std::string& text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() && parsed.contains("pgpair_saved_plan_version");
}

Result<SavedPlan> ParseSavedPlan(const std::string& text, const std::string& path) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("pgpair_saved_plan_version")) {
    return Status::Error(path + ": not a saved plan (pgpair plan MANIFEST -o " + path +
                         " writes one)");
  }
  const json& version = parsed["pgpair_saved_plan_version"];
  if (version != kSavedPlanVersion) {
    return Status::Error(path + ": a saved plan of version " + version.dump() +
                         ", this pgpair reads version " + std::to_string(kSavedPlanVersion) +
                         "; make the plan again with this pgpair");
  }
  SavedPlan saved;
  try {
    saved.created_at = parsed.at("created_at").get<std::string>();
    saved.pgpair_version = parsed.at("pgpair_version").get<std::string>();
    saved.manifest_path = parsed.at("manifest").at("path").get<std::string>();
    saved.manifest_sha256 = parsed.at("manifest").at("sha256").get<std::string>();
    const json& pair = parsed.at("pair");
    saved.pair = pair.at("name").get<std::string>();
    saved.primary = {pair.at("primary").at("name").get<std::string>(),
                     pair.at("primary").at("address").get<std::string>()};
    saved.standby = {pair.at("standby").at("name").get<std::string>(),
                     pair.at("standby").at("address").get<std::string>()};
    saved.timestamp = parsed.at("timestamp").get<std::string>();
    saved.allow_overwrite_primary = parsed.at("allow_overwrite_primary").get<bool>();
    saved.plan = parsed.at("plan");
  } catch (const json::exception& e) {
    return Status::Error(path + ": a saved plan with a missing or mistyped field (" +
                         std::string(e.what()) + "); make the plan again");
  }
  Result<PlanFingerprint> fingerprint = FingerprintFromJson(parsed.value("fingerprint", json()));
  if (!fingerprint.ok()) return Status::Error(path + ": " + fingerprint.status().message());
  saved.fingerprint = std::move(fingerprint).value();
  if (!saved.plan.is_object() || saved.plan.value("pgpair_plan_version", 0) != 1) {
    return Status::Error(path + ": its plan is not a plan document of version 1");
  }
  return saved;
}

Result<SavedPlan> ReadSavedPlan(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot read the saved plan: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseSavedPlan(text.str(), path);
}

Result<Plan> PlanFromDocument(const json& document) {
  Plan plan;
  for (const json& item : document.value("changes", json::array())) {
    Result<Change> change = ChangeFromJson(item);
    if (!change.ok()) return change.status();
    plan.changes.push_back(std::move(change).value());
  }
  for (const json& blocker : document.value("blockers", json::array())) {
    if (!blocker.is_object()) return Status::Error("a blocker is not an object");
    plan.blockers.push_back({String(blocker, "host"), String(blocker, "message")});
  }
  for (const json& note : document.value("notes", json::array())) {
    if (note.is_string()) plan.notes.push_back(note.get<std::string>());
  }
  for (const json& deferred : document.value("deferred", json::array())) {
    if (deferred.is_string()) plan.deferred.push_back(deferred.get<std::string>());
  }
  return plan;
}

Manifest ManifestForShowing(const SavedPlan& saved) {
  Manifest manifest;
  manifest.path = saved.manifest_path;
  manifest.pair = saved.pair;
  for (const SavedPlanHost& host : {saved.primary, saved.standby}) {
    HostSpec spec;
    spec.name = host.name;
    spec.address = host.address;
    manifest.hosts.push_back(spec);
  }
  manifest.primary = saved.primary.name;
  manifest.standby = saved.standby.name;
  return manifest;
}

std::vector<std::string> PlanDocumentDifferences(const json& saved, const json& now) {
  std::vector<std::string> differences;
  std::map<std::string, json> before = ComparableChanges(saved);
  std::map<std::string, json> after = ComparableChanges(now);
  // In the saved plan's order, then what is new.
  for (const json& change : saved.value("changes", json::array())) {
    const std::string address = change.value("address", std::string());
    auto it = after.find(address);
    if (it == after.end()) {
      differences.push_back(address + ": in the saved plan, no longer needed");
    } else if (it->second != before[address]) {
      differences.push_back(address + ": planned differently now (" +
                            ChangedFields(before[address], it->second) + ")");
    }
  }
  for (const json& change : now.value("changes", json::array())) {
    const std::string address = change.value("address", std::string());
    if (before.count(address) == 0)
      differences.push_back(address + ": needed now, not in the saved plan");
  }
  for (const char* list : {"blockers", "deferred"}) {
    json then = saved.value(list, json::array());
    json current = now.value(list, json::array());
    if (then != current) {
      differences.push_back(std::string(list) + ": " + then.dump() + " when planned, " +
                            current.dump() + " now");
    }
  }
  if (saved.value("changes", json::array()).size() == now.value("changes", json::array()).size() &&
      differences.empty()) {
    // Same changes, compared in order: apply performs them in this order.
    std::vector<std::string> order_then, order_now;
    for (const json& change : saved.value("changes", json::array())) {
      order_then.push_back(change.value("address", ""));
    }
    for (const json& change : now.value("changes", json::array())) {
      order_now.push_back(change.value("address", ""));
    }
    if (order_then != order_now) differences.push_back("the order of the changes differs");
  }
  return differences;
}

Result<std::string> FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return Sha256Hex(text.str());
}

}  // namespace pgpair
