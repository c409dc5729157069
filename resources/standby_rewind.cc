#include "resources/standby_rewind.h"

#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/apply/remote_guard.h"
#include "engine/apply/remote_sql.h"
#include "engine/apply/server_control.h"
#include "engine/apply/standby_rewind.sh.inc"
#include "engine/plan/switchover_state.h"
#include "engine/util/shell_quote.h"
#include "engine/util/text.h"
#include "resources/hba_rule.h"
#include "resources/standby_clone.h"

namespace pgpair {
namespace {

constexpr char kKind[] = "standby_rewind";

// Why the new primary needs a CHECKPOINT before pg_rewind reads from it
// (see standby_rewind.h), or nothing: its pg_control's timeline (the last
// checkpoint's) is older than the newest timeline history in its pg_wal,
// or unknown while that history shows a promotion.
std::optional<std::string> SourceCheckpointNeeded(const HostFacts& primary) {
  const auto& fork = primary.replication.timeline_fork;
  if (!fork) return std::nullopt;
  std::optional<int> checkpoint_timeline;
  if (const auto& text = primary.server.timeline) {
    int value = 0;
    auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error == std::errc() && end == text->data() + text->size()) checkpoint_timeline = value;
  }
  if (checkpoint_timeline && *checkpoint_timeline >= fork->timeline) return std::nullopt;
  const std::string& p = primary.name;
  return p + "'s pg_control " +
         (checkpoint_timeline ? "still names timeline " + std::to_string(*checkpoint_timeline)
                              : std::string("names no timeline pgpair could read")) +
         " (no checkpoint since its promotion to timeline " + std::to_string(fork->timeline) +
         "), and pg_rewind reads its source's timeline there: a CHECKPOINT on " + p + " first";
}

// pg_rewind's output without its progress lines ("12/345 kB (3%) copied"):
// what it said, then the step's own message, for an error.
std::string RewindMessages(const std::string& output) {
  std::vector<std::string> kept;
  for (std::string& line : SplitLines(output)) {
    std::string_view text = Trim(line);
    bool progress = text.find(" kB (") != std::string_view::npos && text.size() >= 6 &&
                    text.substr(text.size() - 6) == "copied";
    if (!progress) kept.push_back(std::string(text));
  }
  return Join(kept, "\n");
}

class StandbyRewind final : public TypedResource<StandbyRewindDetails> {
 public:
  const char* kind() const override { return kKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    // The clone decides between keeping, cloning and rewinding, and reports
    // the blockers and notes of all three.
    if (DecideStandbyClone(input).verdict != CloneVerdict::kRewind) return;
    const HostFacts& primary = *input.primary;
    const HostFacts& standby = *input.standby;
    const std::string& p = primary.name;
    const std::string& s = standby.name;
    const std::string& data_dir = *standby.layout.data_dir;
    const bool running = standby.server.running == true;

    Change change;
    change.resource = kKind;
    change.address = std::string(kKind) + "[" + s + "]";
    change.host = s;
    change.action = Action::kUpdate;
    change.before = "system identifier " + standby.server.system_identifier.value_or("unknown") +
                    ", a primary on timeline " + standby.server.timeline.value_or("?");
    change.after = "rewound to " + p + "'s timeline" +
                   (primary.replication.timeline_fork
                        ? " " + std::to_string(primary.replication.timeline_fork->timeline)
                        : std::string()) +
                   ", streaming from it";
    const std::string keep = data_dir + ".pgpair-" + input.timestamp;
    const std::optional<std::string> checkpoint_first = SourceCheckpointNeeded(primary);
    change.reason = s + " ran as a primary after " + p + " was promoted from it (" +
                    DescribeDivergence(primary, standby) + "); " +
                    (checkpoint_first ? *checkpoint_first + "; " : std::string()) +
                    "pg_rewind copies back from " + p +
                    " what changed since the fork, after a dry run that changes nothing; " + s +
                    "'s WAL, with the transactions after the fork, and its configuration files "
                    "are kept in " +
                    keep + " first (never deleted)" +
                    (running ? "; " + s +
                                   " still runs as a primary: it is stopped first (its sessions "
                                   "end), as --allow-overwrite-primary allows"
                             : std::string());
    change.impact = Impact::kRestart;
    change.server_step = ServerStep::kStart;
    SetDetails(change, StandbyRewindDetails{
                           data_dir, keep, *standby.layout.bin_dir,
                           ConfigOutsideDataDir(standby.layout).value_or(""),
                           input.manifest->archive ? input.manifest->archive->dir : "",
                           *standby.server.major, running, checkpoint_first.has_value(),
                           DesiredStandbyConninfo(*input.manifest, primary), input.timestamp});
    plan->changes.push_back(std::move(change));
  }

