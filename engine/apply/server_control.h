#ifndef PGPAIR_ENGINE_APPLY_SERVER_CONTROL_H_
#define PGPAIR_ENGINE_APPLY_SERVER_CONTROL_H_

#include <chrono>
#include <optional>
#include <string>

#include "engine/facts/facts.h"
#include "engine/manifest/manifest.h"
#include "engine/transport/transport.h"

namespace pgpair {

// kPromote ends a standby's recovery (pg_ctl promote, pg_ctlcluster
// promote): how 10 and 11 are promoted, which have no pg_promote().
enum class ServerAction { kStart, kStop, kRestart, kReload, kPromote };

// How the host's server is driven: the manifest's service, else
// pg_ctlcluster for a Debian cluster, else pg_ctl from the bin dir.
ServiceManager ChooseServiceManager(const HostSpec& host, const HostFacts& facts);

// How long a start, stop or restart may take on the host: the manifest's
// ssh.command_timeout_seconds bounds the whole command (Exec); the server
// waits are a little shorter, so that pg_ctl gives up and says so before
// the connection does. A restart waits twice (stop, then start).
struct ServerWaits {
  std::chrono::seconds exec{0};
  int pg_ctl_seconds = 0;  // pg_ctl -t, and PGCTLTIMEOUT for pg_ctlcluster
};
ServerWaits ServerWaitsFor(const HostSpec& host, ServerAction action);

// The shell command that performs `action` on the host's cluster with the
// service manager the manifest names, else pg_ctlcluster where the cluster is
// Debian's, else pg_ctl as the server's user. Start, stop and restart wait
// for the server to finish, at most ServerWaitsFor(...).pg_ctl_seconds:
// pg_ctl gets -t; pg_ctlcluster has no timeout option (pg_ctl options after
// "--" would bypass its systemd redirect), so it gets PGCTLTIMEOUT, which its
// pg_ctl stop honours; systemctl is bounded by the unit's own timeouts and
// the Exec's.
std::string ServerControlCommand(const HostSpec& host, const HostFacts& facts, ServerAction action);

// Runs it, bounded by ServerWaitsFor(...).exec. An error names the host, the
// action and the command's message.
Status ControlServer(Transport& transport, const HostSpec& host, const HostFacts& facts,
                     ServerAction action);

// Where the server's log is read after a failed start: a file (pg_ctl's -l
// file pgpair-server.log in the data directory; Debian's cluster log, which
// the remote script takes from pg_lsclusters), else a systemd unit's journal.
struct ServerLogSource {
  std::string file;          // may be empty
  std::string cluster;       // Debian's "15/main", may be empty
  std::string journal_unit;  // may be empty
};
ServerLogSource ServerLogFor(const HostSpec& host, const HostFacts& facts);

// A start or restart, and what it left.
struct ServerControlOutcome {
  bool succeeded = false;
  std::string command;
  std::string message;     // the command's own output, when it failed
  std::string log_source;  // the log file read, or "journalctl -u UNIT", or "none"
  std::string log;         // what the server logged since the command began (failed only)
  std::optional<bool> running_after;  // failed only: whether a postmaster runs now
};

// Starts or restarts (`action` is kStart or kRestart) and, when that fails,
// reads in the same Exec what the server logged since and whether it runs
// now. Fails only when the command could not be run or did not finish in
// time: the server's state is then unknown.
Result<ServerControlOutcome> RunServerControl(Transport& transport, const HostSpec& host,
                                              const HostFacts& facts, ServerAction action);

// The command RunServerControl runs: engine/apply/server_control.sh around
// `control_command`, with these values as its arguments; and its output's
// parser. Exposed for tests.
std::string ServerControlScriptCommand(const std::string& control_command,
                                       const ServerLogSource& log, const std::string& data_dir,
                                       const std::string& mark);
ServerControlOutcome ParseServerControlOutput(const ExecResult& result, const std::string& mark);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_SERVER_CONTROL_H_
