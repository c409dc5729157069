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
// With `colour` (engine/output/colour.h), the symbols, blockers and summary
// are coloured for a terminal.
std::string FormatPlan(const Plan& plan, const Manifest& manifest, bool colour = false);

// The closing line alone: "Plan: 3 changes (1 create, 2 update); pg1: restart."
// or "No changes: the pair matches the manifest."
std::string PlanSummary(const Plan& plan, const Manifest& manifest);

// The version of the plan document below; raised when a field changes
// meaning or goes away (adding a field does not raise it).
inline constexpr int kPlanDocumentVersion = 1;

// The plan as a document, described by schemas/plan.schema.json:
// {"pgpair_plan_version", "changes": [...], "blockers", "notes", "deferred"}. Each
// change has its resource's typed "details" (null for a change whose whole
// effect is its server step), the "server_step" it needs and the "checks"
// that step runs, and the "edited_files". It holds no secret.
nlohmann::json PlanToJson(const Plan& plan);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_OUTPUT_PLAN_REPORT_H_
