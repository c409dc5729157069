#include "engine/plan/planner.h"

#include <algorithm>
#include <string>
#include <utility>

#include "engine/util/text.h"

namespace pgpair {
namespace {

// A host whose facts could not be gathered at all cannot be planned for.
void AddUnreadableHostBlockers(const HostFacts& facts, Plan* plan) {
  for (const FactProblem& problem : facts.problems) {
    if (problem.topic == "connection" || problem.topic == "gather" || problem.topic == "layout") {
      plan->blockers.push_back({facts.name, problem.message});
    }
  }
}

int RegistryIndex(const std::string& kind) {
  const std::vector<const Resource*>& resources = RegisteredResources();
  for (size_t i = 0; i < resources.size(); ++i) {
    if (kind == resources[i]->kind()) return static_cast<int>(i);
  }
  return static_cast<int>(resources.size());
}

// A switchover (resources/switchover.h) changes what the old primary is:
// its changes as a standby are planned once it is one, and so are role
// changes on a future primary still in recovery (it is read-only; the role
// comes with the WAL). They are deferred: apply plans them again after it.
void DeferAroundSwitchover(const PlanInput& input, Plan* plan) {
  bool switchover = false;
  for (const Change& change : plan->changes) switchover |= change.swaps_roles;
  if (!switchover) return;
  const bool primary_read_only = input.primary->server.in_recovery == true;
  std::vector<Change> kept;
  std::vector<std::string> moved;
  for (Change& change : plan->changes) {
    bool wait = !change.swaps_roles && (change.host == input.standby->name ||
                                        (primary_read_only && change.writes_on_primary));
    if (wait) {
      moved.push_back(change.address);
    } else {
      kept.push_back(std::move(change));
    }
  }
  plan->changes = std::move(kept);
  if (moved.empty()) return;
  plan->notes.push_back(Join(moved, ", ") + ": planned again after the switchover, on what it " +
                        "leaves");
  for (std::string& address : moved) plan->deferred.push_back(std::move(address));
}

}  // namespace

Plan MakePlan(const PlanInput& input) {
  Plan plan;
  AddUnreadableHostBlockers(*input.primary, &plan);
  AddUnreadableHostBlockers(*input.standby, &plan);
  if (!plan.blockers.empty()) return plan;
  for (const Resource* resource : RegisteredResources()) resource->Diff(input, &plan);
  DeferAroundSwitchover(input, &plan);
  // Shown in the order apply will make them.
  plan.changes = ApplyOrder(plan, *input.manifest);
  return plan;
}

std::vector<Change> ApplyOrder(const Plan& plan, const Manifest& manifest) {
  std::vector<Change> ordered = plan.changes;
  std::stable_sort(ordered.begin(), ordered.end(), [&](const Change& a, const Change& b) {
    bool a_primary = a.host == manifest.primary;
    bool b_primary = b.host == manifest.primary;
    if (a_primary != b_primary) return a_primary;
    return RegistryIndex(a.resource) < RegistryIndex(b.resource);
  });
  return ordered;
}

}  // namespace pgpair
