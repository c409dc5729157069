#ifndef PGPAIR_ENGINE_FACTS_INTERPRET_H_
#define PGPAIR_ENGINE_FACTS_INTERPRET_H_

#include "engine/facts/facts.h"
#include "engine/facts/gather_script.h"

namespace pgpair {

// Turns the sections of one gather into the host's facts. Pure: no I/O, so it
// is tested with captured gather outputs. Whatever a section does not
// establish stays unknown, and each gap is explained in `facts->problems`.
// `facts` arrives with name, address and declared role filled in.
void InterpretGather(const GatherSections& sections, const GatherRequest& request,
                     HostFacts* facts);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_INTERPRET_H_
