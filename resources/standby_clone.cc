#include "resources/standby_clone.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string_view>
#include <utility>

#include "engine/apply/clone_progress.h"
#include "engine/apply/remote_guard.h"
#include "engine/apply/remote_sql.h"
#include "engine/apply/server_control.h"
#include "engine/apply/standby_clone.sh.inc"
#include "engine/apply/standby_setup.h"
#include "engine/facts/standby_state.h"
#include "engine/plan/switchover_state.h"
#include "engine/util/shell_quote.h"
#include "engine/util/text.h"
#include "resources/standby_rewind.h"

namespace pgpair {
namespace {

constexpr char kKind[] = "standby_clone";

// Runs one step of engine/apply/standby_clone.sh on the standby; under the
// remote guard (engine/apply/remote_guard.h) when `lease_pid` is given, so
// that the step ends with pgpair.
Result<ExecResult> RunCloneStep(Transport& transport, const StandbyCloneDetails& clone,
                                const HostSpec& host, const std::string& step,
                                const std::string& stdin_data, long long copy_kb = 0,
                                std::optional<int> lease_pid = std::nullopt,
                                const Transport::OutputSink& on_stderr = {}) {
  return transport.ExecStreaming(
      GuardedCommand(CloneStepScript(clone, host.postgres.os_user, step, copy_kb), lease_pid),
      stdin_data, std::chrono::seconds(host.ssh.command_timeout_seconds), on_stderr);
}

// Room for the WAL that pg_basebackup -X stream writes into the copy while
// it runs, beyond the primary's tablespaces.
constexpr long long kWalRoomKb = 64 * 1024;

// The room a copy of the primary takes on the standby, in KiB: what
// pg_basebackup writes into the data directory (the default and global
// tablespaces; others go to their own paths), and kWalRoomKb.
Result<long long> CopyRoomKb(ApplyContext& context) {
  const std::string& p = context.manifest->primary;
  const HostSpec* primary = context.manifest->FindHost(p);
  if (!primary) return Status::Error("standby_clone: no host " + p + " in the manifest");
  Result<std::string> bytes =
      RunRemoteSql(context.For(p), *primary, context.FactsFor(p),
                   "SELECT pg_tablespace_size('pg_default') + pg_tablespace_size('pg_global');");
  if (!bytes.ok()) return bytes.status();
  const std::string text(Trim(*bytes));
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Error(context.For(p).host_label() + ": the size of its tablespaces reads as '" +
                         text + "'");
  }
  return std::stoll(text) / 1024 + kWalRoomKb;
}

// How often the copy's progress is told: often enough to see it move, rarely
// enough that a log of a long clone stays short.
constexpr std::chrono::seconds kProgressInterval{3};

bool DataDirMissing(const HostFacts& standby) { return standby.layout.data_dir_exists == false; }

class StandbyClone final : public TypedResource<StandbyCloneDetails> {
 public:
  const char* kind() const override { return kKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    CloneDecision decision = DecideStandbyClone(input);
    if (decision.change) plan->changes.push_back(std::move(*decision.change));
    for (Blocker& blocker : decision.blockers) plan->blockers.push_back(std::move(blocker));
    for (std::string& note : decision.notes) plan->notes.push_back(std::move(note));
    if (decision.verdict == CloneVerdict::kDeferred) {
      plan->deferred.push_back(std::string(kKind) + "[" + input.standby->name + "]");
    }
  }

