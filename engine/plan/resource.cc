#include "engine/plan/resource.h"

namespace pgpair {

Status Resource::Apply(const Change& change, ApplyContext&) const {
  if (change.details != nullptr) {
    return Status::Error(change.address + ": " + kind() +
                         " has no Apply for a change with details (a planner bug)");
  }
  return Status::Ok();
}

}  // namespace pgpair
