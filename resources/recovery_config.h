#ifndef PGPAIR_RESOURCES_RECOVERY_CONFIG_H_
#define PGPAIR_RESOURCES_RECOVERY_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/apply/standby_setup.h"
#include "engine/plan/resource.h"

namespace pgpair {

// The standby's configuration as a standby of the declared primary
// (host: standby; address "recovery_config[pg2]"). From 12: standby.signal,
// primary_conninfo in the file that wins for it, no recovery.conf (moved
// aside: a 12+ server refuses to start with one). Up to 11: recovery.conf
// with standby_mode = 'on' and primary_conninfo, no standby.signal. The
// password stored in primary_conninfo is compared with the manifest's by
// digest: a rotated secret is rewritten. Plans only for a data directory
// that is a standby of the primary (engine/facts/standby_state.h); the clone
// writes the configuration of a copy it makes itself (the files'
// shared home is engine/apply/standby_setup.h).
const Resource& RecoveryConfigResource();

// What a recovery_config change does in the standby's data directory.
struct RecoveryConfigDetails {
  std::vector<std::string>
      steps;  // kMoveRecoveryConf, ... (engine/apply/standby_setup.h), in order
  std::string data_dir;
  std::string timestamp;                           // in the name of a moved-aside recovery.conf
  std::optional<std::string> conninfo_file;        // kWriteConninfo: the file that wins for it
  std::optional<std::string> recovery_conf_aside;  // kMoveRecoveryConf: where it goes
  StandbyConninfo primary;                         // what primary_conninfo holds, password aside
  // {"steps", "data_dir", "timestamp", "conninfo_file", "recovery_conf_aside",
  // "primary": {...}} (null where it does not apply)
  nlohmann::json ToJson() const;
};

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_RECOVERY_CONFIG_H_
