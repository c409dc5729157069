#include "engine/plan/plan_fingerprint.h"

#include <set>
#include <sstream>

#include "engine/util/digest.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

constexpr const char* kUnknown = "unknown";

// Settings the replication setup reads whether or not the manifest names
// them; the manifest's own are added to these.
constexpr const char* kReplicationSettings[] = {"listen_addresses",
                                                "port",
                                                "wal_level",
                                                "hot_standby",
                                                "max_wal_senders",
                                                "archive_mode",
                                                "archive_command",
                                                "primary_conninfo",
                                                "primary_slot_name",
                                                "hba_file",
                                                "config_file",
                                                "data_directory",
                                                "max_connections",
                                                "max_replication_slots",
                                                "wal_keep_size",
                                                "wal_keep_segments",
                                                "password_encryption",
                                                "shared_buffers",
                                                "ssl",
                                                "wal_segment_size"};

// Twelve hex digits are plenty to tell two versions of a file apart, and
// keep the message readable.
std::string ShortDigest(const std::string& text) { return Sha256Hex(text).substr(0, 12); }

std::string YesNo(const std::optional<bool>& value, const std::string& yes, const std::string& no) {
  if (!value) return yes + " unknown";
  return *value ? yes : no;
}

std::string Or(const std::optional<std::string>& value) { return value ? *value : kUnknown; }

std::string ServerState(const ServerFacts& server) {
  std::string state = YesNo(server.running, "running", "stopped");
  if (server.running.value_or(false)) {
    state += ", " + YesNo(server.in_recovery, "in recovery", "not in recovery");
  }
  return state + ", major " + (server.major ? std::to_string(*server.major) : kUnknown);
}

std::string Layout(const LayoutFacts& layout) {
  std::string text = "data " + Or(layout.data_dir);
  if (layout.data_dir_exists && !*layout.data_dir_exists) text += " (absent)";
  text += ", config " + Or(layout.config_file) + ", hba " + Or(layout.hba_file) + ", port " +
          (layout.port ? std::to_string(*layout.port) : kUnknown);
  if (layout.clone_leftovers && !layout.clone_leftovers->empty()) {
    text += ", clone leftovers " + Join(*layout.clone_leftovers, " ");
  }
  return text;
}

std::string HbaLines(const HbaFacts& hba) {
  if (!hba.lines) return kUnknown;
  std::string all;
  for (const HbaLineFact& line : *hba.lines) {
    all += std::to_string(line.line_number) + "\t" + line.text + "\n";
  }
  return Or(hba.file) + ": " + std::to_string(hba.lines->size()) + " lines, sha256 " +
         ShortDigest(all);
}

std::string FileSettingLines(const HostFacts& facts) {
  if (!facts.file_settings) return kUnknown;
  std::string all;
  for (const FileSettingFact& line : *facts.file_settings) {
    all += line.file + ":" + std::to_string(line.line) + "\t" + line.name + "=" + line.value +
           (line.error ? "\terror " + *line.error : "") + "\n";
  }
  return std::to_string(facts.file_settings->size()) + " lines, sha256 " + ShortDigest(all);
}

std::string Setting(const HostFacts& facts, const std::string& name) {
  if (!facts.settings) return kUnknown;
  const SettingFact* setting = facts.FindSetting(name);
  if (setting == nullptr) return "not reported";
  std::string text = "\"" + Or(setting->value) + "\"";
  if (setting->unit) text += " " + *setting->unit;
  if (setting->pending_restart.value_or(false)) text += ", pending restart";
  return text;
}

std::string Role(const RoleFact& role) {
  if (!role.exists.value_or(false)) return role.exists ? "absent" : kUnknown;
  std::ostringstream text;
  text << YesNo(role.can_login, "login", "nologin") << ", "
       << YesNo(role.replication, "replication", "noreplication") << ", "
       << YesNo(role.superuser, "superuser", "nosuperuser") << ", connection limit "
       << (role.connection_limit ? std::to_string(*role.connection_limit) : kUnknown)
       << ", password "
       << (role.has_password.value_or(false) ? Or(role.password_kind)
                                             : YesNo(role.has_password, "set", "none"));
  return text.str();
}

std::string Recovery(const RecoveryFacts& recovery) {
  std::ostringstream text;
  text << "standby.signal " << YesNo(recovery.standby_signal, "yes", "no") << ", recovery.signal "
       << YesNo(recovery.recovery_signal, "yes", "no") << ", recovery.conf "
       << YesNo(recovery.recovery_conf, "yes", "no") << ", backup_label "
       << YesNo(recovery.backup_label, "yes", "no") << ", primary_conninfo \""
       << Or(recovery.primary_conninfo) << "\" (password "
       << YesNo(recovery.primary_conninfo_has_password, "set", "none") << "), slot "
       << Or(recovery.primary_slot_name);
  if (recovery.recovery_conf_settings) {
    std::string all;
    for (const auto& [name, value] : *recovery.recovery_conf_settings) {
      all += name + "=" + value + "\n";
    }
    text << ", recovery.conf settings sha256 " << ShortDigest(all);
  }
  return text.str();
}

