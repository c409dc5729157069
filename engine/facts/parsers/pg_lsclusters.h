#ifndef PGPAIR_ENGINE_FACTS_PARSERS_PG_LSCLUSTERS_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_PG_LSCLUSTERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace pgpair {

// One cluster as Debian's pg_lsclusters lists it. pg_lsclusters prints
// "<unknown>" for what it cannot find out; that is an empty field here.
struct LsCluster {
  std::string version;  // "15", "9.6"
  std::string cluster;  // "main"
  std::optional<int> port;
  // As printed: "online", "down", "online,recovery", "down,binaries_missing", ...
  std::string status;
  bool online = false;       // status starts with "online"
  bool in_recovery = false;  // status has ",recovery" (a standby, or one left behind)
  std::optional<std::string> owner;
  std::optional<std::string> data_directory;
  // The log destination column: a file, "syslog", or several joined by ",".
  std::optional<std::string> log_file;
};

// Parses the output of pg_lsclusters, with the header (its column positions
// then split the lines, so paths with spaces survive) or without it (-h;
// columns are split at whitespace). Terminal colour codes are ignored.
// It is not an error if there are no clusters.
// Fails for a line with too few columns or a port that is not a number.
Result<std::vector<LsCluster>> ParsePgLsclusters(std::string_view text);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_PG_LSCLUSTERS_H_
