#ifndef PGPAIR_RESOURCES_SETTING_DESIRED_H_
#define PGPAIR_RESOURCES_SETTING_DESIRED_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts/setting_value.h"
#include "engine/manifest/manifest.h"

// What the setting resource wants on each host: the manifest's settings and
// the ones it implies, before any host's facts are read.
namespace pgpair {

// A setting a host should have, declared in the manifest or implied by it.
struct DesiredSetting {
  std::string name;   // lowercased
  std::string value;  // as written in the manifest or derived (may be single-quoted)
  SourceMark mark;    // the declaration, or the manifest entry that implies it
  std::string why;    // empty when declared; else why pgpair adds it
};

// The settings `host` (manifest.primary or manifest.standby) should have:
// its declared settings in manifest order, then the implied ones:
// - on the primary, with `archive:` set: archive_mode = on and
//   archive_command = 'test ! -f DIR/%f && cp %p DIR/%f', each unless declared;
// - on the standby: each of StandbyMinimumSettings() as the primary declares
//   it, unless the standby declares its own (hot standby does not start with
//   less than the primary).
// Settings of the recovery config resource (IsRecoverySetting) are left out.
std::vector<DesiredSetting> DesiredSettings(const Manifest& manifest, const std::string& host);

// The archive_command that copies a segment into `dir` unless it is there
// already. `dir` goes through ShellQuote (a plain absolute path stays bare)
// and its '%' are doubled for the archiver.
std::string ArchiveCommandFor(const std::string& dir);

// The settings a hot standby needs at least as high as its primary's:
// max_connections, max_worker_processes, max_wal_senders,
// max_prepared_transactions, max_locks_per_transaction.
const std::vector<std::string_view>& StandbyMinimumSettings();

// primary_conninfo, primary_slot_name and restore_command (lowercased
// `name`): written by the recovery config resource, which knows the
// primary's address and the replication password.
bool IsRecoverySetting(std::string_view name);

// The entry of `desired` named `name` (lowercased), or null.
const DesiredSetting* FindDesired(const std::vector<DesiredSetting>& desired,
                                  std::string_view name);

// "setting wal_level (pair.yaml:12:5)": how plans and blockers name it.
std::string SettingSubject(const DesiredSetting& desired);

// Why `desired` cannot be written with `type`, as the server would refuse it
// ("setting work_mem (pair.yaml:12:5): invalid value ...; PostgreSQL would
// refuse it, so it is not written"); empty when the server accepts it.
std::optional<std::string> RefusedValueMessage(const DesiredSetting& desired,
                                               const SettingType& type);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_SETTING_DESIRED_H_