  // The copy is made beside the data directory and configured there; the
  // data directory changes only in the last step, two renames that finish
  // on their own. Any failure before it leaves the standby as it was.
  Status Perform(const Change& change, const StandbyCloneDetails& clone,
                 ApplyContext& context) const override {
    const HostSpec* host = context.manifest->FindHost(change.host);
    if (!host) return Status::Error("standby_clone: no host " + change.host + " in the manifest");
    Transport& transport = context.For(change.host);
    const std::string& label = transport.host_label();
    const std::string& data_dir = clone.data_dir;
    const std::string staging = data_dir + ".pgpair-staging";
    const std::string unchanged = data_dir + " is unchanged";
    if (context.replication_password.empty()) {
      return Status::Error(label +
                           ": the replication password is not available; the standby "
                           "is not cloned and nothing was changed");
    }
    auto progress = [&](const std::string& text) {
      if (context.progress) context.progress(label + ": " + text);
    };
    const std::string& primary_host = clone.primary.host;
    const int primary_port = clone.primary.port;

    progress("copying " + primary_host + ":" + std::to_string(primary_port) +
             " with pg_basebackup into " + staging + " (" + data_dir +
             " stays as it is until the copy is complete; pgpair gives up after " +
             std::to_string(host->ssh.command_timeout_seconds) +
             " s without progress, ssh.command_timeout)");
    // pg_basebackup is the long step that must not outlive pgpair: guarded.
    // The renames of "ready" and "swap" finish on their own, unguarded.
    // Its progress is read from its own output as it runs: no query of the
    // primary, no round trip added.
    using Clock = CloneProgressReporter::Clock;
    CloneProgressReporter reporter(progress, kProgressInterval, context.manifest->primary,
                                   Clock::now());
    Result<long long> room = CopyRoomKb(context);
    if (!room.ok()) {
      return Status::Error(room.status().message() + "; the room the copy needs on " + change.host +
                           " is unknown, so it was not made, and " + unchanged);
    }
    Result<ExecResult> staged = RunCloneStep(
        transport, clone, *host, "stage",
        PgpassLine(primary_host, primary_port, clone.primary.user, context.replication_password),
        *room, context.LeasePidFor(change.host),
        [&reporter](std::string_view piece) { reporter.Feed(piece, Clock::now()); });
    if (!staged.ok()) {
      return Status::Error(staged.status().message() + "; the copy did not finish and " +
                           unchanged + " (the partial copy in " + staging +
                           ", if any, is removed by the next clone)");
    }
    if (staged->exit_status != 0) {
      reporter.Feed("\n", Clock::now());
      return Status::Error(label + ": " + TrimTrailing(reporter.other_text()) + "; " + unchanged);
    }
    reporter.Finish(Clock::now());

    progress("configuring the copy as a standby of " + primary_host);
    Status configured = WriteStandbyConfig(
        transport, *host, clone.major, staging, staging + "/postgresql.auto.conf",
        BuildPrimaryConninfo(clone.primary, context.replication_password), clone.timestamp);
    if (!configured.ok()) {
      return Status::Error(configured.message() + "; the copy in " + staging +
                           " is not configured as a standby and is never started; " + unchanged);
    }
    Result<ExecResult> marked = RunCloneStep(transport, clone, *host, "ready", "");
    if (!marked.ok() || marked->exit_status != 0) {
      return Status::Error(
          label + ": the copy cannot be marked complete: " +
          (marked.ok() ? TrimTrailing(marked->stderr_text) : marked.status().message()) + "; " +
          unchanged);
    }

    // Stopping a server that is already stopped fails with some service
    // managers; that is fine: the swap refuses a data directory that a live
    // postmaster uses.
    progress("stopping the PostgreSQL server (waiting at most " +
             std::to_string(ServerWaitsFor(*host, ServerAction::kStop).pg_ctl_seconds) +
             " s for it to stop)");
    Status stopped =
        ControlServer(transport, *host, context.FactsFor(change.host), ServerAction::kStop);
    progress(
        "putting the copy in place" +
        (change.before ? " (" + data_dir + " is moved to " + clone.aside + ")" : std::string()));
    Result<ExecResult> swapped = RunCloneStep(transport, clone, *host, "swap", "");
    if (!swapped.ok()) {
      return Status::Error(swapped.status().message() +
                           "; whether the copy was put in place is unknown: plan again to see");
    }
    if (swapped->exit_status != 0) {
      std::string message = label + ": " + TrimTrailing(swapped->stderr_text);
      if (!stopped.ok()) message += " (the stop before it failed: " + stopped.message() + ")";
      return Status::Error(message);
    }
    return Status::Ok();
  }
};

// listen_addresses as pg_settings shows it, naming no address another host
// can reach: empty (Unix sockets only) or loopback names alone.
bool ListensOnLoopbackOnly(const std::string& value) {
  std::vector<std::string> names = Split(value, ',');
  for (std::string& name : names) name = std::string(Trim(name));
  for (const std::string& name : names) {
    if (!name.empty() && name != "localhost" && name != "127.0.0.1" && name != "::1") {
      return false;
    }
  }
  return true;
}

}  // namespace

const Resource& StandbyCloneResource() {
  static const StandbyClone resource;
  return resource;
}

