#ifndef PGPAIR_RESOURCES_RECOVERY_CONFIG_H_
#define PGPAIR_RESOURCES_RECOVERY_CONFIG_H_

#include <optional>
#include <string>

#include "engine/facts/facts.h"
#include "engine/manifest/manifest.h"
#include "engine/plan/resource.h"
#include "engine/transport/transport.h"
#include "engine/util/status.h"

namespace pgpair {

// The standby's configuration as a standby of the declared primary
// (host: standby; address "recovery_config[pg2]"). From 12: standby.signal,
// primary_conninfo in the file that wins for it, no recovery.conf (moved
// aside: a 12+ server refuses to start with one). Up to 11: recovery.conf
// with standby_mode = 'on' and primary_conninfo, no standby.signal.
// It plans nothing for a standby that standby_clone replaces or blocks on:
// the clone writes this configuration itself.
const Resource& RecoveryConfigResource();

// The parts of primary_conninfo that pgpair declares, password aside.
struct StandbyConninfo {
  std::string host;              // the primary's address in the manifest
  int port = 5432;               // the primary's port from its facts, 5432 if unknown
  std::string user;              // the replication role
  std::string application_name;  // the standby's name in the manifest
};

StandbyConninfo DesiredStandbyConninfo(const Manifest& manifest, const HostFacts& primary);

// The connection string to write, password included: it is for file content
// sent on stdin only, never for a plan, an argument, a command or a log.
std::string BuildPrimaryConninfo(const StandbyConninfo& conninfo, const std::string& password);

// The same with the password shown as "********", for plans and messages.
std::string DisplayPrimaryConninfo(const StandbyConninfo& conninfo);

// Whether `actual` (a connection string, password redacted or not) names the
// declared host, port (absent means 5432), user and application_name. The
// password is not compared: facts hold it redacted. An unparsable string
// does not match.
bool PrimaryConninfoMatches(const std::string& actual, const StandbyConninfo& desired);

// Where a 12+ standby's primary_conninfo is written: the file whose line the
// server applies (pg_file_settings), unless it lies in the data directory,
// and postgresql.auto.conf in the data directory otherwise (where
// pg_basebackup -R and ALTER SYSTEM write it; it is read last, so it wins).
std::string ConninfoFile(const HostFacts& standby, const std::string& data_dir);

// Writes the standby's recovery configuration for `major` into `data_dir`
// on the standby host, everything that RecoveryConfigResource checks:
//   12+: primary_conninfo in `conninfo_file`, standby.signal, and
//        recovery.conf, if there is one, moved to recovery.conf.pgpair-<timestamp>;
//   10/11: recovery.conf with standby_mode = 'on' and primary_conninfo, and
//        no standby.signal.
// `primary_conninfo` holds the password: it only travels as file content on
// stdin. Files that hold it end up owned by the host's postgres user with
// mode 0600, which is checked after writing. Other lines of edited files are
// kept. Does not start, reload or restart the server.
Status WriteStandbyConfig(Transport& transport, const HostSpec& standby, int major,
                          const std::string& data_dir, const std::string& conninfo_file,
                          const std::string& primary_conninfo, const std::string& timestamp);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_RECOVERY_CONFIG_H_
