#include "engine/cli/check_metrics.h"

#include "engine/facts/standby_state.h"
#include "engine/plan/planner.h"
#include "engine/plan/resource.h"
#include "engine/util/lsn.h"

namespace pgpair {
namespace {

bool Reached(const HostFacts& host) {
  for (const FactProblem& problem : host.problems) {
    if (problem.topic == "connection") return false;
  }
  return true;
}

}  // namespace

PairMetrics MakeCheckMetrics(const PairSession& session, const Plan& plan, bool applying) {
  const Manifest& manifest = session.manifest;
  PairMetrics metrics;
  metrics.pair = manifest.pair;
  metrics.success = plan.blockers.empty();
  metrics.apply_in_progress = applying;
  metrics.standby = manifest.standby;
  for (const HostFacts& host : session.facts.hosts) {
    HostMetrics figures;
    figures.host = host.name;
    figures.up = Reached(host);
    figures.archiver_failed_count = host.replication.archive_failed_count;
    figures.archiver_failing = host.replication.archive_failing;
    metrics.hosts.push_back(std::move(figures));
  }
  // Drift is judged only of a plan made: a host that could not be read
  // would show as no drift at all.
  if (applying || !plan.blockers.empty()) {
    if (!applying) {
      metrics.streaming = StandbyStreams(session.primary_facts(), session.standby_facts(),
                                         manifest.standby_host().address, manifest.standby);
    }
    return metrics;
  }
  for (const Resource* resource : RegisteredResources())
    metrics.drift_by_kind[resource->kind()] = 0;
  for (const Change& change : plan.changes) ++metrics.drift_by_kind[change.resource];

  const HostFacts& primary = session.primary_facts();
  const HostFacts& standby = session.standby_facts();
  const std::string& address = manifest.standby_host().address;
  // A standby that could not be read is not known to stream: 0, as check's
  // own "streaming": false, so that an alert on 0 fires.
  metrics.streaming = StandbyStreams(primary, standby, address, manifest.standby);
  std::optional<uint64_t> sent = ParseLsn(primary.replication.current_lsn.value_or(""));
  std::optional<uint64_t> replayed = ParseLsn(standby.replication.replay_lsn.value_or(""));
  if (sent && replayed) {
    // The two hosts are read at about the same time, not at once: a
    // standby read a moment later may be ahead of the primary's figure.
    metrics.replay_lag_bytes = *sent > *replayed ? static_cast<double>(*sent - *replayed) : 0.0;
  }
  if (const WalSenderFact* sender = StandbySender(primary, address, manifest.standby)) {
    metrics.replay_lag_seconds = sender->replay_lag_seconds;
  }
  metrics.replay_delay_seconds = standby.replication.replay_delay_seconds;
  return metrics;
}

PairMetrics MakeFailedCheckMetrics(const std::string& pair) {
  PairMetrics metrics;
  metrics.pair = pair;
  metrics.success = false;
  return metrics;
}

}  // namespace pgpair
