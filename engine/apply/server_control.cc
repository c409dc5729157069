#include "engine/apply/server_control.h"

#include <algorithm>
#include <random>
#include <sstream>

#include "engine/apply/server_control.sh.inc"
#include "engine/util/shell_quote.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

const char* ActionWord(ServerAction action) {
  switch (action) {
    case ServerAction::kStart:
      return "start";
    case ServerAction::kStop:
      return "stop";
    case ServerAction::kRestart:
      return "restart";
    case ServerAction::kReload:
      return "reload";
    case ServerAction::kPromote:
      return "promote";
  }
  return "?";
}

std::string NewMark() {
  std::random_device device;
  std::mt19937_64 generator(device());
  std::ostringstream mark;
  mark << "@@pgpair-control-" << std::hex << generator();
  return mark.str();
}

std::string FailureMessage(const ExecResult& run) {
  std::string message = run.stderr_text.empty() ? run.stdout_text : run.stderr_text;
  return TrimTrailing(message);
}

}  // namespace

ServiceManager ChooseServiceManager(const HostSpec& host, const HostFacts& facts) {
  if (host.postgres.service) return *host.postgres.service;
  if (facts.layout.cluster) return ServiceManager::kPgCtlCluster;
  return ServiceManager::kPgCtl;
}

ServerWaits ServerWaitsFor(const HostSpec& host, ServerAction action) {
  const int total = std::max(1, host.ssh.command_timeout_seconds);
  // A tenth for the SSH round trip and the script around the wait, at
  // least one second, at most half a minute.
  const int margin = std::min(30, std::max(1, total / 10));
  int wait = std::max(1, total - margin);
  if (action == ServerAction::kRestart) wait = std::max(1, wait / 2);
  return ServerWaits{std::chrono::seconds(total), wait};
}

std::string ServerControlCommand(const HostSpec& host, const HostFacts& facts,
                                 ServerAction action) {
  const std::string word = ActionWord(action);
  const std::string wait = std::to_string(ServerWaitsFor(host, action).pg_ctl_seconds);
  switch (ChooseServiceManager(host, facts)) {
    case ServiceManager::kSystemctl:
      return "systemctl " + word + " " +
             ShellQuote(host.postgres.systemd_unit.value_or("postgresql"));
    case ServiceManager::kPgCtlCluster: {
      std::string cluster = facts.layout.cluster.value_or("");
      size_t slash = cluster.find('/');
      std::string command =
          "pg_ctlcluster " + ShellQuote(cluster.substr(0, slash)) + " " +
          ShellQuote(slash == std::string::npos ? "" : cluster.substr(slash + 1)) + " " + word;
      // A fast shutdown, not the default smart one that waits for every
      // client to leave.
      if (action == ServerAction::kStop || action == ServerAction::kRestart) {
        command += " -m fast";
      }
      if (action != ServerAction::kReload && action != ServerAction::kPromote) {
        command = "PGCTLTIMEOUT=" + wait + " " + command;
      }
      return command;
    }
    case ServiceManager::kPgCtl:
      break;
  }
  std::string data_dir = facts.layout.data_dir.value_or("");
  std::string pg_ctl = facts.layout.bin_dir ? *facts.layout.bin_dir + "/pg_ctl" : "pg_ctl";
  std::string command = "cd / && runuser -u " + ShellQuote(host.postgres.os_user) + " -- " +
                        ShellQuote(pg_ctl) + " " + word + " -D " + ShellQuote(data_dir);
  if (action != ServerAction::kReload) command += " -w -t " + wait;  // promote waits too
  if (action == ServerAction::kStop || action == ServerAction::kRestart) command += " -m fast";
  if (action == ServerAction::kStart || action == ServerAction::kRestart) {
    command += " -l " + ShellQuote(data_dir + "/pgpair-server.log");
  }
  return command;
}