  Status Perform(const Change& change, const StandbyRewindDetails& rewind,
                 ApplyContext& context) const override {
    const HostSpec* host = context.manifest->FindHost(change.host);
    if (!host) return Status::Error("standby_rewind: no host " + change.host + " in the manifest");
    Transport& transport = context.For(change.host);
    const std::string& label = transport.host_label();
    if (context.replication_password.empty()) {
      return Status::Error(label +
                           ": the replication password is not available; pg_rewind cannot log "
                           "in and nothing was changed");
    }
    auto progress = [&](const std::string& text) {
      if (context.progress) context.progress(label + ": " + text);
    };
    const std::chrono::seconds timeout(host->ssh.command_timeout_seconds);

    // Before anything changes: a failure here leaves both hosts as they were.
    if (rewind.checkpoint_source) {
      const std::string& p = context.manifest->primary;
      const HostSpec* source = context.manifest->FindHost(p);
      if (!source) return Status::Error("standby_rewind: no host " + p + " in the manifest");
      if (context.progress) {
        context.progress(context.For(p).host_label() +
                         ": CHECKPOINT, so that its pg_control names its timeline for pg_rewind");
      }
      Result<std::string> done =
          RunRemoteSql(context.For(p), *source, context.FactsFor(p), "CHECKPOINT;");
      if (!done.ok()) {
        return Status::Error(done.status().message() + "; " + change.host +
                             " was not rewound, and nothing was changed");
      }
    }

    if (rewind.stop_first) {
      progress("stopping the PostgreSQL server, a primary that diverged (its sessions end)");
      Status stopped =
          ControlServer(transport, *host, context.FactsFor(change.host), ServerAction::kStop);
      if (!stopped.ok()) {
        return Status::Error(stopped.message() + "; it was not rewound, and nothing was changed");
      }
    }
    progress("rewinding " + rewind.data_dir + " from " + rewind.primary.host + ":" +
             std::to_string(rewind.primary.port) + " with pg_rewind (its WAL is kept in " +
             rewind.keep + " first)");
    // pg_rewind must not outlive pgpair: guarded by the apply's lease. Its
    // progress lines keep the command alive; only silence ends it.
    Result<ExecResult> rewound = transport.ExecStreaming(
        GuardedCommand(RewindStepScript(rewind, host->postgres.os_user, "rewind"),
                       context.LeasePidFor(change.host)),
        PgpassLine(rewind.primary.host, rewind.primary.port, rewind.primary.user,
                   context.replication_password, kRewindDatabase),
        timeout, [](std::string_view) {});
    if (!rewound.ok()) {
      return Status::Error(rewound.status().message() +
                           "; whether pg_rewind ran is unknown: the server is not started, and "
                           "the next plan sees " +
                           rewind.data_dir + ".pgpair-rewinding if it did");
    }
    if (rewound->exit_status != 0) {
      return Status::Error(label + ": " + RewindMessages(rewound->stderr_text));
    }

    progress("configuring " + rewind.data_dir + " as a standby of " + rewind.primary.host);
    Status configured = WriteStandbyConfig(
        transport, *host, rewind.major, rewind.data_dir, rewind.data_dir + "/postgresql.auto.conf",
        BuildPrimaryConninfo(rewind.primary, context.replication_password), rewind.timestamp);
    if (!configured.ok()) {
      return Status::Error(configured.message() + "; " + rewind.data_dir +
                           " is rewound but not configured as a standby, and is never started "
                           "as it is: the next plan clones it again");
    }
    Result<ExecResult> done =
        transport.Exec(RewindStepScript(rewind, host->postgres.os_user, "done"), "", timeout);
    if (!done.ok() || done->exit_status != 0) {
      return Status::Error(label + ": " + rewind.data_dir +
                           ".pgpair-rewinding cannot be removed: " +
                           (done.ok() ? TrimTrailing(done->stderr_text) : done.status().message()) +
                           "; the next plan clones " + change.host + " again");
    }
    return Status::Ok();
  }
};

}  // namespace

