#ifndef PGPAIR_ENGINE_FACTS_PARSERS_RECOVERY_CONF_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_RECOVERY_CONF_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts/parsers/postgresql_conf.h"
#include "engine/util/status.h"

namespace pgpair {

// A recovery.conf (PostgreSQL up to 11; from 12 the file stops the server
// from starting). Each field holds the value the server uses: the last line
// that sets it. Empty when the file does not set it.
struct RecoveryConf {
  std::vector<ConfEntry> entries;  // every line, in file order
  std::optional<bool> standby_mode;
  std::optional<std::string> primary_conninfo;
  std::optional<std::string> primary_slot_name;
  std::optional<std::string> restore_command;
  std::optional<std::string> recovery_target_timeline;  // "latest", "current" or a number
  std::optional<std::string> trigger_file;
};

// Parses the text of a recovery.conf, which has postgresql.conf syntax.
// It is not an error if the file sets other recovery settings (they stay in
// entries) or none at all.
// Fails for a syntax error, or a standby_mode that is not a boolean.
Result<RecoveryConf> ParseRecoveryConf(std::string_view text);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_RECOVERY_CONF_H_
