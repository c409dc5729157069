#ifndef PGPAIR_ENGINE_OUTPUT_PLAN_REPORT_H_
#define PGPAIR_ENGINE_OUTPUT_PLAN_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "engine/manifest/manifest.h"
#include "engine/plan/change.h"

namespace pgpair {

// The plan for a terminal or a log: one block per change (symbol, address,
// impact, before -> after, reason), the blockers, the notes, and a summary
// line naming each host's highest impact.
std::string FormatPlan(const Plan& plan, const Manifest& manifest);

// The closing line alone: "Plan: 3 changes (1 create, 2 update); pg1: restart."
// or "No changes: the pair matches the manifest."
std::string PlanSummary(const Plan& plan, const Manifest& manifest);

nlohmann::json PlanToJson(const Plan& plan);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_OUTPUT_PLAN_REPORT_H_
