#include "engine/apply/applier.h"

#include <thread>

#include "engine/apply/remote_sql.h"
#include "engine/apply/restart_safety.h"
#include "engine/apply/server_control.h"
#include "engine/facts/standby_state.h"
#include "engine/plan/planner.h"
#include "engine/util/shell_quote.h"
#include "engine/util/sql_quote.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

const Resource* FindResource(const std::string& kind) {
  for (const Resource* resource : RegisteredResources()) {
    if (kind == resource->kind()) return resource;
  }
  return nullptr;
}

// The server keeps its old rules when pg_hba.conf has an error, so a reload
// "succeeds" either way: ask pg_hba_file_rules.
Status CheckHbaAccepted(ApplyContext& context, const HostSpec& host, const HostFacts& facts) {
  Result<std::string> errors = RunRemoteSql(
      *context.primary, host, facts,
      "SELECT line_number || ': ' || error FROM pg_hba_file_rules WHERE error IS NOT NULL;");
  if (!errors.ok()) return errors.status();
  if (!TrimTrailing(*errors).empty()) {
    return Status::Error(context.primary->host_label() + ": the server rejects " +
                         facts.layout.hba_file.value_or("pg_hba.conf") + " (line " +
                         TrimTrailing(*errors) +
                         "); it keeps its previous rules. Fix the file, then "
                         "run pgpair again");
  }
  return Status::Ok();
}

