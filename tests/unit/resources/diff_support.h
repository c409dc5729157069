#ifndef PGPAIR_TESTS_UNIT_RESOURCES_DIFF_SUPPORT_H_
#define PGPAIR_TESTS_UNIT_RESOURCES_DIFF_SUPPORT_H_

#include <optional>
#include <utility>

#include "engine/plan/resource.h"

namespace pgpair::testing {

// Runs one resource's Diff on a pair's facts, as the planner does, and
// returns what it planned.
inline Plan DiffResource(const Resource& resource, const Manifest& manifest,
                         const HostFacts& primary, const HostFacts& standby,
                         std::optional<ReplicationLoginCheck> login_check = std::nullopt) {
  PlanInput input;
  input.manifest = &manifest;
  input.primary = &primary;
  input.standby = &standby;
  input.login_check = std::move(login_check);
  Plan plan;
  resource.Diff(input, &plan);
  return plan;
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_RESOURCES_DIFF_SUPPORT_H_
