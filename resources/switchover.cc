#include "resources/switchover.h"

#include <chrono>
#include <cstring>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include "engine/apply/applier.h"
#include "engine/apply/remote_sql.h"
#include "engine/apply/server_control.h"
#include "engine/facts/parsers/pg_control_file.h"
#include "engine/facts/parsers/pg_controldata.h"
#include "engine/facts/standby_state.h"
#include "engine/util/lsn.h"
#include "engine/util/shell_quote.h"
#include "engine/util/sql_quote.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

constexpr char kKind[] = "switchover";
// Marks pg_control read by od rather than by pg_controldata.
constexpr char kOdMark[] = "@@pgpair-pg-control-od";

// Which state the next plan sees when a step is interrupted (pgpair killed,
// a link cut), and what it does; "old" is the old primary (declared
// standby), "new" the future primary (declared primary):
//   checkpoint                old runs as primary, new in recovery: kBothUp,
//                             the whole switchover again.
//   wait_received             kBothUp, reads only. A failure stops nothing:
//                             a standby that does not receive (its link to
//                             old is down, though its WAL receiver has not
//                             noticed yet) would hold old's shutdown until
//                             wal_sender_timeout and then miss its end.
//   stop_old_primary          old still runs (kBothUp) or has stopped
//                             cleanly (kOldPrimaryStopped): pg_ctl's stop
//                             goes on without pgpair.
//   read_shutdown_checkpoint  kOldPrimaryStopped: read again.
//   wait_replay               kOldPrimaryStopped: waited for again. Only
//                             reading until here: a failure starts old
//                             again as the primary (new was never asked to
//                             promote), which is kBothUp.
//   promote                   new promoted or not: kPromoted or
//                             kOldPrimaryStopped. Old stays stopped without
//                             a standby mark, so at most one server takes
//                             writes; no failure from here on is reversed.
//   configure_old_primary     the standby mark is written first: old is
//                             kPromoted (no mark yet) or a stopped standby
//                             of new, which the ordinary plan completes
//                             (recovery_config for primary_conninfo,
//                             server_running for the start).
//   start_old_primary         old runs as a standby, or is a stopped one:
//                             the ordinary plan.
//   wait_streaming, verify_canary  reads only: the ordinary plan.
// Nothing pgpair starts is a primary without the manifest naming it: the
// old primary is started by this change only once it carries the mark of a
// standby, and the engine never starts the declared standby without it
// (engine/apply/server_lifecycle.h).

bool Performs(const SwitchoverDetails& details, const std::string& step) {
  for (const SwitchoverStep& s : details.steps) {
    if (s.name == step) return true;
  }
  return false;
}

std::string RandomToken() {
  std::random_device device;
  std::mt19937_64 generator(device());
  std::ostringstream token;
  token << std::hex << generator() << generator();
  return token.str();
}

std::optional<int> MajorOf(const HostFacts& facts) {
  return facts.server.major ? facts.server.major : StandbyMajor(facts);
}