Status ControlServer(Transport& transport, const HostSpec& host, const HostFacts& facts,
                     ServerAction action) {
  std::string command = ServerControlCommand(host, facts, action);
  Result<ExecResult> run = transport.Exec(command, "", ServerWaitsFor(host, action).exec);
  if (!run.ok()) return run.status();
  if (run->exit_status != 0) {
    return Status::Error(transport.host_label() + ": " + ActionWord(action) +
                         " of the PostgreSQL server failed (" + command +
                         "): " + FailureMessage(*run));
  }
  return Status::Ok();
}

ServerLogSource ServerLogFor(const HostSpec& host, const HostFacts& facts) {
  ServerLogSource source;
  ServiceManager manager = ChooseServiceManager(host, facts);
  if (facts.layout.cluster && manager != ServiceManager::kPgCtl) {
    // Debian's default; the script asks pg_lsclusters for the real one.
    std::string cluster = *facts.layout.cluster;
    size_t slash = cluster.find('/');
    if (slash != std::string::npos) {
      source.file = "/var/log/postgresql/postgresql-" + cluster.substr(0, slash) + "-" +
                    cluster.substr(slash + 1) + ".log";
      source.cluster = cluster;
    }
  } else if (manager == ServiceManager::kPgCtl && facts.layout.data_dir) {
    source.file = *facts.layout.data_dir + "/pgpair-server.log";
  }
  if (manager == ServiceManager::kSystemctl) {
    source.journal_unit = host.postgres.systemd_unit.value_or("postgresql");
  }
  return source;
}

std::string ServerControlScriptCommand(const std::string& control_command,
                                       const ServerLogSource& log, const std::string& data_dir,
                                       const std::string& mark) {
  return ScriptCommand(kServerControlScript, "pgpair-server-control",
                       {mark, control_command, log.file, log.cluster, log.journal_unit, data_dir});
}

ServerControlOutcome ParseServerControlOutput(const ExecResult& result, const std::string& mark) {
  ServerControlOutcome outcome;
  outcome.succeeded = result.exit_status == 0;
  std::string out = result.stdout_text;
  const std::string log_tag = "\n" + mark + " log ";
  const std::string running_tag = "\n" + mark + " running\n";
  size_t log_at = out.find(log_tag);
  size_t running_at = out.find(running_tag);
  std::string own = out.substr(0, std::min(log_at, out.size()));
  if (log_at != std::string::npos) {
    size_t source_end = out.find('\n', log_at + log_tag.size());
    if (source_end == std::string::npos) source_end = out.size();
    outcome.log_source = out.substr(log_at + log_tag.size(), source_end - log_at - log_tag.size());
    size_t log_end =
        running_at == std::string::npos || running_at < source_end ? out.size() : running_at;
    if (source_end < log_end) outcome.log = out.substr(source_end + 1, log_end - source_end - 1);
  }
  if (running_at != std::string::npos) {
    std::string answer = TrimTrailing(out.substr(running_at + running_tag.size()));
    if (answer == "yes") outcome.running_after = true;
    if (answer == "no") outcome.running_after = false;
  }
  if (!outcome.succeeded) {
    std::string err = TrimTrailing(result.stderr_text);
    own = TrimTrailing(own);
    outcome.message = err.empty() ? own : (own.empty() ? err : own + "\n" + err);
  }
  return outcome;
}

Result<ServerControlOutcome> RunServerControl(Transport& transport, const HostSpec& host,
                                              const HostFacts& facts, ServerAction action) {
  const std::string mark = NewMark();
  ServerWaits waits = ServerWaitsFor(host, action);
  const std::string command = ServerControlCommand(host, facts, action);
  Result<ExecResult> run =
      transport.Exec(ServerControlScriptCommand(command, ServerLogFor(host, facts),
                                                facts.layout.data_dir.value_or(""), mark),
                     "", waits.exec);
  if (!run.ok()) {
    return Status::Error(run.status().message() + "; the " + ActionWord(action) +
                         " of the PostgreSQL server did not finish within " +
                         std::to_string(waits.exec.count()) +
                         " s (ssh.command_timeout): its state is unknown, so pgpair "
                         "changed nothing more; look at the server, then run pgpair again");
  }
  ServerControlOutcome outcome = ParseServerControlOutput(*run, mark);
  outcome.command = command;
  return outcome;
}

}  // namespace pgpair
