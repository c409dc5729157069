#include "resources/setting/startup_checks.h"

#include <optional>
#include <string>

#include "engine/facts/parsers/postgresql_conf.h"

namespace pgpair {
namespace {

constexpr long long kMegabyte = 1LL << 20;

// pg_basebackup -X stream holds two WAL senders while it clones, and each
// streaming standby one.
constexpr long long kWalSendersForClone = 2;
constexpr long long kStandbys = 1;

// The value a host will run with once the plan is applied: the manifest's,
// else the running server's. Empty when neither is known.
std::optional<long long> PlannedInteger(const std::vector<DesiredSetting>& desired,
                                        const HostFacts* facts, const std::string& name,
                                        const DesiredSetting** declared) {
  SettingType type = SettingTypeFor(name, facts ? facts->FindSetting(name) : nullptr);
  *declared = FindDesired(desired, name);
  if (*declared) return SettingInteger(type, (*declared)->value);
  if (!facts || facts->server.running != true) return std::nullopt;
  const SettingFact* server = facts->FindSetting(name);
  if (!server || !server->value) return std::nullopt;
  return SettingInteger(type, QuoteConfValue(*server->value));
}

// A connection setting of a stopped server that the manifest does not
// declare: the files' value, else the built-in default (16 added
// reserved_connections).
std::optional<long long> StoppedCount(const HostFacts& facts, const std::string& name) {
  if (const FileSettingFact* winning = WinningFileSetting(facts, name)) {
    return SettingInteger(SettingTypeFor(name, nullptr), QuoteConfValue(winning->value));
  }
  const int major = facts.server.major.value_or(0);
  if (name == "superuser_reserved_connections") return 3;
  if (name == "reserved_connections") {
    return major >= 16 ? std::optional<long long>(0) : std::nullopt;
  }
  std::optional<std::string> built_in = BuiltInDefault(name, major);
  if (!built_in) return std::nullopt;
  return SettingInteger(SettingTypeFor(name, nullptr), *built_in);
}

// The connections PostgreSQL keeps back must leave room in max_connections,
// or it refuses to start ("superuser_reserved_connections (3) must be less
// than max_connections (1)").
void CheckConnectionBudget(const std::string& host, const HostFacts* facts,
                           const std::vector<DesiredSetting>& desired, Plan* plan) {
  if (!facts || !facts->server.major) return;
  const int major = *facts->server.major;
  std::vector<std::string> reserved_names = {"superuser_reserved_connections"};
  if (major >= 16) reserved_names.push_back("reserved_connections");
  if (major <= 11) reserved_names.push_back("max_wal_senders");

  bool any_declared = false;
  auto planned = [&](const std::string& name, std::string* where) -> std::optional<long long> {
    const DesiredSetting* declared = nullptr;
    std::optional<long long> value = PlannedInteger(desired, facts, name, &declared);
    if (!declared && !value && facts->server.running == false) value = StoppedCount(*facts, name);
    any_declared |= declared != nullptr;
    *where = declared ? " (" + declared->mark.ToString() + ")"
                      : std::string(facts->server.running == true ? " (running)" : " (files)");
    return value;
  };
  std::string connections_where;
  std::optional<long long> connections = planned("max_connections", &connections_where);
  long long reserved = 0;
  std::string terms;
  for (const std::string& name : reserved_names) {
    std::string where;
    std::optional<long long> value = planned(name, &where);
    if (!value) return;
    reserved += *value;
    terms += (terms.empty() ? "" : " plus ") + name + " = " + std::to_string(*value) + where;
  }
  if (!any_declared || !connections || reserved < *connections) return;
  std::string why = major <= 11 ? ": PostgreSQL " + std::to_string(major) +
                                      " counts WAL senders among its connections (12 and later "
                                      "do not) and would not start"
                                : ": PostgreSQL " + std::to_string(major) +
                                      " would not start (it keeps those connections back)";
  plan->blockers.push_back(
      {host, terms + " must be less than max_connections = " + std::to_string(*connections) +
                 connections_where + why + "; raise max_connections in the manifest"});
}

// shared_buffers is allocated in one piece at start: a value the host's
// memory cannot hold stops the server from starting.
void CheckSharedBuffers(const std::string& host, const HostFacts* facts,
                        const std::vector<DesiredSetting>& desired, Plan* plan) {
  const DesiredSetting* declared = FindDesired(desired, "shared_buffers");
  if (!facts || !declared || !facts->os.memory_bytes) return;
  SettingType type = SettingTypeFor("shared_buffers", facts->FindSetting("shared_buffers"));
  if (type.unit.empty()) type.unit = "8kB";
  std::optional<long long> blocks = SettingInteger(type, declared->value);
  std::optional<long long> unit = SettingUnitBytes(type.unit);
  if (!blocks || !unit || *blocks <= 0) return;
  const long long memory = *facts->os.memory_bytes;
  if (*blocks > memory / *unit || *blocks * *unit >= memory) {
    plan->blockers.push_back(
        {host, "setting shared_buffers (" + declared->mark.ToString() + ") = " + declared->value +
                   " is not below this host's memory (" + std::to_string(memory / kMegabyte) +
                   "MB, MemTotal in /proc/meminfo): PostgreSQL would not start; lower it"});
  }
}

// A standby whose max_wal_senders leaves no room for the clone and the stream.
void NoteWalSenders(const std::string& primary_host, const HostFacts* facts,
                    const std::vector<DesiredSetting>& desired, Plan* plan) {
  const DesiredSetting* declared = nullptr;
  std::optional<long long> senders = PlannedInteger(desired, facts, "max_wal_senders", &declared);
  if (!senders || *senders >= kWalSendersForClone + kStandbys) return;
  plan->notes.push_back(
      primary_host + ": max_wal_senders = " + std::to_string(*senders) +
      (declared ? " (" + declared->mark.ToString() + ")" : std::string(" (running)")) +
      " is below " + std::to_string(kWalSendersForClone + kStandbys) +
      ": the standby streams through one WAL sender and pg_basebackup -X stream needs two "
      "while it clones");
}

void CheckStandbyMinimums(const PlanInput& input, const std::vector<DesiredSetting>& primary,
                          const std::vector<DesiredSetting>& standby, Plan* plan) {
  const std::string& standby_host = input.manifest->standby;
  const DesiredSetting* hot_standby = FindDesired(standby, "hot_standby");
  if (hot_standby &&
      !SettingValuesEqual(SettingTypeFor("hot_standby", nullptr), hot_standby->value, "on")) {
    return;
  }
  for (std::string_view name_view : StandbyMinimumSettings()) {
    std::string name(name_view);
    const DesiredSetting* on_primary = nullptr;
    const DesiredSetting* on_standby = nullptr;
    std::optional<long long> primary_value =
        PlannedInteger(primary, input.primary, name, &on_primary);
    std::optional<long long> standby_value =
        PlannedInteger(standby, input.standby, name, &on_standby);
    if (!primary_value || !standby_value || *standby_value >= *primary_value) continue;
    std::string primary_where =
        on_primary ? " (" + on_primary->mark.ToString() + ")" : std::string(" (running)");
    if (on_standby && on_standby->why.empty()) {
      plan->blockers.push_back(
          {standby_host, "setting " + name + " (" + on_standby->mark.ToString() + ") = " +
                             std::to_string(*standby_value) + " is lower than the primary's " +
                             std::to_string(*primary_value) + primary_where +
                             ": hot standby does not start with less; raise it, or remove "
                             "it so that pgpair copies the primary's"});
    } else {
      plan->notes.push_back(standby_host + ": " + name + " runs as " +
                            std::to_string(*standby_value) + ", lower than the primary's " +
                            std::to_string(*primary_value) + primary_where +
                            ": hot standby does not start with less; declare it under "
                            "settings.standby");
    }
  }
}

}  // namespace

void CheckStartupSettings(const PlanInput& input, const std::vector<DesiredSetting>& primary,
                          const std::vector<DesiredSetting>& standby, Plan* plan) {
  const Manifest& manifest = *input.manifest;
  CheckConnectionBudget(manifest.primary, input.primary, primary, plan);
  CheckConnectionBudget(manifest.standby, input.standby, standby, plan);
  CheckSharedBuffers(manifest.primary, input.primary, primary, plan);
  CheckSharedBuffers(manifest.standby, input.standby, standby, plan);
  NoteWalSenders(manifest.primary, input.primary, primary, plan);
  CheckStandbyMinimums(input, primary, standby, plan);
}

}  // namespace pgpair
