#ifndef PGPAIR_ENGINE_FACTS_FACTS_H_
#define PGPAIR_ENGINE_FACTS_FACTS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts/hba_token.h"
#include "engine/facts/setting_value.h"

namespace pgpair {

// What pgpair saw on one host, as plain data. Every fact that could not be
// established is an empty std::optional: "unknown" is never written as 0,
// false or "". Collections are optional too: an empty vector means "there are
// none", an empty optional means "could not tell". Names of these fields are
// the names in schemas/facts.schema.json.

struct OsFacts {
  std::optional<std::string> hostname;
  std::optional<std::string> pretty_name;  // from /etc/os-release
  std::optional<std::string> id;
  std::optional<std::string> version_id;
  std::optional<std::string> architecture;  // uname -m
  std::optional<std::string> kernel;        // uname -r
  std::optional<long long> memory_bytes;    // MemTotal of /proc/meminfo
};

// Where the cluster lives and how it was found.
struct LayoutFacts {
  std::optional<std::string> cluster;  // Debian's "15/main"
  std::optional<std::string> bin_dir;
  std::optional<std::string> data_dir;
  std::optional<bool> data_dir_exists;
  // The data directory is a mount point (a volume of its own, or a bind
  // mount): no rename can move it, so it cannot be swapped for a copy.
  std::optional<bool> data_dir_mount_point;
  std::optional<std::string> config_file;
  std::optional<std::string> hba_file;
  std::optional<int> port;
  std::optional<std::string> socket_dir;
  // Directories an interrupted clone left beside the data directory
  // (<data_dir>.pgpair-staging, <data_dir>.pgpair-ready); empty: none.
  std::optional<std::vector<std::string>> clone_leftovers;
  std::optional<bool> pg_rewind;  // bin_dir holds an executable pg_rewind
  // <data_dir>.pgpair-rewinding exists: a pg_rewind that pgpair started did
  // not finish, and the data directory may be inconsistent.
  std::optional<bool> rewind_interrupted;
  // "server" (the running server said so), "pg_lsclusters", "process" (the
  // one running postmaster: its working directory and executable),
  // "manifest" or "default" (RHEL's, Debian's or PostgreSQL's conventions).
  std::optional<std::string> source;
};

// `path` relative to the directory `dir` when it lies inside it, else "".
std::string PathInside(const std::string& path, std::string dir);

// The layout's postgresql.conf when it lies outside its data directory
// (Debian's /etc/postgresql/...): a copy of the data directory lacks it,
// and a server started on one must be told where it is. Nothing when it is
// inside, or either is unknown.
std::optional<std::string> ConfigOutsideDataDir(const LayoutFacts& layout);

struct ServerFacts {
  std::optional<int> major;            // 10, 11, ... 18
  std::optional<std::string> version;  // "15.18"
  std::optional<bool> running;
  std::optional<int> postmaster_pid;
  std::optional<std::string> start_time;  // pg_postmaster_start_time(), ISO 8601
  std::optional<bool> in_recovery;
  std::optional<std::string> system_identifier;  // pg_controldata, a 64-bit number
  std::optional<std::string> cluster_state;      // pg_controldata "Database cluster state"
  std::optional<std::string> timeline;           // pg_controldata "Latest checkpoint's TimeLineID"
  // pg_controldata "Latest checkpoint location": after a clean shutdown, the
  // shutdown checkpoint, the last WAL record the server wrote.
  std::optional<std::string> checkpoint_location;
  std::optional<bool> data_checksums;  // pg_controldata "Data page checksum version" not 0
  // pg_controldata "wal_log_hints setting": the value the server last
  // started with, which is what pg_rewind reads from a target.
  std::optional<bool> wal_log_hints;
};

// The newest timeline history file in pg_wal (0000000N.history) and its last
// line: timeline N forked from `parent` at `fork_lsn` (a promotion).
struct TimelineForkFact {
  int timeline = 0;
  std::optional<int> parent;
  std::optional<std::string> fork_lsn;
};

// One row of pg_settings.
struct SettingFact {
  std::string name;
  std::optional<std::string> value;  // pg_settings.setting, in `unit`
  std::optional<std::string> unit;
  std::optional<std::string> vartype;  // bool, integer, real, string, enum
  std::optional<std::string> context;  // postmaster (restart), sighup (reload), ...
  std::optional<std::string> source;   // default, configuration file, ...
  std::optional<std::string> source_file;
  std::optional<int> source_line;
  std::optional<bool> pending_restart;
  std::optional<std::string> boot_value;
};

// A setting as written in a configuration file: pg_file_settings when the
// server runs, pgpair's own parse of the files when it does not.
struct FileSettingFact {
  std::string name;
  std::string value;
  std::string file;
  int line = 0;
  std::optional<bool> applied;       // pg_file_settings.applied
  std::optional<std::string> error;  // pg_file_settings.error
};

// One line of pg_hba.conf as pgpair parsed it from the file
// (engine/facts/parsers/pg_hba.h). Names keep whether they were quoted:
// only an unquoted `replication` is the keyword.
struct HbaLineFact {
  int line_number = 0;
  std::string type;
  std::vector<HbaToken> databases;
  std::vector<HbaToken> users;
  std::optional<std::string> address;  // CIDR, host name or keyword; none for "local"
  std::string method;
  std::map<std::string, std::string> options;
  std::optional<std::string> error;  // a line pgpair could not parse
  std::string text;
};

// One row of pg_hba_file_rules: the server's own reading of the file on disk.
// Its names lose their quotes (15 shows "replication" as replication), so
// matching is decided on HbaFacts::lines; these rows serve for errors.
struct HbaRuleFact {
  std::optional<int> line_number;
  std::optional<std::string> type;
  std::vector<std::string> databases;
  std::vector<std::string> users;
  std::optional<std::string> address;
  std::optional<std::string> netmask;
  std::optional<std::string> method;
  std::optional<std::string> error;
};

struct HbaFacts {
  std::optional<std::string> file;
  std::optional<std::vector<HbaLineFact>> lines;         // unknown if unreadable
  std::optional<std::vector<HbaRuleFact>> server_rules;  // unknown if server down
};

// A role that matters for replication. The password hash is never read out
// of the server: only whether one is set and its kind.
struct RoleFact {
  std::string name;
  std::optional<bool> exists;
  std::optional<bool> can_login;
  std::optional<bool> replication;
  std::optional<bool> superuser;
  std::optional<int> connection_limit;  // -1: no limit
  std::optional<bool> has_password;
  std::optional<std::string> password_kind;  // "scram-sha-256", "md5", "other"
  // May execute the four file functions pg_rewind calls on its source
  // (pg_ls_dir, pg_stat_file, pg_read_binary_file twice): true for a
  // superuser, or after pgpair's grants (11+).
  std::optional<bool> rewind_functions;
};

// How the data directory is told to be a standby.
struct RecoveryFacts {
  std::optional<bool> recovery_conf;    // recovery.conf present (10, 11)
  std::optional<bool> standby_signal;   // standby.signal present (12+)
  std::optional<bool> recovery_signal;  // recovery.signal present (12+)
  // backup_label present: a base backup that was never started (a running
  // server removes it once recovery has begun).
  std::optional<bool> backup_label;
  // Settings of recovery.conf, passwords redacted.
  std::optional<std::map<std::string, std::string>> recovery_conf_settings;
  // The effective primary_conninfo (server, else files), password redacted.
  std::optional<std::string> primary_conninfo;
  std::optional<std::string> primary_slot_name;
  // Whether the effective primary_conninfo carries a password.
  std::optional<bool> primary_conninfo_has_password;
  // SHA-256 (hex) of that password, so that a rotated secret is found
  // without keeping the password. In memory only: never serialized, printed
  // or logged (a digest still allows guessing offline).
  std::optional<std::string> primary_conninfo_password_sha256;
};

struct ArchiveDirFacts {
  std::string path;
  std::optional<bool> exists;
  std::optional<bool> is_directory;
  std::optional<std::string> owner;
  std::optional<std::string> group;
  std::optional<std::string> mode;  // octal, "700"
};

struct WalSenderFact {  // pg_stat_replication
  std::optional<int> pid;
  std::optional<std::string> user;
  std::optional<std::string> application_name;
  std::optional<std::string> client_addr;
  std::optional<std::string> state;
  std::optional<std::string> sent_lsn;
  std::optional<std::string> replay_lsn;
  std::optional<std::string> sync_state;
  std::optional<double> replay_lag_seconds;
};

struct WalReceiverFact {  // pg_stat_wal_receiver
  std::optional<std::string> status;
  std::optional<std::string> sender_host;
  std::optional<int> sender_port;
  std::optional<std::string> slot_name;
  std::optional<std::string> conninfo;  // password redacted
  std::optional<std::string> latest_end_lsn;
};

struct SlotFact {  // pg_replication_slots
  std::string name;
  std::optional<std::string> type;
  std::optional<bool> active;
  std::optional<std::string> restart_lsn;
};

struct ReplicationFacts {
  std::optional<std::vector<WalSenderFact>> senders;
  std::optional<WalReceiverFact> receiver;  // empty: not a standby or unknown
  std::optional<bool> receiver_present;     // false: no wal receiver running
  std::optional<std::vector<SlotFact>> slots;
  std::optional<std::string> receive_lsn;      // pg_last_wal_receive_lsn()
  std::optional<std::string> replay_lsn;       // pg_last_wal_replay_lsn()
  std::optional<double> replay_delay_seconds;  // now() - last replayed commit
  std::optional<std::string> current_lsn;      // pg_current_wal_lsn() of a primary
  // pg_stat_archiver's last failure is later than its last success.
  std::optional<bool> archive_failing;
  // pg_stat_archiver.failed_count: failed attempts since the statistics' reset.
  std::optional<int64_t> archive_failed_count;
  std::optional<int> archive_ready_files;  // pg_wal/archive_status/*.ready
  // Empty optional: unknown or no history file (the cluster never forked).
  std::optional<TimelineForkFact> timeline_fork;
};

// An apply that holds pgpair's apply lock on the host: its lease process
// (engine/apply/apply_lease.sh) runs and wrote who it serves. Read from the
// lock's holder file; a file whose lease is gone is no fact at all.
struct ApplyHolderFact {
  std::optional<std::string> pair;
  std::optional<std::string> user;     // who runs that pgpair
  std::optional<std::string> machine;  // where that pgpair runs (its host name)
  std::optional<int> pid;              // that pgpair's process id there
  std::optional<std::string> since;    // when it took the lock, UTC, ISO 8601
  std::optional<int> lease_pid;        // the lease process on this host
};

// A value the server refused at its last start, as apply recorded it on the
// host (engine/facts/parsers/refused_settings.h); only the cluster's own.
struct RefusedSettingFact {
  std::string name;
  std::string value;  // as the server read it
  std::string time;   // UTC, ISO 8601
  std::string log_line;
};

// Something that could not be gathered, and what it means for the plan.
struct FactProblem {
  std::string topic;    // "hba", "settings", ...
  std::string message;  // "pg_hba.conf cannot be read: permission denied; ..."
};

struct HostFacts {
  std::string name;
  std::string address;
  std::string declared_role;  // "primary" or "standby" in the manifest
  OsFacts os;
  LayoutFacts layout;
  ServerFacts server;
  std::optional<std::vector<SettingFact>> settings;
  std::optional<std::vector<FileSettingFact>> file_settings;
  HbaFacts hba;
  std::optional<std::vector<RoleFact>> roles;
  RecoveryFacts recovery;
  std::optional<ArchiveDirFacts> archive;
  ReplicationFacts replication;
  std::optional<ApplyHolderFact> apply_in_progress;  // empty: no apply holds the lock
  // Empty: none recorded; unknown when the record could not be read.
  std::optional<std::vector<RefusedSettingFact>> refused_settings;
  std::vector<FactProblem> problems;
  // How the facts were gathered: counted so the one-round-trip promise is checked.
  int ssh_connections = 0;
  int exec_round_trips = 0;
  double gather_seconds = 0;

  // The pg_settings row of `name`, whose case does not matter (the server
  // spells some names in mixed case, "DateStyle"); null when unknown.
  const SettingFact* FindSetting(std::string_view name) const;
  const RoleFact* FindRole(const std::string& name) const;
};

// The configuration file line the server takes `name` from: of the lines
// that set it (names compared without case, as the server does), the last
// one in file_settings, which lists them in the order the server reads its
// files (pg_file_settings, or pgpair's reading of the files when the server
// is down). Null when no line sets it or the files are unknown. The one
// answer for settings, the recovery configuration and the interpretation.
const FileSettingFact* WinningFileSetting(const HostFacts& facts, std::string_view name);

// The type to compare values of `name` with on a host: the running
// server's word (its pg_settings row `server`: vartype, unit, context) over
// pgpair's table of PostgreSQL 15 (KnownSettingType), a string without a unit
// when neither knows the name. `server` may be null (a stopped server, a name
// it does not list).
SettingType SettingTypeFor(const std::string& name, const SettingFact* server);

struct PairFacts {
  std::string pair;
  std::vector<HostFacts> hosts;  // in manifest order
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_FACTS_H_
