#include "engine/cli/apply_report.h"

#include "engine/cli/saved_plan_file.h"

namespace pgpair {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ApplyReport::ApplyReport() : start_(Clock::now()) {}

void ApplyReport::StepStarted(const std::string& kind, const std::string& name,
                              const std::string& host) {
  steps_.push_back({{"kind", kind},
                    {"name", name},
                    {"host", host},
                    {"started_at", UtcIsoTime()},
                    {"duration_seconds", nullptr},
                    {"result", "running"},
                    {"error", nullptr},
                    {"messages", nlohmann::json::array()}});
  step_start_ = Clock::now();
}

void ApplyReport::StepFinished(const Status& result) {
  if (steps_.empty() || !step_start_) return;
  nlohmann::json& step = steps_.back();
  step["duration_seconds"] = SecondsSince(*step_start_);
  step["result"] = result.ok() ? "ok" : "failed";
  if (!result.ok()) step["error"] = result.message();
  step_start_.reset();
}

void ApplyReport::Progress(const std::string& message) {
  // Messages between steps (the change's address, said before it starts)
  // belong to no step.
  if (!steps_.empty() && step_start_) steps_.back()["messages"].push_back(message);
}

nlohmann::json ApplyReport::Finish(const std::string& result, const std::string& message) const {
  auto optional = [](const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  return {{"pgpair_apply_version", 1},
          {"pair", optional(pair_)},
          {"saved_plan", optional(saved_plan_)},
          {"result", result},
          {"message", message.empty() ? nlohmann::json(nullptr) : nlohmann::json(message)},
          {"plans", plans_},
          {"steps", steps_},
          {"changes_made", changes_made_},
          {"duration_seconds", SecondsSince(start_)}};
}

}  // namespace pgpair
