#ifndef PGPAIR_ENGINE_FACTS_PARSERS_PG_CONTROLDATA_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_PG_CONTROLDATA_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace pgpair {

// What pg_controldata prints about a data directory. Each field is empty when
// the output does not have its line (older majors name some differently).
struct ControlData {
  std::map<std::string, std::string> fields;  // every "key: value" line, as printed
  // A 64-bit unsigned number; kept as text so that nothing rounds or signs it.
  std::optional<std::string> system_identifier;
  // "starting up", "shut down", "shut down in recovery", "shutting down",
  // "in crash recovery", "in archive recovery", "in production".
  std::optional<std::string> cluster_state;
  std::optional<uint32_t> pg_control_version;
  std::optional<uint32_t> catalog_version;
  std::optional<std::string> latest_checkpoint_location;  // an LSN such as "0/1500718"
  std::optional<uint32_t> timeline_id;                    // of the latest checkpoint
  std::optional<std::string> wal_level;                   // as of the latest checkpoint
  std::optional<uint32_t> data_checksum_version;          // 0: checksums off
  std::optional<std::string> wal_log_hints;               // "on" or "off", at the last start
};

// Parses the output of pg_controldata, which must run with LC_ALL=C: the
// labels are translated otherwise.
// It is not an error if lines other than "key: value" appear (they are
// skipped) or if some known lines are missing (their fields stay empty).
// Fails when no known line is found, or a known number does not read as one.
Result<ControlData> ParsePgControldata(std::string_view text);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_PG_CONTROLDATA_H_
