#include "engine/plan/change.h"

namespace pgpair {

const char* ActionName(Action action) {
  switch (action) {
    case Action::kCreate:
      return "create";
    case Action::kUpdate:
      return "update";
    case Action::kDelete:
      return "delete";
    case Action::kReplace:
      return "replace";
  }
  return "?";
}

const char* ImpactName(Impact impact) {
  switch (impact) {
    case Impact::kNone:
      return "none";
    case Impact::kReload:
      return "reload";
    case Impact::kRestart:
      return "restart";
    case Impact::kReclone:
      return "re-clone";
  }
  return "?";
}

const char* ServerStepName(ServerStep step) {
  switch (step) {
    case ServerStep::kNone:
      return "none";
    case ServerStep::kReload:
      return "reload";
    case ServerStep::kRestart:
      return "restart";
    case ServerStep::kStart:
      return "start";
  }
  return "?";
}

const char* ServerCheckName(ServerCheck check) {
  switch (check) {
    case ServerCheck::kHbaRules:
      return "hba_rules";
    case ServerCheck::kFileSettings:
      return "file_settings";
  }
  return "?";
}

Impact Plan::HighestImpact(const std::string& host) const {
  Impact highest = Impact::kNone;
  for (const Change& change : changes) {
    if (change.host == host && change.impact > highest) highest = change.impact;
  }
  return highest;
}

}  // namespace pgpair