// The preconditions of a switchover that starts with both servers up.
void AddBothUpBlockers(const PlanInput& input, Plan* plan) {
  const HostFacts& p = *input.primary;
  const HostFacts& s = *input.standby;
  const HostSpec& p_host = input.manifest->primary_host();
  auto block = [&](const std::string& host, const std::string& message) {
    plan->blockers.push_back(
        {host, "switchover from " + s.name + " to " + p.name + ": " + message});
  };
  if (!StandbyStreams(s, p, p_host.address, p.name)) {
    block(p.name, p.name + " does not stream from " + s.name + " (" +
                      WhyNotStreaming(s, p, p_host.address, p.name) + "): it may lack WAL that " +
                      s.name + " has; let it catch up (pgpair check shows it), then plan again");
  }
  std::optional<uint64_t> current =
      s.replication.current_lsn ? ParseLsn(*s.replication.current_lsn) : std::nullopt;
  std::optional<uint64_t> replayed =
      p.replication.replay_lsn ? ParseLsn(*p.replication.replay_lsn) : std::nullopt;
  if (!current || !replayed) {
    block(p.name, "how much WAL " + p.name + " has still to replay is unknown (" + s.name +
                      "'s pg_current_wal_lsn() " + s.replication.current_lsn.value_or("unknown") +
                      ", " + p.name + "'s pg_last_wal_replay_lsn() " +
                      p.replication.replay_lsn.value_or("unknown") + ")");
  } else if (*current > *replayed && *current - *replayed > kMaxReplayLagBytes) {
    block(p.name, p.name + " has replayed up to " + *p.replication.replay_lsn + " but " + s.name +
                      " is at " + *s.replication.current_lsn + " (" +
                      std::to_string((*current - *replayed) / (1024 * 1024)) +
                      " MB behind, more than " + std::to_string(kMaxReplayLagBytes >> 20) +
                      " MB): writes would stop while it catches up; plan again when it has");
  }
  if (const SettingFact* delay = p.FindSetting("recovery_min_apply_delay")) {
    if (delay->value && *delay->value != "0") {
      block(p.name, p.name + " is a delayed standby (recovery_min_apply_delay = " + *delay->value +
                        (delay->unit ? " " + *delay->unit : std::string()) +
                        "): it replays WAL late on purpose, so writes would stop for that long; "
                        "set it to 0 on " +
                        p.name + " first");
    }
  }
  if (s.replication.archive_failing == true) {
    block(s.name, "the archiver of " + s.name +
                      " fails (pg_stat_archiver: its last failure is later than its last "
                      "success): WAL not yet archived would be missing from the archive after "
                      "the switch; fix archive_command (see " +
                      s.name + "'s server log)");
  } else if (s.replication.archive_ready_files &&
             *s.replication.archive_ready_files > kMaxArchiveReadyFiles) {
    block(s.name, std::to_string(*s.replication.archive_ready_files) + " WAL segments of " +
                      s.name + " wait for the archiver (pg_wal/archive_status/*.ready, more than " +
                      std::to_string(kMaxArchiveReadyFiles) +
                      "): a backlog the archive would miss after the switch; plan again once "
                      "it is archived");
  }
}

