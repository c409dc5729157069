#include "engine/plan/switchover_state.h"

#include <charconv>
#include <string>

#include "engine/util/lsn.h"

namespace pgpair {

const char* SwitchoverStageName(SwitchoverStage stage) {
  switch (stage) {
    case SwitchoverStage::kNone:
      return "none";
    case SwitchoverStage::kBothUp:
      return "both_up";
    case SwitchoverStage::kOldPrimaryStopped:
      return "old_primary_stopped";
    case SwitchoverStage::kPromoted:
      return "promoted";
    case SwitchoverStage::kDiverged:
      return "diverged";
  }
  return "none";
}

SwitchoverState ClassifySwitchover(const HostFacts& future_primary,
                                   const HostFacts& future_standby) {
  const HostFacts& p = future_primary;
  const HostFacts& s = future_standby;
  // Two copies of one cluster only: anything else is the clone's business.
  if (!p.server.system_identifier || p.server.system_identifier != s.server.system_identifier) {
    return {};
  }
  if (p.server.running != true || !p.server.in_recovery.has_value()) return {};
  const bool p_in_recovery = *p.server.in_recovery;

  if (s.server.running == true) {
    if (s.server.in_recovery == false && p_in_recovery) {
      return {SwitchoverStage::kBothUp,
              s.name + " runs as the primary and " + p.name + " in recovery"};
    }
    return {};
  }
  if (s.server.running != false) return {};
  // A clean stop of a primary ("shut down", not "shut down in recovery")
  // whose data directory has not yet been made a standby: what the
  // switchover's stop leaves until the old primary is configured. A crash
  // ("in production" while stopped) is a failover's, never this.
  const bool standby_mark = s.recovery.standby_signal == true || s.recovery.recovery_conf == true;
  if (s.server.cluster_state != std::string("shut down") || standby_mark) return {};
  const std::string stopped = s.name + " is stopped cleanly (pg_controldata: shut down, at " +
                              s.server.checkpoint_location.value_or("an unknown location") + ")";
  if (p_in_recovery) {
    return {SwitchoverStage::kOldPrimaryStopped,
            stopped + " and " + p.name + " is still in recovery: a switchover stopped after " +
                s.name + "'s stop"};
  }
  // P is promoted: has it everything S wrote? S's shutdown checkpoint is
  // its last record; P's timeline must have forked from S's timeline after
  // it.
  const std::optional<TimelineForkFact>& fork = p.replication.timeline_fork;
  std::optional<uint64_t> checkpoint =
      s.server.checkpoint_location ? ParseLsn(*s.server.checkpoint_location) : std::nullopt;
  std::optional<uint64_t> fork_at =
      fork && fork->fork_lsn ? ParseLsn(*fork->fork_lsn) : std::nullopt;
  std::optional<int> s_timeline;
  if (s.server.timeline) {
    int value = 0;
    const std::string& text = *s.server.timeline;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) s_timeline = value;
  }
  if (checkpoint && fork_at && s_timeline && fork->parent == s_timeline && *fork_at > *checkpoint) {
    return {SwitchoverStage::kPromoted,
            stopped + " and " + p.name + " was promoted to timeline " +
                std::to_string(fork->timeline) + ", forked from timeline " +
                std::to_string(*s_timeline) + " at " + *fork->fork_lsn + ", after " + s.name +
                "'s last record: " + s.name + " can follow it"};
  }
  std::string where =
      fork && fork->fork_lsn
          ? p.name + "'s timeline " + std::to_string(fork->timeline) + " forked from timeline " +
                (fork->parent ? std::to_string(*fork->parent) : "?") + " at " + *fork->fork_lsn
          : p.name + "'s timeline history is unknown";
  return {SwitchoverStage::kDiverged, stopped + " on timeline " + s.server.timeline.value_or("?") +
                                          ", but " + where + ": " + s.name + " wrote WAL that " +
                                          p.name + " does not have"};
}

std::string DescribeDivergence(const HostFacts& new_primary, const HostFacts& old_primary) {
  const HostFacts& n = new_primary;
  const HostFacts& o = old_primary;
  const std::optional<TimelineForkFact>& fork = n.replication.timeline_fork;
  const bool running = o.server.running == true && o.server.in_recovery == false;
  const std::optional<std::string>& at =
      running ? o.replication.current_lsn : o.server.checkpoint_location;
  if (!fork || !fork->fork_lsn) {
    return "how far " + o.name + " diverged is unknown (" + n.name +
           " shows no timeline history file)";
  }
  if (!at) return "where " + o.name + "'s WAL ends is unknown";
  std::optional<uint64_t> fork_at = ParseLsn(*fork->fork_lsn), end = ParseLsn(*at);
  if (!fork_at || !end) return "how far " + o.name + " diverged cannot be read";
  // Stopped hard, its WAL goes on past its last checkpoint.
  const bool crashed = !running && o.server.running == false && o.server.cluster_state &&
                       *o.server.cluster_state != "shut down";
  if (crashed) {
    return n.name + "'s timeline " + std::to_string(fork->timeline) + " forked from timeline " +
           (fork->parent ? std::to_string(*fork->parent) : std::string("?")) + " at " +
           *fork->fork_lsn + "; " + o.name +
           " stopped without a clean shutdown (pg_controldata: " + *o.server.cluster_state +
           "), after its last checkpoint at " + *at +
           ", so how much WAL it wrote after the fork is unknown; those transactions are not kept";
  }
  std::string where =
      n.name + "'s timeline " + std::to_string(fork->timeline) + " forked from timeline " +
      (fork->parent ? std::to_string(*fork->parent) : std::string("?")) + " at " + *fork->fork_lsn +
      "; " + o.name + (running ? " is at " : " last checkpointed at ") + *at;
  if (*end <= *fork_at) return where + ": " + o.name + " wrote nothing after the fork";
  const uint64_t bytes = *end - *fork_at;
  std::string size = bytes >= 1024 * 1024 ? std::to_string(bytes / (1024 * 1024)) + " MB"
                                          : std::to_string(bytes) + " bytes";
  return where + ": " + o.name + " wrote " + (running ? "" : "at least ") + size +
         " of WAL after the fork, whose transactions are not kept" +
         (running ? "; it still runs as a primary and takes writes" : "");
}

bool PromotedFrom(const HostFacts& new_primary, const HostFacts& old_primary) {
  const std::optional<TimelineForkFact>& fork = new_primary.replication.timeline_fork;
  if (!fork || !fork->parent || !old_primary.server.timeline) return false;
  return std::to_string(*fork->parent) == *old_primary.server.timeline;
}

bool SwitchoverPending(const HostFacts& future_primary, const HostFacts& future_standby) {
  SwitchoverStage stage = ClassifySwitchover(future_primary, future_standby).stage;
  return stage == SwitchoverStage::kBothUp || stage == SwitchoverStage::kOldPrimaryStopped ||
         stage == SwitchoverStage::kPromoted;
}

}  // namespace pgpair
