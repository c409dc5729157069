#ifndef PGPAIR_ENGINE_APPLY_STANDBY_SETUP_H_
#define PGPAIR_ENGINE_APPLY_STANDBY_SETUP_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/facts/facts.h"
#include "engine/manifest/manifest.h"
#include "engine/transport/transport.h"
#include "engine/util/status.h"

namespace pgpair {

// How a data directory is made a standby of the declared primary: the one
// home of the files both the clone (resources/standby_clone.cc) and the
// recovery configuration (resources/recovery_config.cc) write.

// The steps RunStandbySteps performs, as named in a change's "steps"; the
// file-level ones are engine/apply/standby_files.sh's steps, by these names.
inline constexpr char kMoveRecoveryConf[] = "move_recovery_conf";        // 12+
inline constexpr char kCreateStandbySignal[] = "create_standby_signal";  // 12+
inline constexpr char kWriteConninfo[] = "write_primary_conninfo";       // 12+
inline constexpr char kWriteRecoveryConf[] = "write_recovery_conf";      // 10, 11
inline constexpr char kRemoveStandbySignal[] = "remove_standby_signal";  // 10, 11

// The parts of primary_conninfo that pgpair declares, password aside.
struct StandbyConninfo {
  std::string host;               // the primary's address in the manifest
  int port = 5432;                // the primary's port from its facts, 5432 if unknown
  std::string user;               // the replication role
  std::string application_name;   // the standby's name in the manifest
  nlohmann::json ToJson() const;  // {"host", "port", "user", "application_name"}
};

StandbyConninfo DesiredStandbyConninfo(const Manifest& manifest, const HostFacts& primary);

// The connection string to write, password included: it is for file content
// sent on stdin only, never for a plan, an argument, a command or a log.
std::string BuildPrimaryConninfo(const StandbyConninfo& conninfo, const std::string& password);

// The same with the password shown as "********", for plans and messages.
std::string DisplayPrimaryConninfo(const StandbyConninfo& conninfo);

// How `actual` (a connection string, password redacted or not) differs from
// the declared host, port (absent means 5432), user and application_name, a
// phrase each ("host is 10.0.0.9, not 198.18.0.11"); empty when it matches.
// The password is not compared here (see the facts' password digest). An
// unparsable string is one difference that does not quote it.
std::vector<std::string> ConninfoDifferences(const std::string& actual,
                                             const StandbyConninfo& desired);
bool PrimaryConninfoMatches(const std::string& actual, const StandbyConninfo& desired);

// Where a 12+ standby's primary_conninfo is written: the file whose line the
// server applies (pg_file_settings), unless it lies in the data directory,
// and postgresql.auto.conf in the data directory otherwise (where
// pg_basebackup -R and ALTER SYSTEM write it; it is read last, so it wins).
std::string ConninfoFile(const HostFacts& standby, const std::string& data_dir);

// Performs `steps` (the constants above) in `data_dir` on the standby host;
// the conninfo steps write `primary_conninfo` (to `conninfo_file` on 12+,
// into recovery.conf on 10 and 11). The files that mark a standby come
// first: should writing primary_conninfo fail, the directory still starts as
// a standby that waits, never as a second primary. Files that hold the
// password end up owned by the host's postgres user with mode 0600, checked
// after writing; other lines of edited files are kept. Does not start,
// reload or restart the server.
Status RunStandbySteps(Transport& transport, const HostSpec& host,
                       const std::vector<std::string>& steps, const std::string& data_dir,
                       const std::string& conninfo_file, const std::string& primary_conninfo,
                       const std::string& timestamp);

// Every step a fresh copy of the primary needs for `major`:
//   12+: primary_conninfo in `conninfo_file`, standby.signal, and
//        recovery.conf, if there is one, moved to recovery.conf.pgpair-<timestamp>;
//   10/11: recovery.conf with standby_mode = 'on', primary_conninfo and
//        recovery_target_timeline = 'latest', and no standby.signal.
Status WriteStandbyConfig(Transport& transport, const HostSpec& standby, int major,
                          const std::string& data_dir, const std::string& conninfo_file,
                          const std::string& primary_conninfo, const std::string& timestamp);

// The line of a libpq password file that matches a connection to
// host:port as user: a replication connection by default (libpq matches its
// database field "replication"), else one to `database` (pg_rewind's
// login). ':' and '\' are escaped as libpq requires. It holds the
// password: stdin only.
std::string PgpassLine(const std::string& host, int port, const std::string& user,
                       const std::string& password, const std::string& database = "replication");

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_STANDBY_SETUP_H_
