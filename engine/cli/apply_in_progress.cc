#include "engine/cli/apply_in_progress.h"

#include "engine/facts/parsers/apply_holder.h"

namespace pgpair {
namespace {

// The same pgpair run on both hosts: one holder, not two.
bool SameRun(const ApplyHolderFact& a, const ApplyHolderFact& b) {
  return a.machine == b.machine && a.pid == b.pid && a.since == b.since;
}

template <typename T>
nlohmann::json Optional(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

std::vector<ApplyInProgress> FindAppliesInProgress(const PairSession& session) {
  std::vector<ApplyInProgress> applies;
  for (const HostFacts& host : session.facts.hosts) {
    if (!host.apply_in_progress) continue;
    bool merged = false;
    for (ApplyInProgress& apply : applies) {
      if (SameRun(apply.holder, *host.apply_in_progress)) {
        apply.hosts.push_back(host.name);
        merged = true;
        break;
      }
    }
    if (!merged) applies.push_back({{host.name}, *host.apply_in_progress});
  }
  return applies;
}

std::string DescribeApplyInProgress(const ApplyInProgress& apply) {
  std::string hosts;
  for (size_t i = 0; i < apply.hosts.size(); ++i) {
    hosts += (i == 0 ? "" : i + 1 == apply.hosts.size() ? " and " : ", ") + apply.hosts[i];
  }
  return "an apply is in progress on " + hosts + ": " + DescribeApplyHolder(apply.holder);
}

Plan PlanWhileApplying(const std::vector<ApplyInProgress>& applies) {
  Plan plan;
  for (const ApplyInProgress& apply : applies) {
    plan.blockers.push_back({"", DescribeApplyInProgress(apply) +
                                     "; the plan is not made while it runs (what the hosts "
                                     "show now is its unfinished work): plan again once it "
                                     "has finished"});
  }
  return plan;
}

nlohmann::json AppliesInProgressToJson(const std::vector<ApplyInProgress>& applies) {
  nlohmann::json list = nlohmann::json::array();
  for (const ApplyInProgress& apply : applies) {
    const ApplyHolderFact& h = apply.holder;
    list.push_back({{"hosts", apply.hosts},
                    {"pair", Optional(h.pair)},
                    {"user", Optional(h.user)},
                    {"machine", Optional(h.machine)},
                    {"pid", Optional(h.pid)},
                    {"since", Optional(h.since)}});
  }
  return list;
}

}  // namespace pgpair
