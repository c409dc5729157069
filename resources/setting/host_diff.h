#ifndef PGPAIR_RESOURCES_SETTING_HOST_DIFF_H_
#define PGPAIR_RESOURCES_SETTING_HOST_DIFF_H_

#include <string>
#include <vector>

#include "engine/facts/facts.h"
#include "engine/plan/change.h"
#include "resources/setting/desired.h"

namespace pgpair {

// Plans the settings `desired` (DesiredSettings(manifest, host)) of one host
// against its facts, as resources/setting.h describes: one setting change per
// value to write or to take, blockers for what cannot be planned safely, and
// notes for what the plan leaves as it is (a restart the server waits for
// that the manifest does not ask for). With a running server pg_settings and
// pg_file_settings are compared; with a stopped one its files, then the
// built-in default.
void DiffHostSettings(const HostFacts& facts, const std::string& host,
                      std::vector<DesiredSetting> desired, Plan* plan);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_SETTING_HOST_DIFF_H_