class Switchover final : public TypedResource<SwitchoverDetails> {
 public:
  const char* kind() const override { return kKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    const HostFacts& p = *input.primary;
    const HostFacts& s = *input.standby;
    const SwitchoverState state = ClassifySwitchover(p, s);
    if (state.stage == SwitchoverStage::kNone) return;
    if (state.stage == SwitchoverStage::kDiverged) {
      // A rejoin, not a switchover: the clone decides (DecideStandbyClone),
      // rewinding or cloning the old primary again, and refuses without
      // --allow-overwrite-primary where that is needed.
      return;
    }
    const size_t blockers_before = plan->blockers.size();
    std::optional<int> p_major = MajorOf(p), s_major = MajorOf(s);
    if (!p_major || !s_major || *p_major != *s_major) {
      plan->blockers.push_back(
          {"", "switchover from " + s.name + " to " + p.name + ": the majors of " + p.name + " (" +
                   (p_major ? std::to_string(*p_major) : "unknown") + ") and " + s.name + " (" +
                   (s_major ? std::to_string(*s_major) : "unknown") +
                   ") must be known and the same"});
    }
    if (!s.layout.data_dir || !s.layout.bin_dir) {
      plan->blockers.push_back({s.name, "switchover from " + s.name + " to " + p.name +
                                            ": the data directory or "
                                            "the PostgreSQL programs (bin_dir) of " +
                                            s.name + " are unknown; declare hosts." + s.name +
                                            ".postgres.data_dir and bin_dir"});
    }
    if (state.stage == SwitchoverStage::kBothUp) AddBothUpBlockers(input, plan);
    if (plan->blockers.size() != blockers_before) return;

    SwitchoverDetails details;
    details.old_primary = s.name;
    details.new_primary = p.name;
    details.stage = SwitchoverStageName(state.stage);
    details.major = *p_major;
    details.old_primary_data_dir = *s.layout.data_dir;
    details.conninfo_file = ConninfoFile(s, *s.layout.data_dir);
    details.conninfo = DesiredStandbyConninfo(*input.manifest, p);
    details.timestamp = input.timestamp;
    const std::string& o = s.name;
    const std::string& n = p.name;
    const std::string replay_wait = std::to_string(details.replay_wait_seconds);
    auto step = [&](const char* name, std::string text) {
      details.steps.push_back({name, std::move(text)});
    };
    if (state.stage == SwitchoverStage::kBothUp) {
      step("checkpoint", "CHECKPOINT on " + o + ", so that its shutdown checkpoint is short");
      step("wait_received", "wait until " + n + " has received " + o +
                                "'s WAL up to there (given up after " +
                                std::to_string(details.receive_stall_seconds) +
                                " s without progress; else nothing is stopped)");
      step("stop_old_primary", "stop " + o + " (fast: its sessions end; it sends its last WAL to " +
                                   n + " before it exits); writes stop here");
    }
    if (state.stage != SwitchoverStage::kPromoted) {
      step("read_shutdown_checkpoint",
           "read " + o + "'s shutdown checkpoint location (pg_controldata: shut down)");
      step("wait_replay", "wait until " + n + " has replayed it (at most " + replay_wait +
                              " s; else " + o + " is started again as the primary)");
      step("promote", std::string("promote ") + n + " (" +
                          (details.major >= 12 ? "pg_promote()" : "pg_ctl promote") +
                          "); writes resume here, on " + n);
    }
    step(
        "configure_old_primary",
        "make " + o + " a standby of " + n + ": " +
            (details.major >= 12 ? "standby.signal and primary_conninfo in " + details.conninfo_file
                                 : std::string("recovery.conf with standby_mode, "
                                               "primary_conninfo and "
                                               "recovery_target_timeline = 'latest'")) +
            " (" + DisplayPrimaryConninfo(details.conninfo) + ")");
    step("start_old_primary", "start " + o + " as a standby");
    step("wait_streaming", "wait until " + o + " streams from " + n + " (at most " +
                               std::to_string(details.streaming_wait_seconds) + " s)");
    step("verify_canary", "write a canary row on " + n + " and read it on " + o);
    switch (state.stage) {
      case SwitchoverStage::kBothUp:
        details.write_downtime = "from " + o + "'s stop to " + n +
                                 "'s promotion: a fast shutdown after a checkpoint, the "
                                 "replay of its last WAL and the promotion, typically under "
                                 "a second, longer with much WAL to replay";
        break;
      case SwitchoverStage::kOldPrimaryStopped:
        details.write_downtime = "writes are down now (" + o + " is stopped) until " + n +
                                 "'s promotion, seconds after apply begins";
        break;
      default:
        details.write_downtime = "none: " + n + " takes writes already";
        break;
    }

    Change change;
    change.address = std::string(kKind) + "[" + o + "->" + n + "]";
    change.host = o;
    change.action = Action::kUpdate;
    change.swaps_roles = true;
    change.before = "primary " + o + ", standby " + n;
    change.after = "primary " + n + ", standby " + o;
    if (state.stage != SwitchoverStage::kBothUp) {
      change.before =
          o + " stopped, " +
          (state.stage == SwitchoverStage::kPromoted ? n + " promoted" : n + " in recovery");
    }
    change.reason =
        "the manifest names " + n + " as the primary, and " + state.how +
        "; write downtime: " + details.write_downtime + "; " + n + " is not restarted; " + o +
        (state.stage == SwitchoverStage::kBothUp ? " is stopped and started" : " is started") +
        " again as a standby";
    for (const SwitchoverStep& step_done : details.steps) change.steps.push_back(step_done.text);
    change.impact = Impact::kRestart;
    change.server_step = ServerStep::kNone;  // the change drives both servers itself
    plan->changes.push_back(Attach(std::move(change), std::move(details)));
  }

