#ifndef PGPAIR_RESOURCES_SETTING_H_
#define PGPAIR_RESOURCES_SETTING_H_

#include <string>
#include <vector>

#include "engine/plan/resource.h"
#include "resources/setting/desired.h"

namespace pgpair {

// The `setting` resource: one server parameter on one host, addressed
// "setting[pg1/wal_level]".
//
// Diff compares the manifest's value with the server's, both normalized
// (engine/facts/setting_value.h): with pg_settings when the server runs, with
// the configuration files when it is stopped. A change carries
// SettingDetails: the file to edit (the file whose line wins for that name,
// else the main config file), the setting and the value to write (as the
// server should read it); its impact and server step are the reload or
// restart the server needs to take the value, from pg_settings.context. A
// value already in the winning file that the server has not taken yet is a
// change with write = false: it shows the pending reload or restart and is
// never written again. A value the server read at a reload and waits for a
// restart to take (pending_restart), where the manifest wants the running
// value, is written back with impact reload: only a reload that reads the
// running value clears the flag. Apply edits the file only; the engine
// reloads or restarts the host once, after all changes.
//
// Blockers before any change: a value the server refused at its last start
// (HostFacts::refused_settings, recorded by apply) for as long as the
// manifest asks for that same value; superuser_reserved_connections (plus
// reserved_connections from 16, plus max_wal_senders up to 11) not below
// max_connections, with the values the host will have after the plan; and
// shared_buffers not below the host's memory (MemTotal).
//
// primary_conninfo, primary_slot_name and restore_command belong to the
// recovery config resource and are left alone here.
//
// Its parts, each in resources/setting/: what each host should have
// (desired.h), the wal_keep_segments/wal_keep_size translation (wal_keep.h),
// the per-host comparison (host_diff.h), and the values a server would not
// start with (startup_checks.h). The desired settings are computed once per
// Diff and handed to each part.
const Resource& SettingResource();

// The resource's kind, and the first word of its addresses.
inline constexpr char kSettingKind[] = "setting";

// What a setting change writes.
struct SettingDetails {
  std::string name;   // lowercased
  std::string value;  // as the server should read it
  std::string file;   // absolute path of the file it goes into
  bool write = true;  // false: the file already holds it; only the server step is needed
  nlohmann::json ToJson() const;  // {"name", "value", "file", "write"}
};

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_SETTING_H_
