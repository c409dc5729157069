#ifndef PGPAIR_RESOURCES_SERVER_RUNNING_H_
#define PGPAIR_RESOURCES_SERVER_RUNNING_H_

#include "engine/plan/resource.h"

namespace pgpair {

// Both servers of the pair run. A stopped server is planned to start; the
// start itself is done by the apply orchestrator, once per host, together
// with any restart the host needs, so this resource's Apply does nothing.
const Resource& ServerRunningResource();

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_SERVER_RUNNING_H_