std::string Archive(const std::optional<ArchiveDirFacts>& archive) {
  if (!archive) return kUnknown;
  if (!archive->exists.value_or(false)) return archive->exists ? "absent" : kUnknown;
  return std::string(archive->is_directory.value_or(false) ? "directory" : "not a directory") +
         ", owner " + Or(archive->owner) + ":" + Or(archive->group) + ", mode " + Or(archive->mode);
}

std::string Refused(const std::optional<std::vector<RefusedSettingFact>>& refused) {
  if (!refused) return kUnknown;
  std::vector<std::string> names;
  for (const RefusedSettingFact& setting : *refused) {
    names.push_back(setting.name + "=" + setting.value + " at " + setting.time);
  }
  return names.empty() ? "none" : Join(names, ", ");
}

void AddHost(const HostFacts& facts, const std::set<std::string>& settings,
             PlanFingerprint* fingerprint) {
  auto add = [&](const std::string& what, const std::string& value) {
    fingerprint->items[facts.name + ": " + what] = value;
  };
  add("system identifier", Or(facts.server.system_identifier));
  add("server", ServerState(facts.server));
  add("layout", Layout(facts.layout));
  add("pg_hba.conf", HbaLines(facts.hba));
  add("configuration file lines", FileSettingLines(facts));
  for (const std::string& name : settings) add("setting " + name, Setting(facts, name));
  if (!facts.roles) {
    add("roles", kUnknown);
  } else {
    for (const RoleFact& role : *facts.roles) add("role " + role.name, Role(role));
  }
  add("recovery configuration", Recovery(facts.recovery));
  add("archive directory", Archive(facts.archive));
  add("settings refused at a start", Refused(facts.refused_settings));
  // A host that could not be read in part is planned differently; its
  // problems are part of what the plan was made from.
  std::vector<std::string> topics;
  for (const FactProblem& problem : facts.problems) topics.push_back(problem.topic);
  add("facts that could not be read", topics.empty() ? "none" : Join(topics, ", "));
}

}  // namespace

PlanFingerprint FingerprintFacts(const Manifest& manifest, const HostFacts& primary,
                                 const HostFacts& standby,
                                 const std::optional<ReplicationLoginCheck>& login_check) {
  std::set<std::string> settings(std::begin(kReplicationSettings), std::end(kReplicationSettings));
  for (const SettingSpec& setting : manifest.primary_settings) settings.insert(setting.name);
  for (const SettingSpec& setting : manifest.standby_settings) settings.insert(setting.name);
  PlanFingerprint fingerprint;
  AddHost(primary, settings, &fingerprint);
  AddHost(standby, settings, &fingerprint);
  fingerprint.items["replication login from " + standby.name + " to " + primary.name] =
      !login_check             ? "not tried"
      : login_check->succeeded ? "succeeded"
                               : "failed: " + login_check->message;
  return fingerprint;
}

std::vector<std::string> FingerprintDifferences(const PlanFingerprint& saved,
                                                const PlanFingerprint& now) {
  std::vector<std::string> differences;
  auto shown = [](const std::map<std::string, std::string>& items, const std::string& item) {
    auto it = items.find(item);
    return it == items.end() ? std::string("(not seen)") : it->second;
  };
  std::set<std::string> all;
  for (const auto& [item, unused] : saved.items) all.insert(item);
  for (const auto& [item, unused] : now.items) all.insert(item);
  for (const std::string& item : all) {
    std::string then = shown(saved.items, item);
    std::string current = shown(now.items, item);
    if (then != current) {
      differences.push_back(item + ": " + then + " when planned, " + current + " now");
    }
  }
  return differences;
}

nlohmann::json FingerprintToJson(const PlanFingerprint& fingerprint) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [item, value] : fingerprint.items) json[item] = value;
  return json;
}

Result<PlanFingerprint> FingerprintFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Status::Error("the fingerprint is not an object");
  PlanFingerprint fingerprint;
  for (const auto& [item, value] : json.items()) {
    if (!value.is_string()) return Status::Error("fingerprint item " + item + " is not a string");
    fingerprint.items[item] = value.get<std::string>();
  }
  return fingerprint;
}

}  // namespace pgpair
