// Every resource pgpair manages, in the order apply runs their changes on a
// host (the primary's changes all come before the standby's: see
// ApplyOrder). A new resource is one file in resources/ plus one line here.
#include "engine/plan/planner.h"
#include "resources/archive_dir.h"
#include "resources/hba_rule.h"
#include "resources/recovery_config.h"
#include "resources/replication_role.h"
#include "resources/server_running.h"
#include "resources/setting.h"
#include "resources/standby_clone.h"
#include "resources/standby_rewind.h"
#include "resources/switchover.h"

namespace pgpair {

const std::vector<const Resource*>& RegisteredResources() {
  static const std::vector<const Resource*> resources = {
      &ArchiveDirResource(),       // before archive_mode and archive_command take effect
      &ReplicationRoleResource(),  // before the standby's clone logs in with it
      &HbaRuleResource(),
      &StandbyCloneResource(),   // replaces the standby's data directory first
      &StandbyRewindResource(),  // or rewinds a former primary
      &RecoveryConfigResource(),  &SettingResource(), &ServerRunningResource(),
      &SwitchoverResource(),  // between the two hosts' batches (engine/apply/applier.h)
  };
  return resources;
}

}  // namespace pgpair
