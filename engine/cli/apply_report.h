#ifndef PGPAIR_ENGINE_CLI_APPLY_REPORT_H_
#define PGPAIR_ENGINE_CLI_APPLY_REPORT_H_

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/util/status.h"

namespace pgpair {

// What `apply --json` prints (schemas/apply.schema.json): the plans it made,
// the steps as they ran, with their start, duration, result and progress
// messages, and the outcome. Filled as the apply runs; holds no secret (the
// steps' messages are the progress lines apply prints, which hold none).
class ApplyReport {
 public:
  ApplyReport();

  void SetPair(const std::string& pair) { pair_ = pair; }
  void SetSavedPlan(const std::string& path) { saved_plan_ = path; }
  // A plan document as made, in the order of the rounds.
  void AddPlan(nlohmann::json plan_document) { plans_.push_back(std::move(plan_document)); }
  void AddChangesMade(size_t count) { changes_made_ += count; }

  // Hooks for ApplyContext::step_started, step_finished and progress.
  void StepStarted(const std::string& kind, const std::string& name, const std::string& host);
  void StepFinished(const Status& result);
  void Progress(const std::string& message);

  // The document; `result` is "applied", "no_changes", "refused" (nothing
  // was changed: a stale saved plan, blockers, the lock held, no approval)
  // or "failed" (a step failed); `message` says why for the last two.
  nlohmann::json Finish(const std::string& result, const std::string& message) const;

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
  std::optional<std::string> pair_;
  std::optional<std::string> saved_plan_;
  nlohmann::json plans_ = nlohmann::json::array();
  nlohmann::json steps_ = nlohmann::json::array();
  std::optional<Clock::time_point> step_start_;  // set while a step runs
  size_t changes_made_ = 0;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_APPLY_REPORT_H_
