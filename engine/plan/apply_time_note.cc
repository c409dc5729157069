#include "engine/plan/apply_time_note.h"

#include <string>

#include "engine/plan/resource.h"

namespace pgpair {

void AddApplyTimeNote(Plan* plan) {
  bool named = false;
  for (const Change& change : plan->changes) {
    // The details hold every name apply uses; the reason repeats some.
    if (change.details &&
        change.details->ToJson().dump().find(kApplyTimeTimestamp) != std::string::npos) {
      named = true;
    }
  }
  if (!named) return;
  plan->notes.push_back(std::string(kApplyTimeTimestamp) +
                        " in a moved-aside name is the UTC time of the apply: `pgpair apply` "
                        "plans again and shows the exact names before it asks; a saved plan "
                        "(plan -o PLAN) names its time, and apply PLAN uses it");
}

}  // namespace pgpair
