#include "engine/output/plan_report.h"

#include <map>
#include <sstream>

#include "engine/output/colour.h"

namespace pgpair {
namespace {

const char* Symbol(Action action) {
  switch (action) {
    case Action::kCreate:
      return "+";
    case Action::kUpdate:
      return "~";
    case Action::kDelete:
      return "-";
    case Action::kReplace:
      return "-/+";
  }
  return "?";
}

Colour SymbolColour(Action action) {
  switch (action) {
    case Action::kCreate:
      return Colour::kGreen;
    case Action::kUpdate:
      return Colour::kYellow;
    case Action::kDelete:
    case Action::kReplace:
      return Colour::kRed;
  }
  return Colour::kBold;
}

std::string Shown(const std::optional<std::string>& value) { return value ? *value : "(none)"; }

}  // namespace

std::string PlanSummary(const Plan& plan, const Manifest& manifest) {
  if (plan.changes.empty() && plan.blockers.empty()) {
    return "No changes: the pair matches the manifest.";
  }
  std::ostringstream out;
  if (!plan.blockers.empty()) {
    out << "Blocked: " << plan.blockers.size() << " problem"
        << (plan.blockers.size() == 1 ? "" : "s") << " must be solved first; ";
  }
  std::map<std::string, int> by_action;
  for (const Change& change : plan.changes) by_action[ActionName(change.action)]++;
  out << "Plan: " << plan.changes.size() << " change" << (plan.changes.size() == 1 ? "" : "s");
  if (!by_action.empty()) {
    out << " (";
    bool first = true;
    for (const auto& [action, count] : by_action) {
      out << (first ? "" : ", ") << count << " " << action;
      first = false;
    }
    out << ")";
  }
  for (const HostSpec& host : manifest.hosts) {
    bool has_changes = false;
    for (const Change& change : plan.changes) has_changes |= change.host == host.name;
    if (!has_changes) continue;
    Impact impact = plan.HighestImpact(host.name);
    bool starts = false;
    for (const Change& change : plan.changes) {
      starts |= change.host == host.name && change.server_step == ServerStep::kStart;
    }
    // A stopped server that is started is interrupted by nothing.
    out << "; " << host.name << ": "
        << (impact >= Impact::kRestart ? ImpactName(impact)
            : starts                   ? "start"
            : impact == Impact::kNone  ? "no interruption"
                                       : ImpactName(impact));
  }
  out << ".";
  return out.str();
}

std::string FormatPlan(const Plan& plan, const Manifest& manifest, bool colour) {
  std::ostringstream out;
  for (const Blocker& blocker : plan.blockers) {
    out << "  " << Paint("!", Colour::kRed, colour) << " "
        << (blocker.host.empty() ? "" : blocker.host + ": ") << blocker.message << "\n";
  }
  if (!plan.blockers.empty()) out << "\n";
  for (const Change& change : plan.changes) {
    out << "  " << Paint(Symbol(change.action), SymbolColour(change.action), colour) << " "
        << Paint(change.address, Colour::kBold, colour) << "  (" << ActionName(change.action)
        << ", impact: " << ImpactName(change.impact)
        << (change.server_step == ServerStep::kStart && change.impact < Impact::kReclone
                ? ", the server is started"
                : "")
        << ")\n";
    if (change.before || change.after) {
      out << "      " << Shown(change.before) << "  ->  " << Shown(change.after) << "\n";
    }
    out << "      why: " << change.reason << "\n";
    for (size_t i = 0; i < change.steps.size(); ++i) {
      out << "      " << (i + 1) << ". " << change.steps[i] << "\n";
    }
  }
  for (const std::string& note : plan.notes) out << "  note: " << note << "\n";
  if (!plan.changes.empty() || !plan.notes.empty()) out << "\n";
  out << Paint(PlanSummary(plan, manifest), Colour::kBold, colour) << "\n";
  if (!plan.deferred.empty()) {
    out << "Then, once these are made, apply plans and makes what waits for them: ";
    for (size_t i = 0; i < plan.deferred.size(); ++i) {
      out << (i == 0 ? "" : ", ") << plan.deferred[i];
    }
    out << ".\n";
  }
  return out.str();
}

nlohmann::json PlanToJson(const Plan& plan) {
  auto optional = [](const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  nlohmann::json changes = nlohmann::json::array();
  for (const Change& change : plan.changes) {
    nlohmann::json checks = nlohmann::json::array();
    for (ServerCheck check : change.checks) checks.push_back(ServerCheckName(check));
    changes.push_back({{"resource", change.resource},
                       {"address", change.address},
                       {"host", change.host},
                       {"action", ActionName(change.action)},
                       {"before", optional(change.before)},
                       {"after", optional(change.after)},
                       {"reason", change.reason},
                       {"impact", ImpactName(change.impact)},
                       {"server_step", ServerStepName(change.server_step)},
                       {"checks", checks},
                       {"edited_files", change.edited_files},
                       {"details", change.details ? change.details->ToJson() : nullptr}});
  }
  nlohmann::json blockers = nlohmann::json::array();
  for (const Blocker& blocker : plan.blockers) {
    blockers.push_back({{"host", blocker.host}, {"message", blocker.message}});
  }
  return {{"pgpair_plan_version", kPlanDocumentVersion},
          {"changes", changes},
          {"blockers", blockers},
          {"notes", plan.notes},
          {"deferred", plan.deferred}};
}

}  // namespace pgpair
