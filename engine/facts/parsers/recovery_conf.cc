#include "engine/facts/parsers/recovery_conf.h"

#include "engine/facts/setting_value.h"

namespace pgpair {

Result<RecoveryConf> ParseRecoveryConf(std::string_view text) {
  auto entries = ParseConfFile(text);
  if (!entries.ok()) return entries.status().WithContext("recovery.conf");
  RecoveryConf conf;
  conf.entries = *entries;
  for (const ConfEntry& e : conf.entries) {
    // Later lines override earlier ones, as when the server reads the file.
    if (e.name == "standby_mode") {
      std::optional<bool> on = ParseSettingBool(e.value);
      if (!on) {
        return Status::Error("recovery.conf line " + std::to_string(e.line_number) +
                             ": standby_mode = " + e.raw_value + " is not a boolean");
      }
      conf.standby_mode = on;
    } else if (e.name == "primary_conninfo") {
      conf.primary_conninfo = e.value;
    } else if (e.name == "primary_slot_name") {
      conf.primary_slot_name = e.value;
    } else if (e.name == "restore_command") {
      conf.restore_command = e.value;
    } else if (e.name == "recovery_target_timeline") {
      conf.recovery_target_timeline = e.value;
    } else if (e.name == "trigger_file") {
      conf.trigger_file = e.value;
    }
  }
  return conf;
}

}  // namespace pgpair
