#ifndef PGPAIR_ENGINE_APPLY_RESTART_SAFETY_H_
#define PGPAIR_ENGINE_APPLY_RESTART_SAFETY_H_

#include <string>
#include <vector>

#include "engine/apply/server_control.h"
#include "engine/apply/server_log.h"
#include "engine/plan/change.h"
#include "engine/plan/resource.h"

namespace pgpair {

// Starts and restarts that cannot strand a server: the configuration files a
// host's changes may edit are copied before the changes (the last version
// the server was seen to run with), and a start or restart the server
// refuses is undone with them.

// The files at stake on a host: its main configuration file, pg_hba.conf,
// the data directory's postgresql.auto.conf (and recovery.conf up to 11),
// and every file a change edits (Change::edited_files). A re-clone replaces the data
// directory, so its files are left out then.
std::vector<std::string> ConfigFilesAtStake(const HostFacts& facts,
                                            const std::vector<Change>& changes);

// Whether the files of a running server are the ones it runs with: it runs,
// its pg_settings was read and no setting waits for a restart.
bool FilesProven(const HostFacts& facts);

// Before a host's changes: copies the files at stake (all of them when
// FilesProven, else only those without a copy: an older copy is better
// proven than unproven files).
Status KeepLastGood(ApplyContext& context, const std::string& host_name,
                    const std::vector<Change>& changes);

// The settings a failed start may be about: those the host's changes write
// (Change::setting) with impact restart, else all of them.
std::vector<StartSuspect> StartSuspects(const std::vector<Change>& changes);

// Starts or restarts (`action`) the host's server after its changes. On
// success the files at stake are proven: their copies are replaced and the
// host's record of refused settings is cleared. When the server does not
// start, and does not run: the settings the log blames are recorded on the
// host (kRefusedSettingsFile, so that the next plan refuses them), the copies
// are put back (the refused versions kept under kRefusedFilesDir), the
// server is started again, and the error quotes the server's log, names the
// settings, says what was restored and whether the server runs. A server
// still starting when pg_ctl gave up is left alone, and so is one whose state
// is unknown (the command timed out).
Status StartOrRestartSafely(ApplyContext& context, const std::string& host_name,
                            const std::vector<Change>& changes, ServerAction action);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_RESTART_SAFETY_H_