const Resource& StandbyRewindResource() {
  static const StandbyRewind resource;
  return resource;
}

RewindChoice ChooseRewind(const PlanInput& input) {
  const HostFacts& primary = *input.primary;
  const HostFacts& standby = *input.standby;
  const std::string& p = primary.name;
  const std::string& s = standby.name;
  auto no = [](std::string why) { return RewindChoice{false, std::move(why)}; };

  if (!input.manifest->replication || !input.manifest->hba || !input.manifest->hba->address) {
    return no("the manifest declares no replication role and hba rule for it to log in with");
  }
  const std::string& role = input.manifest->replication->role;
  const int major = standby.server.major.value_or(0);
  if (major < 11) {
    return no(major == 0 ? "the major version of " + s + " is unknown"
                         : "pg_rewind of PostgreSQL 10 logs in to its source as a superuser "
                           "only, which pgpair does not create");
  }
  if (standby.layout.rewind_interrupted == true) {
    return no("an earlier pg_rewind of " + s + " did not finish");
  }
  if (!standby.layout.bin_dir || !standby.layout.data_dir) {
    return no("the programs or the data directory of " + s + " are unknown");
  }
  if (standby.layout.pg_rewind != true) {
    return no(*standby.layout.bin_dir + "/pg_rewind does not exist on " + s);
  }
  if (standby.server.wal_log_hints != true && standby.server.data_checksums != true) {
    if (!standby.server.wal_log_hints && !standby.server.data_checksums) {
      return no("whether " + s + " has wal_log_hints or data checksums is unknown");
    }
    return no(s +
              " was last started with wal_log_hints = off and has no data checksums, so "
              "pg_rewind cannot tell which pages changed after the fork");
  }
  if (primary.server.running != true) return no(p + "'s server is not running");
  const RoleFact* fact = primary.FindRole(role);
  if (!fact || fact->rewind_functions != true) {
    return no("role " + role + " may not yet execute pg_rewind's file functions on " + p +
              " (the replication_role change grants them)");
  }
  std::string why;
  if (!RewindLoginAdmittedAfterPlan(input, &why)) {
    return no(p + "'s pg_hba.conf does not admit pg_rewind's login to database " + kRewindDatabase +
              " as " + role + " (" + why + ")");
  }
  return {true, ""};
}

std::string RewindStepScript(const StandbyRewindDetails& rewind, const std::string& os_user,
                             const std::string& step) {
  return ScriptCommand(
      kStandbyRewindScript, "pgpair-standby-rewind",
      {step, rewind.data_dir, rewind.keep, os_user, rewind.bin_dir, rewind.config_file,
       rewind.primary.host, std::to_string(rewind.primary.port), rewind.primary.user,
       rewind.archive_dir});
}

nlohmann::json StandbyRewindDetails::ToJson() const {
  return {{"data_dir", data_dir},        {"keep", keep},
          {"bin_dir", bin_dir},          {"config_file", config_file},
          {"archive_dir", archive_dir},  {"major", major},
          {"stop_first", stop_first},    {"checkpoint_source", checkpoint_source},
          {"primary", primary.ToJson()}, {"timestamp", timestamp}};
}

}  // namespace pgpair
