#ifndef PGPAIR_ENGINE_CLI_APPLY_IN_PROGRESS_H_
#define PGPAIR_ENGINE_CLI_APPLY_IN_PROGRESS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/cli/pair_session.h"
#include "engine/plan/change.h"

namespace pgpair {

// An apply that holds the lock on hosts of the pair, as plan and check find
// it in the facts (HostFacts::apply_in_progress). Those commands take no
// lock: while an apply runs, what they would gather is its unfinished work,
// so they report the apply instead of the drift or errors it causes.
struct ApplyInProgress {
  std::vector<std::string> hosts;  // where it holds the lock, in manifest order
  ApplyHolderFact holder;
};

// One entry per holder (the same pgpair on both hosts is one), in the
// order of the manifest's hosts; empty when no apply runs.
std::vector<ApplyInProgress> FindAppliesInProgress(const PairSession& session);

// "an apply is in progress on pg1 and pg2: user root on machine ctl1, pid
// 4242, since 2026-12-01T11:02:03Z (pair sandbox)"
std::string DescribeApplyInProgress(const ApplyInProgress& apply);

// What plan shows instead of a plan: one blocker per apply in progress,
// saying that the plan is not made while it runs.
Plan PlanWhileApplying(const std::vector<ApplyInProgress>& applies);

// [{"hosts": [...], "pair", "user", "machine", "pid", "since"}, ...]
nlohmann::json AppliesInProgressToJson(const std::vector<ApplyInProgress>& applies);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_APPLY_IN_PROGRESS_H_
