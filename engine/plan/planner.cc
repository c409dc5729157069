#include "engine/plan/planner.h"

#include <algorithm>

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

}  // namespace

Plan MakePlan(const PlanInput& input) {
  Plan plan;
  AddUnreadableHostBlockers(*input.primary, &plan);
  AddUnreadableHostBlockers(*input.standby, &plan);
  if (!plan.blockers.empty()) return plan;
  for (const Resource* resource : RegisteredResources()) resource->Diff(input, &plan);
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
