#ifndef PGPAIR_RESOURCES_SETTING_STARTUP_CHECKS_H_
#define PGPAIR_RESOURCES_SETTING_STARTUP_CHECKS_H_

#include <vector>

#include "engine/plan/resource.h"
#include "resources/setting/desired.h"

namespace pgpair {

// Settings that PostgreSQL would refuse to start with, checked with the
// values each host will have once the plan is applied (the manifest's, else
// the running server's, else for a stopped server its files' or built-in
// default), so that pgpair never restarts a server into a failure. Blockers:
// - superuser_reserved_connections (plus reserved_connections from 16, plus
//   max_wal_senders up to 11, where WAL senders count among the
//   connections) not below max_connections, when the manifest sets one;
// - shared_buffers not below the host's memory (MemTotal);
// - a standby minimum (StandbyMinimumSettings()) the manifest declares on the
//   standby lower than the primary's, as long as hot_standby is on (a
//   running standby lower than the primary is a note: pgpair copies the
//   primary's declared value, or the user declares one).
// A note when the primary's max_wal_senders leaves no room for the standby's
// stream plus the two senders of pg_basebackup -X stream.
void CheckStartupSettings(const PlanInput& input, const std::vector<DesiredSetting>& primary,
                          const std::vector<DesiredSetting>& standby, Plan* plan);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_SETTING_STARTUP_CHECKS_H_