  Status Perform(const Change& change, const SwitchoverDetails& d,
                 ApplyContext& context) const override {
    const Manifest& manifest = *context.manifest;
    const HostSpec* old_host = manifest.FindHost(d.old_primary);
    const HostSpec* new_host = manifest.FindHost(d.new_primary);
    if (!old_host || !new_host) return Status::Error(change.address + ": unknown host");
    Transport& old_t = context.For(d.old_primary);
    Transport& new_t = context.For(d.new_primary);
    const HostFacts& old_f = context.FactsFor(d.old_primary);
    const HostFacts& new_f = context.FactsFor(d.new_primary);
    const std::string& o = d.old_primary;
    const std::string& n = d.new_primary;
    auto progress = [&](const std::string& text) {
      if (context.progress) context.progress(text);
    };
    auto lock_held = [&]() -> Status {
      return context.lock_held ? context.lock_held() : Status::Ok();
    };
    if (context.replication_password.empty()) {
      return Status::Error(change.address +
                           ": the replication password is not available; nothing was changed");
    }

    // Until the promotion is asked for, a failure is undone: the old
    // primary starts again as the primary (the future one was never told to
    // promote, so it is still a standby).
    bool old_stopped = d.stage != "both_up";
    auto undo = [&](const Status& failed) -> Status {
      if (!old_stopped) {
        return Status::Error(failed.message() + "; " + o + " still runs as the primary and " + n +
                             " as its standby");
      }
      progress(o + ": starting it again as the primary (" + n + " was not promoted)");
      Status started = ControlServer(old_t, *old_host, old_f, ServerAction::kStart);
      if (started.ok()) {
        return Status::Error(failed.message() + "; the switchover is undone: " + o +
                             " was started again as the primary and " + n +
                             " is still its standby; plan again to retry");
      }
      return Status::Error(failed.message() + "; starting " + o + " again failed too (" +
                           started.message() + "): no server takes writes (" + o + " is stopped, " +
                           n +
                           " is a standby and was not promoted); plan again: the next plan "
                           "completes the switchover");
    };

    if (Performs(d, "checkpoint")) {
      progress(o + ": CHECKPOINT");
      // The location up to which WAL is on disk, and may be sent, after it.
      Result<std::string> flushed =
          RunRemoteSql(old_t, *old_host, old_f, "CHECKPOINT;\nSELECT pg_current_wal_flush_lsn();");
      if (!flushed.ok()) return undo(flushed.status());
      const std::string lsn = TrimTrailing(*flushed);
      if (Performs(d, "wait_received")) {
        progress(n + ": waiting until it has received " + o + "'s WAL up to " + lsn);
        Status received = WaitForReceipt(new_t, *new_host, new_f, lsn, d);
        if (!received.ok()) return undo(received);
      }
    }
    if (Performs(d, "stop_old_primary")) {
      if (Status held = lock_held(); !held.ok()) return undo(held);
      progress(o + ": stopping the primary (fast); writes stop now");
      old_stopped = true;
      Status stopped = ControlServer(old_t, *old_host, old_f, ServerAction::kStop);
      if (!stopped.ok()) return undo(stopped);
    }
    if (Performs(d, "read_shutdown_checkpoint")) {
      Result<std::string> checkpoint = ReadShutdownCheckpoint(old_t, d, old_f);
      if (!checkpoint.ok()) return undo(checkpoint.status());
      progress(o + ": shut down at checkpoint " + *checkpoint);
      progress(n + ": waiting until it has replayed " + *checkpoint + " (at most " +
               std::to_string(d.replay_wait_seconds) + " s)");
      Status replayed = WaitForReplay(new_t, *new_host, new_f, *checkpoint, d);
      if (!replayed.ok()) return undo(replayed);
      if (Status held = lock_held(); !held.ok()) return undo(held);

      // From here on nothing is reversed: the promotion may have happened
      // even when its answer is lost.
      progress(n + ": promoting");
      Status promoted = Promote(new_t, *new_host, new_f, d.major);
      if (!promoted.ok()) {
        return Status::Error(promoted.message() + "; whether " + n +
                             " was promoted is not known: " + o +
                             " stays stopped, so at most one server takes writes; plan again: "
                             "the next plan sees which and completes the switchover");
      }
    }
    const std::string after_promotion = "; " + n + " is the primary; " + o +
                                        " is not yet its streaming standby: plan again, the "
                                        "next plan completes it";
    if (Status held = lock_held(); !held.ok()) {
      return Status::Error(held.message() + after_promotion);
    }
    progress(o + ": configuring it as a standby of " + n);
    Status configured = WriteStandbyConfig(
        old_t, *old_host, d.major, d.old_primary_data_dir, d.conninfo_file,
        BuildPrimaryConninfo(d.conninfo, context.replication_password), d.timestamp);
    if (!configured.ok()) return Status::Error(configured.message() + after_promotion);
    if (Status held = lock_held(); !held.ok()) {
      return Status::Error(held.message() + after_promotion);
    }
    progress(o + ": starting it as a standby");
    Status started = ControlServer(old_t, *old_host, old_f, ServerAction::kStart);
    if (!started.ok()) return Status::Error(started.message() + after_promotion);
    progress("waiting until " + o + " streams from " + n + " (at most " +
             std::to_string(d.streaming_wait_seconds) + " s)");
    Status streaming = WaitForStreaming(context, std::chrono::seconds(d.streaming_wait_seconds));
    if (!streaming.ok()) return Status::Error(streaming.message() + after_promotion);
    Status canary = VerifyCanary(new_t, *new_host, new_f, old_t, *old_host, old_f);
    if (!canary.ok()) return Status::Error(canary.message() + after_promotion);
    progress("canary row written on " + n + " read on " + o);
    return Status::Ok();
  }

