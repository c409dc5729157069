// Every resource pgpair manages, in the order apply runs their changes on a
// host (the primary's changes all come before the standby's). A new resource
// is one file in resources/ plus one line here.
#include "engine/plan/planner.h"
#include "resources/recovery_config.h"
#include "resources/server_running.h"
#include "resources/setting.h"
#include "resources/standby_clone.h"

namespace pgpair {

const std::vector<const Resource*>& RegisteredResources() {
  static const std::vector<const Resource*> resources = {
      &StandbyCloneResource(),   // standby: replaces the data directory first
      &RecoveryConfigResource(),
      &SettingResource(),
      &ServerRunningResource(),
  };
  return resources;
}

}  // namespace pgpair
