#ifndef PGPAIR_ENGINE_CLI_CHECK_METRICS_H_
#define PGPAIR_ENGINE_CLI_CHECK_METRICS_H_

#include <string>

#include "engine/cli/pair_session.h"
#include "engine/output/textfile_metrics.h"
#include "engine/plan/change.h"

namespace pgpair {

// What `check --textfile` reports of a pair whose hosts were read: whether
// they answered, the drift by resource kind (every registered kind, 0
// included), streaming and replay lag, the archivers' failures. While an
// apply runs (`applying`), drift and replication are left out: the hosts
// show its unfinished work; a plan with blockers reports no drift (none was
// judged) and streaming only. `timestamp_seconds` and `duration_seconds` are
// the caller's to set.
PairMetrics MakeCheckMetrics(const PairSession& session, const Plan& plan, bool applying);

// Of a check that stopped before reading the hosts: only its failure, so
// that no figure of an earlier run stays. `pair` is empty when the
// manifest itself could not be read.
PairMetrics MakeFailedCheckMetrics(const std::string& pair);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_CHECK_METRICS_H_