// pg_file_settings reads the files as they are now: an error there means a
// restart would fail, so it is checked before any restart.
Status CheckConfigValid(Transport& transport, const HostSpec& host, const HostFacts& facts) {
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

// Nothing is changed without the lock: a lost lease means the link to a
// host is gone, or another apply may soon take over.
Status LockStillHeld(ApplyContext& context, const std::string& next_step) {
  if (!context.lock_held) return Status::Ok();
  Status held = context.lock_held();
  if (held.ok()) return held;
  return Status::Error(held.message() + "; stopping before " + next_step);
}

Status ApplyChanges(const std::vector<Change>& changes, ApplyContext& context) {
  for (const Change& change : changes) {
    const Resource* resource = FindResource(change.resource);
    if (!resource) return Status::Error("no resource of kind " + change.resource);
    if (Status held = LockStillHeld(context, change.address); !held.ok()) return held;
    if (context.progress) context.progress(change.address);
    Status applied = resource->Apply(change, context);
    if (!applied.ok()) return applied.WithContext(change.address);
  }
  return Status::Ok();
}

Impact HighestImpact(const std::vector<Change>& changes) {
  Impact highest = Impact::kNone;
  for (const Change& change : changes) highest = std::max(highest, change.impact);
  return highest;
}

bool Touches(const std::vector<Change>& changes, const char* kind) {
  for (const Change& change : changes) {
    if (change.resource == kind) return true;
  }
  return false;
}

Status FinishPrimary(const std::vector<Change>& changes, ApplyContext& context) {
  const HostSpec& host = context.manifest->primary_host();
  const HostFacts& facts = *context.plan_input->primary;
  Impact impact = HighestImpact(changes);
  bool running = facts.server.running.value_or(false);
  if (!running) {
    if (context.progress) context.progress(host.name + ": starting the server");
    return StartOrRestartSafely(context, host.name, changes, ServerAction::kStart);
  }
  if (impact >= Impact::kReload || Touches(changes, "hba_rule")) {
    if (context.progress) context.progress(host.name + ": reloading the configuration");
    Status reloaded = ControlServer(*context.primary, host, facts, ServerAction::kReload);
    if (!reloaded.ok()) return reloaded;
    if (Touches(changes, "hba_rule")) {
      Status accepted = CheckHbaAccepted(context, host, facts);
      if (!accepted.ok()) return accepted;
    }
    Status valid = CheckConfigValid(*context.primary, host, facts);
    if (!valid.ok()) return valid;
  }
  if (impact >= Impact::kRestart) {
    if (context.progress) context.progress(host.name + ": restarting the server (once)");
    return StartOrRestartSafely(context, host.name, changes, ServerAction::kRestart);
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

Status FinishStandby(const std::vector<Change>& changes, ApplyContext& context) {
  const HostSpec& host = context.manifest->standby_host();
  const HostFacts& facts = *context.plan_input->standby;
  Impact impact = HighestImpact(changes);
  // A re-clone leaves the server stopped; so does a server that was down.
  bool running = facts.server.running.value_or(false) && impact < Impact::kReclone;
  if (!running || impact >= Impact::kRestart) {
    Status marked = RequireStandbyMarks(*context.standby, host, facts);
    if (!marked.ok()) return marked;
  }
  if (!running) {
    if (context.progress) context.progress(host.name + ": starting the server");
    return StartOrRestartSafely(context, host.name, changes, ServerAction::kStart);
  }
  if (impact >= Impact::kRestart) {
    if (context.progress) context.progress(host.name + ": restarting the server (once)");
    return StartOrRestartSafely(context, host.name, changes, ServerAction::kRestart);
  }
  if (impact >= Impact::kReload) {
    if (context.progress) context.progress(host.name + ": reloading the configuration");
    return ControlServer(*context.standby, host, facts, ServerAction::kReload);
  }
  return Status::Ok();
}

}  // namespace

Status WaitForStreaming(ApplyContext& context, std::chrono::seconds timeout) {
  const HostSpec& primary = context.manifest->primary_host();
  const HostSpec& standby = context.manifest->standby_host();
  // The standby's own WAL receiver is the witness; the primary's sender
  // must be the standby's, not pg_basebackup's WAL stream from the same
  // address (see StandbyStreams in engine/facts/standby_state.h).
  const std::string receiver_sql =
      "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming';";
  const std::string sender_sql =
      "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND "
      "application_name IS DISTINCT FROM 'pg_basebackup' AND (host(client_addr) = " +
      QuoteSqlLiteral(standby.address) + " OR application_name = " + QuoteSqlLiteral(standby.name) +
      ");";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::string> receiving =
        RunRemoteSql(*context.standby, standby, *context.plan_input->standby, receiver_sql);
    if (receiving.ok() && TrimTrailing(*receiving) != "0") {
      Result<std::string> sending =
          RunRemoteSql(*context.primary, primary, *context.plan_input->primary, sender_sql);
      if (sending.ok() && TrimTrailing(*sending) != "0") return Status::Ok();
      if (!sending.ok()) last_error = sending.status().message();
    } else if (!receiving.ok()) {
      last_error = receiving.status().message();
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return Status::Error(
      context.standby->host_label() + ": the standby " + standby.name + " is not streaming from " +
      primary.name + " after " + std::to_string(timeout.count()) + " s" +
      (last_error.empty() ? "" : " (" + last_error + ")") + "; see the standby's server log");
}

Status ApplyPlan(const Plan& plan, ApplyContext& context, const ApplyTimings& timings) {
  if (!plan.blockers.empty()) return Status::Error("the plan has blockers; nothing was changed");
  std::vector<Change> primary_changes, standby_changes;
  for (const Change& change : ApplyOrder(plan, *context.manifest)) {
    (change.host == context.manifest->primary ? primary_changes : standby_changes)
        .push_back(change);
  }
  // Before a host's files change: the version its server runs with, to go
  // back to if it refuses the new one.
  if (!primary_changes.empty()) {
    Status done = KeepLastGood(context, context.manifest->primary, primary_changes);
    if (done.ok()) done = ApplyChanges(primary_changes, context);
    if (done.ok())
      done = LockStillHeld(context, context.manifest->primary + "'s reload or restart");
    if (done.ok()) done = FinishPrimary(primary_changes, context);
    if (!done.ok()) return done;
  }
  if (!standby_changes.empty()) {
    Status done = KeepLastGood(context, context.manifest->standby, standby_changes);
    if (done.ok()) done = ApplyChanges(standby_changes, context);
    if (done.ok()) {
      done = LockStillHeld(context, context.manifest->standby + "'s start, reload or restart");
    }
    if (done.ok()) done = FinishStandby(standby_changes, context);
    if (!done.ok()) return done;
  }
  // A plan with deferred changes leaves the standby for the next round.
  if (context.manifest->standby_streaming && !plan.changes.empty() && plan.deferred.empty()) {
    if (context.progress) context.progress("waiting for the standby to stream");
    return WaitForStreaming(context, timings.streaming_wait);
  }
  return Status::Ok();
}

}  // namespace pgpair