 private:
  // The old primary's latest checkpoint, which must be a shutdown
  // checkpoint of a primary: its last WAL record.
  static Result<std::string> ReadShutdownCheckpoint(Transport& transport,
                                                    const SwitchoverDetails& d,
                                                    const HostFacts& facts) {
    // pg_controldata of the cluster's major, else pg_control's leading
    // fields as the facts read them (engine/facts/parsers/pg_control_file.h).
    const std::string tool = facts.layout.bin_dir.value_or("") + "/pg_controldata";
    const std::string file = d.old_primary_data_dir + "/global/pg_control";
    const std::string command =
        "if [ -x " + ShellQuote(tool) + " ]; then LC_ALL=C " + ShellQuote(tool) + " " +
        ShellQuote(d.old_primary_data_dir) + "; else echo " + kOdMark + " && od -An -t u8 -N 8 " +
        ShellQuote(file) + " && od -An -v -t u4 -j 8 -N 56 " + ShellQuote(file) +
        " && od -An -t u8 -j 32 -N 8 " + ShellQuote(file) + "; fi";
    Result<ExecResult> run = transport.Exec(command, "", std::chrono::seconds(30));
    if (!run.ok()) return run.status();
    if (run->exit_status != 0) {
      return Status::Error(transport.host_label() + ": reading " + file +
                           " failed: " + TrimTrailing(run->stderr_text));
    }
    const std::string& out = run->stdout_text;
    const bool od = out.rfind(kOdMark, 0) == 0;
    Result<ControlData> control =
        od ? ParsePgControlFile(std::string_view(out).substr(std::strlen(kOdMark)))
           : ParsePgControldata(out);
    if (!control.ok()) return control.status().WithContext(transport.host_label());
    if (control->cluster_state != std::string("shut down") ||
        !control->latest_checkpoint_location) {
      return Status::Error(transport.host_label() + ": " + d.old_primary +
                           " did not shut down cleanly as a primary (pg_controldata: " +
                           control->cluster_state.value_or("no state") +
                           "), so its last WAL location is not known");
    }
    return *control->latest_checkpoint_location;
  }

