#include "engine/cli/pair_outcome.h"

namespace pgpair {

std::string FirstBlocker(const Plan& plan) {
  if (plan.blockers.empty()) return "";
  const Blocker& blocker = plan.blockers.front();
  // Most messages name their host already ("pg1 (198.18.0.11): ...").
  if (blocker.host.empty() || blocker.message.rfind(blocker.host + " ", 0) == 0) {
    return blocker.message;
  }
  return blocker.host + ": " + blocker.message;
}

}  // namespace pgpair
