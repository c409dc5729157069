#ifndef PGPAIR_RESOURCES_RECOVERY_CONFIG_H_
#define PGPAIR_RESOURCES_RECOVERY_CONFIG_H_

#include "engine/plan/resource.h"

namespace pgpair {

// The standby's configuration as a standby of the declared primary
// (host: standby; address "recovery_config[pg2]"). From 12: standby.signal,
// primary_conninfo in the file that wins for it, no recovery.conf (moved
// aside: a 12+ server refuses to start with one). Up to 11: recovery.conf
// with standby_mode = 'on' and primary_conninfo, no standby.signal. The
// password stored in primary_conninfo is compared with the manifest's by
// digest: a rotated secret is rewritten. Plans only for a data directory
// that is a standby of the primary (engine/facts/standby_state.h); the clone
// writes the configuration of a copy it makes itself (the files'
// shared home is engine/apply/standby_setup.h).
const Resource& RecoveryConfigResource();

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_RECOVERY_CONFIG_H_
