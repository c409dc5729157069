#ifndef PGPAIR_RESOURCES_SERVER_RUNNING_H_
#define PGPAIR_RESOURCES_SERVER_RUNNING_H_

#include "engine/plan/resource.h"

namespace pgpair {

// Both servers of the pair run. A stopped server is planned to start
// (address "server_running[pg1]"): a change whose whole effect is its server
// step, ServerStep::kStart, which the engine runs once per host after the
// host's other changes (a start reads every file, so no restart follows).
const Resource& ServerRunningResource();

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_SERVER_RUNNING_H_
