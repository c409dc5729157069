#include "engine/apply/server_control.h"

#include "engine/util/shell_quote.h"

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
  }
  return "?";
}

}  // namespace

ServiceManager ChooseServiceManager(const HostSpec& host, const HostFacts& facts) {
  if (host.postgres.service) return *host.postgres.service;
  if (facts.layout.cluster) return ServiceManager::kPgCtlCluster;
  return ServiceManager::kPgCtl;
}

std::string ServerControlCommand(const HostSpec& host, const HostFacts& facts,
                                 ServerAction action) {
  const std::string word = ActionWord(action);
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
      return command;
    }
    case ServiceManager::kPgCtl:
      break;
  }
  std::string data_dir = facts.layout.data_dir.value_or("");
  std::string pg_ctl = facts.layout.bin_dir ? *facts.layout.bin_dir + "/pg_ctl" : "pg_ctl";
  std::string command = "cd / && runuser -u " + ShellQuote(host.postgres.os_user) + " -- " +
                        ShellQuote(pg_ctl) + " " + word + " -D " + ShellQuote(data_dir);
  if (action != ServerAction::kReload) command += " -w -t 120";
  if (action == ServerAction::kStop || action == ServerAction::kRestart) command += " -m fast";
  if (action == ServerAction::kStart || action == ServerAction::kRestart) {
    command += " -l " + ShellQuote(data_dir + "/pgpair-server.log");
  }
  return command;
}

Status ControlServer(Transport& transport, const HostSpec& host, const HostFacts& facts,
                     ServerAction action) {
  std::string command = ServerControlCommand(host, facts, action);
  Result<ExecResult> run = transport.Exec(command, "", std::chrono::seconds(180));
  if (!run.ok()) return run.status();
  if (run->exit_status != 0) {
    std::string message = run->stderr_text.empty() ? run->stdout_text : run->stderr_text;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Status::Error(transport.host_label() + ": " + ActionWord(action) +
                         " of the PostgreSQL server failed (" + command + "): " + message);
  }
  return Status::Ok();
}

}  // namespace pgpair