  // The future primary's WAL receiver has written `lsn` to disk
  // (pg_last_wal_receive_lsn()). Given up once the receipt has not moved
  // for d.receive_stall_seconds: a slow link that delivers is waited for,
  // a dead one is not.
  static Status WaitForReceipt(Transport& transport, const HostSpec& host, const HostFacts& facts,
                               const std::string& lsn, const SwitchoverDetails& d) {
    std::optional<uint64_t> target = ParseLsn(lsn);
    if (!target) {
      return Status::Error(transport.host_label() + ": " + d.old_primary +
                           "'s WAL location after the CHECKPOINT is not one (" + lsn + ")");
    }
    const std::string sql = "SELECT pg_last_wal_receive_lsn();";
    const auto stall = std::chrono::seconds(d.receive_stall_seconds);
    auto deadline = std::chrono::steady_clock::now() + stall;
    std::optional<uint64_t> best;
    std::string last = "not asked";
    while (std::chrono::steady_clock::now() < deadline) {
      Result<std::string> answer = RunRemoteSql(transport, host, facts, sql);
      if (answer.ok()) {
        last = TrimTrailing(*answer);
        std::optional<uint64_t> received = ParseLsn(last);
        if (received && *received >= *target) return Status::Ok();
        if (received && (!best || *received > *best)) {
          best = received;
          deadline = std::chrono::steady_clock::now() + stall;
        }
        if (last.empty()) last = "none: its WAL receiver has received nothing";
      } else {
        last = answer.status().message();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Status::Error(
        transport.host_label() + ": " + d.new_primary + " has not received " + d.old_primary +
        "'s WAL up to " + lsn + " (pg_last_wal_receive_lsn(): " + last + "; no progress for " +
        std::to_string(d.receive_stall_seconds) + " s): its replication connection to " +
        d.old_primary + " does not deliver, so " + d.old_primary + " was not stopped");
  }

  // Bounded: the future primary's replay has passed the shutdown
  // checkpoint's record (pg_last_wal_replay_lsn() is the end of the last
  // record replayed), so it has every record the old primary wrote.
  static Status WaitForReplay(Transport& transport, const HostSpec& host, const HostFacts& facts,
                              const std::string& checkpoint, const SwitchoverDetails& d) {
    const std::string sql = "SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() > " +
                            QuoteSqlLiteral(checkpoint) + "::pg_lsn;";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(d.replay_wait_seconds);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      Result<std::string> answer = RunRemoteSql(transport, host, facts, sql);
      if (answer.ok() && TrimTrailing(*answer) == "t") return Status::Ok();
      last = answer.ok() ? "not yet" : answer.status().message();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Status::Error(transport.host_label() + ": " + d.new_primary +
                         " has not replayed the shutdown checkpoint " + checkpoint + " of " +
                         d.old_primary + " within " + std::to_string(d.replay_wait_seconds) +
                         " s (" + last + "); it is not promoted");
  }

  static Status Promote(Transport& transport, const HostSpec& host, const HostFacts& facts,
                        int major) {
    if (major >= 12) {
      Result<std::string> answer =
          RunRemoteSql(transport, host, facts, "SELECT pg_promote(true, 60);");
      if (!answer.ok()) return answer.status();
      if (TrimTrailing(*answer) != "t") {
        return Status::Error(transport.host_label() + ": pg_promote() did not finish within 60 s");
      }
    } else {
      Status promoted = ControlServer(transport, host, facts, ServerAction::kPromote);
      if (!promoted.ok()) return promoted;
    }
    Result<std::string> recovery =
        RunRemoteSql(transport, host, facts, "SELECT pg_is_in_recovery();");
    if (!recovery.ok()) return recovery.status();
    if (TrimTrailing(*recovery) != "f") {
      return Status::Error(transport.host_label() + ": still in recovery after the promotion");
    }
    return Status::Ok();
  }

  // verify's canary (engine/cli/verify_command.cc), the same table.
  static Status VerifyCanary(Transport& primary, const HostSpec& primary_host,
                             const HostFacts& primary_facts, Transport& standby,
                             const HostSpec& standby_host, const HostFacts& standby_facts) {
    const std::string token = RandomToken();
    Result<std::string> written = RunRemoteSql(
        primary, primary_host, primary_facts,
        "CREATE TABLE IF NOT EXISTS pgpair_canary (id int PRIMARY KEY, token text NOT NULL, "
        "written_at timestamptz NOT NULL);\n"
        "INSERT INTO pgpair_canary VALUES (1, " +
            QuoteSqlLiteral(token) +
            ", clock_timestamp()) ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, "
            "written_at = EXCLUDED.written_at;\n");
    if (!written.ok()) return written.status();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      Result<std::string> read = RunRemoteSql(standby, standby_host, standby_facts,
                                              "SELECT token FROM pgpair_canary WHERE id = 1;");
      if (read.ok() && TrimTrailing(*read) == token) return Status::Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Status::Error(standby.host_label() + ": the canary row written on " + primary_host.name +
                         " was not read on " + standby_host.name + " within 30 s");
  }
};

}  // namespace

const Resource& SwitchoverResource() {
  static const Switchover resource;
  return resource;
}

nlohmann::json SwitchoverDetails::ToJson() const {
  nlohmann::json step_list = nlohmann::json::array();
  for (const SwitchoverStep& step : steps) {
    step_list.push_back({{"name", step.name}, {"text", step.text}});
  }
  return {{"old_primary", old_primary},
          {"new_primary", new_primary},
          {"stage", stage},
          {"steps", step_list},
          {"major", major},
          {"old_primary_data_dir", old_primary_data_dir},
          {"conninfo_file", conninfo_file},
          {"conninfo", conninfo.ToJson()},
          {"timestamp", timestamp},
          {"write_downtime", write_downtime},
          {"receive_stall_seconds", receive_stall_seconds},
          {"replay_wait_seconds", replay_wait_seconds},
          {"streaming_wait_seconds", streaming_wait_seconds}};
}

}  // namespace pgpair
