#include "engine/apply/remote_sql.h"

#include "engine/util/shell_quote.h"
#include "engine/util/text.h"

namespace pgpair {

std::string RemotePsqlCommand(const HostSpec& host, const HostFacts& facts,
                              const std::string& database) {
  std::string psql = facts.layout.bin_dir ? *facts.layout.bin_dir + "/psql" : "psql";
  std::string command = "cd / && runuser -u " + ShellQuote(host.postgres.os_user) + " -- " +
                        ShellQuote(psql) + " -X -A -t -q -v ON_ERROR_STOP=1";
  if (facts.layout.socket_dir) command += " -h " + ShellQuote(*facts.layout.socket_dir);
  if (facts.layout.port) command += " -p " + std::to_string(*facts.layout.port);
  command += " -d " + ShellQuote(database);
  return command;
}

Result<std::string> RunRemoteSql(Transport& transport, const HostSpec& host, const HostFacts& facts,
                                 const std::string& sql, const std::string& database) {
  Result<ExecResult> run = transport.Exec(RemotePsqlCommand(host, facts, database), sql,
                                          std::chrono::seconds(host.ssh.command_timeout_seconds));
  if (!run.ok()) return run.status();
  if (run->exit_status != 0) {
    const std::string message = TrimTrailing(run->stderr_text);
    return Status::Error(transport.host_label() + ": psql failed (exit " +
                         std::to_string(run->exit_status) + "): " + message);
  }
  return run->stdout_text;
}

}  // namespace pgpair
