#include "resources/setting/desired.h"

#include "engine/util/shell_quote.h"

namespace pgpair {
namespace {

const SettingSpec* FindSpec(const std::vector<SettingSpec>& specs, std::string_view name) {
  for (const SettingSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace

const std::vector<std::string_view>& StandbyMinimumSettings() {
  static const std::vector<std::string_view> kNames = {
      "max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
      "max_locks_per_transaction"};
  return kNames;
}

bool IsRecoverySetting(std::string_view name) {
  return name == "primary_conninfo" || name == "primary_slot_name" || name == "restore_command";
}

const DesiredSetting* FindDesired(const std::vector<DesiredSetting>& desired,
                                  std::string_view name) {
  for (const DesiredSetting& setting : desired) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

std::string SettingSubject(const DesiredSetting& desired) {
  return "setting " + desired.name + " (" + desired.mark.ToString() + ")";
}

std::optional<std::string> RefusedValueMessage(const DesiredSetting& desired,
                                               const SettingType& type) {
  Result<std::string> canonical = CanonicalSettingValue(type, desired.value);
  if (canonical.ok()) return std::nullopt;
  return SettingSubject(desired) + ": " + canonical.status().message() +
         "; PostgreSQL would refuse it, so it is not written";
}

std::string ArchiveCommandFor(const std::string& dir) {
  std::string quoted = ShellQuote(dir);
  std::string escaped;
  for (char c : quoted) {
    escaped += c;
    if (c == '%') escaped += '%';  // the archiver's own escape
  }
  return "test ! -f " + escaped + "/%f && cp %p " + escaped + "/%f";
}

std::vector<DesiredSetting> DesiredSettings(const Manifest& manifest, const std::string& host) {
  const bool is_primary = host == manifest.primary;
  const std::vector<SettingSpec>& specs =
      is_primary ? manifest.primary_settings : manifest.standby_settings;
  std::vector<DesiredSetting> desired;
  for (const SettingSpec& spec : specs) {
    if (IsRecoverySetting(spec.name)) continue;
    desired.push_back({spec.name, spec.value, spec.mark, ""});
  }
  if (is_primary && manifest.archive) {
    const ArchiveSpec& archive = *manifest.archive;
    std::string because = "implied by archive: (" + archive.mark.ToString() + ")";
    if (!FindSpec(specs, "archive_mode")) {
      desired.push_back({"archive_mode", "on", archive.mark,
                         because + ": WAL archiving needs archive_mode = on"});
    }
    if (!FindSpec(specs, "archive_command")) {
      desired.push_back({"archive_command", ArchiveCommandFor(archive.dir), archive.mark,
                         because + ": each WAL segment is copied into " + archive.dir});
    }
  }
  // Either host may be the old primary of a failover: rewinding it needs
  // hint-bit changes in its WAL (or data checksums, which log them too).
  if (manifest.replication && !FindSpec(specs, "wal_log_hints")) {
    desired.push_back({"wal_log_hints", "on", manifest.replication->mark,
                       "implied by replication: (" + manifest.replication->mark.ToString() +
                           "): pg_rewind rejoins this host after a failover only with "
                           "wal_log_hints = on (or data checksums); set wal_log_hints: off to "
                           "rejoin by a new clone instead"});
  }
  if (!is_primary) {
    for (std::string_view name : StandbyMinimumSettings()) {
      const SettingSpec* on_primary = FindSpec(manifest.primary_settings, name);
      if (!on_primary || FindSpec(specs, name)) continue;
      desired.push_back({on_primary->name, on_primary->value, on_primary->mark,
                         "hot standby does not start with less " + on_primary->name +
                             " than the primary, which the manifest sets to " + on_primary->value +
                             " (" + on_primary->mark.ToString() + ")"});
    }
  }
  return desired;
}

}  // namespace pgpair
