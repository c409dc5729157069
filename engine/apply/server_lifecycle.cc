#include "engine/apply/server_lifecycle.h"

#include <algorithm>

#include "engine/apply/remote_sql.h"
#include "engine/apply/restart_safety.h"
#include "engine/apply/server_control.h"
#include "engine/facts/standby_state.h"
#include "engine/util/shell_quote.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

// The server keeps its old rules when pg_hba.conf has an error, so a reload
// "succeeds" either way: ask pg_hba_file_rules.
Status CheckHbaRules(Transport& transport, const HostSpec& host, const HostFacts& facts) {
  Result<std::string> errors = RunRemoteSql(
      transport, host, facts,
      "SELECT line_number || ': ' || error FROM pg_hba_file_rules WHERE error IS NOT NULL;");
  if (!errors.ok()) return errors.status();
  if (!TrimTrailing(*errors).empty()) {
    return Status::Error(transport.host_label() + ": the server rejects " +
                         facts.layout.hba_file.value_or("pg_hba.conf") + " (line " +
                         TrimTrailing(*errors) +
                         "); it keeps its previous rules. Fix the file, then "
                         "run pgpair again");
  }
  return Status::Ok();
}

// pg_file_settings reads the files as they are now: an error there means a
// restart would fail, so it is checked before any restart.
Status CheckFileSettings(Transport& transport, const HostSpec& host, const HostFacts& facts) {
  Result<std::string> errors = RunRemoteSql(
      transport, host, facts,
      "SELECT coalesce(sourcefile, '?') || ':' || coalesce(sourceline::text, '?') || ': ' || "
      "coalesce(name, '') || ': ' || error FROM pg_file_settings WHERE error IS NOT NULL "
      "AND error <> 'setting could not be applied';");
  if (!errors.ok()) return errors.status();
  if (!TrimTrailing(*errors).empty()) {
    return Status::Error(transport.host_label() +
                         ": the configuration has errors, so pgpair "
                         "will not restart the server: " +
                         TrimTrailing(*errors));
  }
  return Status::Ok();
}

Status RunCheck(ServerCheck check, Transport& transport, const HostSpec& host,
                const HostFacts& facts) {
  switch (check) {
    case ServerCheck::kHbaRules:
      return CheckHbaRules(transport, host, facts);
    case ServerCheck::kFileSettings:
      return CheckFileSettings(transport, host, facts);
  }
  return Status::Ok();
}

// A data directory on the standby host without the mark of a standby would
// start as a second primary: it is never started.
Status RequireStandbyMarks(Transport& transport, const HostSpec& host, const HostFacts& facts) {
  const std::string data_dir = facts.layout.data_dir.value_or("");
  const std::optional<int> major = StandbyMajor(facts);
  const std::string mark = !major        ? "standby.signal or recovery.conf"
                           : *major < 12 ? "recovery.conf"
                                         : "standby.signal";
  const std::string test_command = !major ? "test -f " + ShellQuote(data_dir + "/standby.signal") +
                                                " || test -f " +
                                                ShellQuote(data_dir + "/recovery.conf")
                                          : "test -f " + ShellQuote(data_dir + "/" + mark);
  Result<ExecResult> test =
      transport.Exec(test_command, "", std::chrono::seconds(host.ssh.command_timeout_seconds));
  if (!test.ok()) return test.status();
  if (test->exit_status != 0) {
    return Status::Error(transport.host_label() + ": " + data_dir + " has no " + mark +
                         ", so it would start as a second primary; pgpair does not start it");
  }
  return Status::Ok();
}

}  // namespace

ServerStep StepFor(const std::vector<Change>& changes, const HostFacts& facts) {
  ServerStep step = ServerStep::kNone;
  for (const Change& change : changes) step = std::max(step, change.server_step);
  if (!changes.empty() && facts.server.running != true) step = ServerStep::kStart;
  return step;
}

std::vector<ServerCheck> ChecksFor(const std::vector<Change>& changes) {
  std::vector<ServerCheck> checks;
  for (ServerCheck check : {ServerCheck::kHbaRules, ServerCheck::kFileSettings}) {
    for (const Change& change : changes) {
      if (std::find(change.checks.begin(), change.checks.end(), check) != change.checks.end()) {
        checks.push_back(check);
        break;
      }
    }
  }
  return checks;
}

Status RunServerStep(ApplyContext& context, const std::string& host_name,
                     const std::vector<Change>& changes) {
  const HostSpec* host = context.manifest->FindHost(host_name);
  if (!host) return Status::Error("no host " + host_name + " in the manifest");
  const HostFacts& facts = context.FactsFor(host_name);
  Transport& transport = context.For(host_name);
  const bool standby = host_name == context.manifest->standby;
  auto progress = [&](const std::string& text) {
    if (context.progress) context.progress(host_name + ": " + text);
  };

  const ServerStep step = StepFor(changes, facts);
  if (step == ServerStep::kNone) return Status::Ok();
  if (standby && step >= ServerStep::kRestart) {
    Status marked = RequireStandbyMarks(transport, *host, facts);
    if (!marked.ok()) return marked;
  }
  // A wait says what it waits for and for how long.
  auto at_most = [&](ServerAction action) {
    return " (waiting at most " + std::to_string(ServerWaitsFor(*host, action).pg_ctl_seconds) +
           " s for it to accept connections)";
  };
  if (step == ServerStep::kStart) {
    progress("starting the server" + at_most(ServerAction::kStart));
    return StartOrRestartSafely(context, host_name, changes, ServerAction::kStart);
  }

  // A restart loads every file anew: no reload before it. The checks read
  // the files as they are on disk (pg_hba_file_rules and pg_file_settings
  // parse them at each query), so they need none either.
  if (step != ServerStep::kRestart) {
    progress("reloading the configuration");
    Status reloaded = ControlServer(transport, *host, facts, ServerAction::kReload);
    if (!reloaded.ok()) return reloaded;
  }
  for (ServerCheck check : ChecksFor(changes)) {
    Status passed = RunCheck(check, transport, *host, facts);
    if (!passed.ok()) return passed;
  }
  if (step == ServerStep::kRestart) {
    progress("restarting the server once" + at_most(ServerAction::kRestart));
    return StartOrRestartSafely(context, host_name, changes, ServerAction::kRestart);
  }
  return Status::Ok();
}

}  // namespace pgpair
