#ifndef PGPAIR_ENGINE_PLAN_PLANNER_H_
#define PGPAIR_ENGINE_PLAN_PLANNER_H_

#include <vector>

#include "engine/facts/facts.h"
#include "engine/plan/change.h"
#include "engine/plan/resource.h"

namespace pgpair {

// Every resource pgpair manages, in the order apply runs their changes on a
// host. Defined in resources/registry.cc: a new resource is one line there.
const std::vector<const Resource*>& RegisteredResources();

// Builds the plan: the pair-level blockers (a host that could not be read),
// then each resource's diff. Pure.
Plan MakePlan(const PlanInput& input);

// The changes in the order apply performs them: the primary's first (the
// standby's clone needs the primary's role, hba rule and settings), then the
// standby's, each host's in registry order.
std::vector<Change> ApplyOrder(const Plan& plan, const Manifest& manifest);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_PLAN_PLANNER_H_
