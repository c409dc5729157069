#ifndef PGPAIR_ENGINE_PLAN_APPLY_TIME_NOTE_H_
#define PGPAIR_ENGINE_PLAN_APPLY_TIME_NOTE_H_

#include "engine/plan/change.h"

namespace pgpair {

// When a change of `plan` names something with kApplyTimeTimestamp
// (engine/plan/resource.h: a plan made only to be shown), adds the note that
// says what it stands for and how to keep a plan's names: apply shows the
// exact names before it asks, a saved plan keeps them. Otherwise leaves the
// plan as it is.
void AddApplyTimeNote(Plan* plan);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_PLAN_APPLY_TIME_NOTE_H_
