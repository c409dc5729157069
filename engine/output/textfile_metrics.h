#ifndef PGPAIR_ENGINE_OUTPUT_TEXTFILE_METRICS_H_
#define PGPAIR_ENGINE_OUTPUT_TEXTFILE_METRICS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/util/status.h"

namespace pgpair {

// What `pgpair check --textfile` reports of one host of a pair.
struct HostMetrics {
  std::string host;                              // the manifest's name for it
  bool up = false;                               // reached and read over SSH
  std::optional<int64_t> archiver_failed_count;  // pg_stat_archiver.failed_count
  std::optional<bool> archiver_failing;          // its last failure is its latest attempt
};

// What one check found of one pair; a value left empty is not reported
// (unknown, or not judged while an apply runs), never reported as 0.
struct PairMetrics {
  std::string pair;      // empty: the manifest could not be read
  bool success = false;  // both hosts read and planned
  bool apply_in_progress = false;
  double timestamp_seconds = 0;  // when the check ran, Unix time
  double duration_seconds = 0;
  // Changes the drift needs, by resource kind (every kind, 0 included);
  // empty when drift was not judged.
  std::map<std::string, int> drift_by_kind;
  std::vector<HostMetrics> hosts;
  std::string standby;  // the standby's host name, the label of the replication figures
  std::optional<bool> streaming;
  std::optional<double> replay_lag_bytes;      // primary's current LSN - standby's replay LSN
  std::optional<double> replay_lag_seconds;    // pg_stat_replication.replay_lag on the primary
  std::optional<double> replay_delay_seconds;  // now() - last replayed commit, on the standby
};

// A label value as the Prometheus text format writes it between quotes:
// backslash, double quote and newline escaped (\\, \", \n).
std::string EscapeLabelValue(const std::string& value);

// The Prometheus text exposition (format 0.0.4) of `pairs`, for
// node_exporter's textfile collector: every family once, with its # HELP and
// # TYPE lines, then its samples in the order of `pairs`; names prefixed
// pgpair_, labels `pair` (and `host`, `kind`). A pair name seen twice is
// reported once, its first time, so that no series repeats. Holds no secret:
// only names, counts and figures.
std::string FormatTextfile(const std::vector<PairMetrics>& pairs);

// Replaces the file `path` with FormatTextfile(pairs), atomically (a
// temporary beside it, renamed: the collector never reads half a file),
// mode 0644 (a file it replaces keeps its own). The message names the file.
Status WriteTextfile(const std::string& path, const std::vector<PairMetrics>& pairs);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_OUTPUT_TEXTFILE_METRICS_H_