CloneDecision DecideStandbyClone(const PlanInput& input) {
  CloneDecision decision;
  const HostFacts& primary = *input.primary;
  const HostFacts& standby = *input.standby;
  const std::string& p = primary.name;
  const std::string& s = standby.name;
  auto block = [&](const std::string& host, std::string message) {
    decision.blockers.push_back({host, std::move(message)});
    decision.verdict = CloneVerdict::kBlocked;
  };

  if (primary.server.running != true && primary.server.running != false) {
    block(p, "whether the primary's server runs is unknown; cannot plan the standby");
    return decision;
  }
  if (!primary.server.system_identifier || !primary.server.major) {
    block(p,
          "the primary's system identifier or major version is unknown; cannot plan the "
          "standby");
    return decision;
  }
  const std::string& primary_id = *primary.server.system_identifier;
  const int major = *primary.server.major;

  // Checked before anything else of the standby: a plan that cannot end in
  // a working standby must not start by changing it.
  std::optional<int> standby_major = StandbyMajor(standby);
  if (!standby_major) {
    block(s, "the PostgreSQL major version of " + s +
                 " is unknown (no PG_VERSION in its data directory and no Debian cluster "
                 "name); cannot check that it matches " +
                 p + "'s " + std::to_string(major));
  } else if (*standby_major != major) {
    block("", p + " runs PostgreSQL " + std::to_string(major) + " but " + s + "'s cluster is " +
                  std::to_string(*standby_major) +
                  ": a standby must run its primary's major version; install PostgreSQL " +
                  std::to_string(major) + " on " + s + " and declare its cluster in the manifest");
  }
  const auto& primary_arch = primary.os.architecture;
  const auto& standby_arch = standby.os.architecture;
  if (primary_arch && standby_arch && *primary_arch != *standby_arch) {
    block("", p + " is " + *primary_arch + " but " + s + " is " + *standby_arch +
                  ": physical replication copies data files byte for byte and fails across "
                  "architectures; the standby needs a host of " +
                  p + "'s architecture");
  } else if (!primary_arch || !standby_arch) {
    decision.notes.push_back("the architecture of " + (primary_arch ? s : p) +
                             " is unknown; pgpair cannot check that both hosts share one");
  }
  if (decision.verdict == CloneVerdict::kBlocked) return decision;
  // The old primary of a switchover becomes a standby without a new copy
  // (resources/switchover.h); it is not a split brain.
  if (SwitchoverPending(primary, standby)) {
    decision.verdict = CloneVerdict::kSwitchover;
    return decision;
  }

  if (!standby.layout.data_dir) {
    block(s, "the data directory of " + s +
                 " is unknown (no cluster found); declare "
                 "hosts." +
                 s + ".postgres.cluster or data_dir in the manifest");
    return decision;
  }
  const std::string& data_dir = *standby.layout.data_dir;
  const std::string aside = data_dir + ".pgpair-" + input.timestamp;
  const StandbyConninfo conninfo = DesiredStandbyConninfo(*input.manifest, primary);
  const std::vector<std::string> leftovers =
      standby.layout.clone_leftovers.value_or(std::vector<std::string>());
  const std::string leftover_text = Join(leftovers, " and ");
  const std::vector<CarriedConfigFile> carried = CarriedConfigFiles(standby, data_dir);
  // A primary that keeps its configuration outside its data directory
  // (Debian's) gives a copy without any: the standby's own are carried in.
  const std::optional<std::string> primary_config = ConfigOutsideDataDir(primary.layout);
  std::string carried_text;
  if (!carried.empty() && primary_config) {
    std::vector<std::string> names;
    for (const CarriedConfigFile& file : carried) names.push_back(file.name);
    carried_text = "; " + p + " keeps its configuration outside its data directory (" +
                   *primary_config + "), so the copy holds none of its own: " + s + "'s " +
                   Join(names, ", ") + " are carried into it from " + data_dir;
  }

  auto replace = [&](std::optional<std::string> before, std::string why) {
    if (primary.server.running == false) {
      // The primary's own changes, its start among them, are still planned.
      decision.verdict = CloneVerdict::kDeferred;
      decision.notes.push_back(s + " needs a new copy of " + p + " (" + why +
                               "), which waits: " + p +
                               "'s server is stopped; apply starts it first and then clones " + s);
      return;
    }
    if (!standby.layout.bin_dir) {
      block(s, "the PostgreSQL programs of " + s + " were not found (no bin_dir), so " + s +
                   " cannot be cloned; install PostgreSQL " + std::to_string(major) +
                   " or declare hosts." + s + ".postgres.bin_dir");
      return;
    }
    if (input.timestamp.empty()) {
      block(s, "internal error: no timestamp to name the moved-aside data directory");
      return;
    }
    if (standby.layout.data_dir_mount_point == true) {
      const size_t slash = data_dir.find_last_of('/');
      const std::string parent =
          slash == std::string::npos || slash == 0 ? std::string("/") : data_dir.substr(0, slash);
      block(s, s + " needs a new copy of " + p + " (" + why + "), but " + data_dir +
                   " is a mount point: pgpair makes the copy beside it and puts it in place by "
                   "renaming, which a mount point does not allow; mount the volume on " +
                   parent + " instead, with the data directory inside it");
      return;
    }
    if (!carried_text.empty() && DataDirMissing(standby)) {
      std::vector<std::string> names;
      for (const CarriedConfigFile& file : carried) {
        if (file.required) names.push_back(data_dir + "/" + file.name);
      }
      block(s, s + "'s server reads its configuration from its data directory (" +
                   Join(names, ", ") + "), which does not exist, and a copy of " + p +
                   " brings none (" + p + " keeps its configuration in " + *primary_config +
                   "); create " + s + "'s cluster first (initdb), or declare " + s +
                   "'s config_file and hba_file outside its data directory");
      return;
    }
    Change change;
    change.resource = kKind;
    change.address = std::string(kKind) + "[" + s + "]";
    change.host = s;
    change.action = Action::kReplace;
    change.before = std::move(before);
    change.after = "copy of " + p + " (system identifier " + primary_id + ")";
    change.reason = std::move(why) + "; a copy of " + p + " is taken with pg_basebackup into " +
                    data_dir + ".pgpair-staging and configured as its standby, then " +
                    (DataDirMissing(standby) ? "put in place"
                                             : data_dir + " is moved to " + aside +
                                                   " (never deleted) and the copy put in place");
    change.reason += carried_text;
    if (!leftovers.empty()) {
      change.reason +=
          "; " + leftover_text + ", left by an interrupted clone (never started), is removed first";
    }
    change.impact = Impact::kReclone;
    // The copy is left stopped: it starts once the standby's other changes
    // are written.
    change.server_step = ServerStep::kStart;
    SetDetails(change, StandbyCloneDetails{data_dir, aside, *standby.layout.bin_dir, major,
                                           conninfo, input.timestamp, carried});
    decision.change = std::move(change);
    decision.verdict = CloneVerdict::kReplace;
  };

  const StandbyDataState state = ClassifyStandbyData(primary, standby);
  const std::string before =
      "system identifier " + standby.server.system_identifier.value_or("unknown");
  if (standby.layout.rewind_interrupted == true) {
    replace(before + ", rewind interrupted",
            s + "'s data directory " + data_dir +
                " was being rewound by pg_rewind, which did not "
                "finish (" +
                data_dir +
                ".pgpair-rewinding): it may be inconsistent and is never "
                "started as it is");
    return decision;
  }
  switch (state.kind) {
    case StandbyData::kMissing:
      replace(std::nullopt, s + "'s data directory " + data_dir + " does not exist");
      return decision;
    case StandbyData::kOtherCluster: {
      std::string why = s + "'s data directory belongs to another cluster (system identifier " +
                        *standby.server.system_identifier + ", primary has " + primary_id + ")";
      if (standby.server.running == true && standby.server.in_recovery == false) {
        why += "; " + s +
               " runs as a primary (not in recovery) with its own data, which is "
               "moved aside";
      }
      replace(before, why);
      return decision;
    }
    case StandbyData::kUnstartedCopy:
      replace(before + ", never started",
              s + "'s data directory " + data_dir + " " + state.how +
                  ": it may be incomplete, and started as it is it would come up as a second "
                  "primary");
      return decision;
    case StandbyData::kPromoted: {
      std::string risk = s + " " + state.how + ", with " + p + "'s system identifier " +
                         primary_id +
                         ": it was promoted, and two primaries of one cluster are a "
                         "split brain (" +
                         DescribeDivergence(primary, standby) + ")";
      // The manifest follows the failover: the declared primary was
      // promoted from this host's timeline. Otherwise the declared standby
      // may hold the writes made since the failover.
      const bool follows_failover = PromotedFrom(primary, standby);
      const bool takes_writes = standby.server.running == true;
      const RewindChoice rewind = ChooseRewind(input);
      const std::string how = rewind.possible ? "rewind it from " + p + " with pg_rewind"
                                              : "clone it from " + p + " again";
      if (!input.allow_overwrite_primary && (takes_writes || !follows_failover)) {
        std::string advice =
            follows_failover
                ? "; to stop " + s +
                      " (its sessions end), discard what it wrote after the fork and " + how +
                      ", plan with --allow-overwrite-primary"
                : "; if " + s +
                      " is now the primary, swap primary and standby in the manifest; to discard " +
                      s + "'s data and " + how + ", plan with --allow-overwrite-primary";
        block(s, risk + advice);
        return decision;
      }
      if (rewind.possible) {
        decision.verdict = CloneVerdict::kRewind;
        return decision;
      }
      replace(
          before + ", a primary",
          risk + "; pg_rewind cannot rejoin it (" + rewind.why_not + ")" +
              (input.allow_overwrite_primary ? "; --allow-overwrite-primary discards its own data"
                                             : std::string()) +
              (takes_writes
                   ? std::string("; ") + s + "'s server is stopped first (its sessions end)"
                   : std::string()));
      return decision;
    }
    case StandbyData::kUnknown:
      if (!standby.server.system_identifier) {
        block(s, "the system identifier of " + s + "'s data directory " + data_dir +
                     " is unknown, so pgpair cannot tell whether it is a copy of " + p +
                     "; check it with pg_controldata");
        return decision;
      }
      decision.verdict = CloneVerdict::kUnknown;
      decision.notes.push_back(s + " " + state.how + "; its standby configuration is not planned");
      return decision;
    case StandbyData::kStandby:
      break;
  }

  decision.verdict = CloneVerdict::kKeep;
  if (!leftovers.empty()) {
    decision.notes.push_back(s + ": " + leftover_text +
                             " is a copy left by an interrupted clone (never started); the next "
                             "clone removes it, or remove it by hand");
  }
  const std::string why = WhyNotStreaming(primary, standby, input.manifest->standby_host().address,
                                          input.manifest->standby);
  bool conninfo_right = standby.recovery.primary_conninfo &&
                        PrimaryConninfoMatches(*standby.recovery.primary_conninfo, conninfo);
  if (standby.server.running == true && !why.empty() && conninfo_right &&
      primary.server.running == true) {
    std::string cause = "it may be catching up from the archive or reconnecting";
    const SettingFact* listen = primary.FindSetting("listen_addresses");
    if (input.login_check && !input.login_check->succeeded) {
      cause = "the replication login from " + s + " fails: " + input.login_check->message;
    } else if (listen && listen->value && ListensOnLoopbackOnly(*listen->value)) {
      cause = p + " listens on " + (listen->value->empty() ? "no TCP address" : *listen->value) +
              " only (listen_addresses), so " + s + " cannot reach it";
    }
    decision.notes.push_back(s + " is a standby of " + p + " but not streaming (" + why + "); " +
                             cause + "; pgpair check reports its progress");
  }
  return decision;
}

std::vector<CarriedConfigFile> CarriedConfigFiles(const HostFacts& standby,
                                                  const std::string& data_dir) {
  std::vector<CarriedConfigFile> files;
  const auto& layout = standby.layout;
  std::string config = layout.config_file ? PathInside(*layout.config_file, data_dir) : "";
  if (!config.empty()) files.push_back({config, true});
  std::string hba = layout.hba_file ? PathInside(*layout.hba_file, data_dir) : "";
  if (!hba.empty() && hba != config) files.push_back({hba, true});
  // ident_file is not among the facts; beside a postgresql.conf in the data
  // directory it is there by default, and a server starts without it.
  if (!config.empty()) {
    const size_t slash = config.rfind('/');
    std::string ident =
        (slash == std::string::npos ? "" : config.substr(0, slash + 1)) + "pg_ident.conf";
    if (ident != hba) files.push_back({ident, false});
  }
  return files;
}

std::string CloneStepScript(const StandbyCloneDetails& clone, const std::string& os_user,
                            const std::string& step, long long copy_kb) {
  std::vector<std::string> arguments = {step,
                                        clone.data_dir,
                                        clone.aside,
                                        os_user,
                                        clone.bin_dir + "/pg_basebackup",
                                        clone.primary.host,
                                        std::to_string(clone.primary.port),
                                        clone.primary.user,
                                        std::to_string(std::max(0LL, copy_kb))};
  for (const CarriedConfigFile& file : clone.carried_config) {
    arguments.push_back((file.required ? "required:" : "optional:") + file.name);
  }
  return ScriptCommand(kStandbyCloneScript, "pgpair-standby-clone", arguments);
}

nlohmann::json StandbyCloneDetails::ToJson() const {
  nlohmann::json carried = nlohmann::json::array();
  for (const CarriedConfigFile& file : carried_config) {
    carried.push_back({{"name", file.name}, {"required", file.required}});
  }
  return {{"data_dir", data_dir},        {"aside", aside},
          {"bin_dir", bin_dir},          {"major", major},
          {"primary", primary.ToJson()}, {"timestamp", timestamp},
          {"carried_config", carried}};
}

}  // namespace pgpair
