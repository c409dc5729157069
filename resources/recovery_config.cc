#include "resources/recovery_config.h"

#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "engine/apply/standby_setup.h"
#include "engine/facts/parsers/conninfo.h"
#include "engine/facts/setting_value.h"
#include "engine/facts/standby_state.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

constexpr char kKind[] = "recovery_config";

std::string DisplayActual(const std::string& conninfo) {
  return conninfo.empty() ? "primary_conninfo empty"
                          : "primary_conninfo '" + RedactConninfo(conninfo) + "'";
}

bool Has(const std::vector<std::string>& steps, const char* step) {
  for (const std::string& s : steps) {
    if (s == step) return true;
  }
  return false;
}

// A step as people read it in apply's progress (the plan's JSON keeps the
// step names).
std::string StepPhrase(const std::string& step) {
  if (step == kMoveRecoveryConf) return "move recovery.conf aside";
  if (step == kCreateStandbySignal) return "create standby.signal";
  if (step == kWriteConninfo) return "write primary_conninfo";
  if (step == kWriteRecoveryConf) return "write recovery.conf";
  if (step == kRemoveStandbySignal) return "remove standby.signal";
  return step;
}

// Whether the password stored in the standby's primary_conninfo is known to
// differ from the manifest's; both are compared as digests, never shown.
bool StoredPasswordDiffers(const HostFacts& standby, const PlanInput& input) {
  const RecoveryFacts& recovery = standby.recovery;
  return input.replication_password_sha256 && recovery.primary_conninfo_password_sha256 &&
         *recovery.primary_conninfo_password_sha256 != *input.replication_password_sha256;
}

constexpr char kPasswordDiffers[] =
    "the password in primary_conninfo is not the manifest's replication.password (was it "
    "rotated?): the standby could not log in again at its next connection";

class RecoveryConfig final : public TypedResource<RecoveryConfigDetails> {
 public:
  const char* kind() const override { return kKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    // A standby that is cloned gets its configuration from the clone; one
    // that is anything else is explained by standby_clone.
    const HostFacts& standby = *input.standby;
    if (ClassifyStandbyData(*input.primary, standby).kind != StandbyData::kStandby) return;
    const std::string& name = standby.name;
    if (!standby.server.major || !standby.layout.data_dir) {
      plan->notes.push_back(name +
                            ": the PostgreSQL major version or the data directory is "
                            "unknown; the recovery configuration is not checked");
      return;
    }
    const int major = *standby.server.major;
    const std::string& data_dir = *standby.layout.data_dir;
    const StandbyConninfo desired = DesiredStandbyConninfo(*input.manifest, *input.primary);
    const bool running = standby.server.running.value_or(false);

    std::vector<std::string> steps, before, after, reasons;
    Impact impact = Impact::kNone;
    Change change;
    RecoveryConfigDetails details;

    if (major >= 12) {
      if (!standby.recovery.recovery_conf || !standby.recovery.standby_signal) {
        plan->notes.push_back(name + ": whether standby.signal and recovery.conf exist in " +
                              data_dir + " is unknown; the recovery configuration is not checked");
        return;
      }
      if (*standby.recovery.recovery_conf) {
        std::string aside = data_dir + "/recovery.conf.pgpair-" + input.timestamp;
        steps.push_back(kMoveRecoveryConf);
        before.push_back("recovery.conf present");
        after.push_back("recovery.conf moved to " + aside);
        reasons.push_back("PostgreSQL " + std::to_string(major) + " refuses to start while " +
                          data_dir + "/recovery.conf exists; it is moved to " + aside +
                          ", not deleted");
        details.recovery_conf_aside = aside;
      }
      if (!*standby.recovery.standby_signal) {
        steps.push_back(kCreateStandbySignal);
        before.push_back("no standby.signal");
        after.push_back("standby.signal");
        reasons.push_back(
            running ? name + " runs in recovery but " + data_dir +
                          " has no standby.signal; the server reads it at startup only, so "
                          "nothing changes now, but without it the next start would come up "
                          "as a primary"
                    : name + " is stopped and " + data_dir +
                          " has no standby.signal: without it the next start would come up as "
                          "a primary");
      }
      const std::optional<std::string>& actual = standby.recovery.primary_conninfo;
      std::vector<std::string> diff;
      if (actual) diff = ConninfoDifferences(*actual, desired);
      const bool only_password = actual && diff.empty() && StoredPasswordDiffers(standby, input);
      if (!actual) {
        plan->notes.push_back(name + ": primary_conninfo is unknown; it is not checked");
      } else if (!diff.empty() || only_password) {
        std::string file = ConninfoFile(standby, data_dir);
        steps.push_back(kWriteConninfo);
        before.push_back(only_password ? "primary_conninfo password: not the manifest's"
                                       : DisplayActual(*actual));
        after.push_back(only_password
                            ? "primary_conninfo password: replication.password"
                            : "primary_conninfo '" + DisplayPrimaryConninfo(desired) + "'");
        impact = major >= 13 ? Impact::kReload : Impact::kRestart;
        reasons.push_back((only_password ? std::string(kPasswordDiffers)
                                         : "primary_conninfo does not lead to " +
                                               input.primary->name + ": " + Join(diff, ", ")) +
                          "; it is written to " + file + " (PostgreSQL " + std::to_string(major) +
                          (major >= 13 ? " reads it on reload)" : " reads it only at start)"));
        details.conninfo_file = file;
        change.edited_files.push_back(file);
        change.checks = {ServerCheck::kFileSettings};
      }
    } else {
      if (!standby.recovery.recovery_conf) {
        plan->notes.push_back(name + ": whether " + data_dir +
                              "/recovery.conf exists is unknown; the recovery configuration is "
                              "not checked");
        return;
      }
      std::vector<std::string> wrong;
      if (!*standby.recovery.recovery_conf) {
        before.push_back("no recovery.conf");
        wrong.push_back(data_dir + "/recovery.conf does not exist");
      } else if (!standby.recovery.recovery_conf_settings) {
        plan->notes.push_back(name + ": the content of " + data_dir +
                              "/recovery.conf is unknown; it is not checked");
      } else {
        const auto& settings = *standby.recovery.recovery_conf_settings;
        auto mode = settings.find("standby_mode");
        if (mode == settings.end() || ParseSettingBool(mode->second) != true) {
          wrong.push_back(mode == settings.end() ? "standby_mode is not set"
                                                 : "standby_mode is " + mode->second);
          before.push_back(mode == settings.end() ? "standby_mode unset"
                                                  : "standby_mode = '" + mode->second + "'");
        }
        auto conninfo = settings.find("primary_conninfo");
        std::string actual = conninfo == settings.end() ? "" : conninfo->second;
        std::vector<std::string> diff = ConninfoDifferences(actual, desired);
        if (diff.empty() && StoredPasswordDiffers(standby, input)) diff.push_back(kPasswordDiffers);
        if (!diff.empty()) {
          wrong.push_back("primary_conninfo does not lead to " + input.primary->name + ": " +
                          Join(diff, ", "));
          before.push_back(DisplayActual(actual));
        }
      }
      if (!wrong.empty()) {
        steps.push_back(kWriteRecoveryConf);
        after.push_back("recovery.conf: standby_mode = 'on', primary_conninfo '" +
                        DisplayPrimaryConninfo(desired) + "'");
        impact = Impact::kRestart;
        reasons.push_back(Join(wrong, "; ") + " (PostgreSQL " + std::to_string(major) +
                          " reads recovery.conf only at start)");
      }
      if (standby.recovery.standby_signal.value_or(false)) {
        steps.push_back(kRemoveStandbySignal);
        before.push_back("standby.signal present");
        after.push_back("no standby.signal");
        reasons.push_back("PostgreSQL " + std::to_string(major) +
                          " ignores standby.signal (recovery.conf says it is a standby); it is "
                          "removed so the data directory says one thing");
      }
    }
    if (steps.empty()) return;

    change.address = std::string(kKind) + "[" + name + "]";
    change.host = name;
    change.action = Action::kUpdate;
    change.before = Join(before, "; ");
    change.after = Join(after, "; ");
    change.reason = Join(reasons, "; ");
    change.impact = impact;
    change.server_step = impact == Impact::kRestart  ? ServerStep::kRestart
                         : impact == Impact::kReload ? ServerStep::kReload
                                                     : ServerStep::kNone;
    details.steps = steps;
    details.data_dir = data_dir;
    details.timestamp = input.timestamp;
    details.primary = desired;
    plan->changes.push_back(Attach(std::move(change), std::move(details)));
  }

  Status Perform(const Change& change, const RecoveryConfigDetails& details,
                 ApplyContext& context) const override {
    const HostSpec* host = context.manifest->FindHost(change.host);
    if (!host) return Status::Error("recovery_config: no host " + change.host + " in the manifest");
    Transport& transport = context.For(change.host);
    const std::vector<std::string>& steps = details.steps;
    std::string conninfo;
    if (Has(steps, kWriteConninfo) || Has(steps, kWriteRecoveryConf)) {
      if (context.replication_password.empty()) {
        return Status::Error(transport.host_label() +
                             ": the replication password is not available; primary_conninfo "
                             "is not written");
      }
      conninfo = BuildPrimaryConninfo(details.primary, context.replication_password);
    }
    if (context.progress) {
      std::vector<std::string> phrases;
      for (const std::string& step : steps) phrases.push_back(StepPhrase(step));
      context.progress(transport.host_label() + ": recovery configuration: " + Join(phrases, ", "));
    }
    return RunStandbySteps(transport, *host, steps, details.data_dir,
                           details.conninfo_file.value_or(""), conninfo, details.timestamp);
  }
};

}  // namespace

nlohmann::json RecoveryConfigDetails::ToJson() const {
  auto optional = [](const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  return {{"steps", steps},
          {"data_dir", data_dir},
          {"timestamp", timestamp},
          {"conninfo_file", optional(conninfo_file)},
          {"recovery_conf_aside", optional(recovery_conf_aside)},
          {"primary", primary.ToJson()}};
}

const Resource& RecoveryConfigResource() {
  static const RecoveryConfig resource;
  return resource;
}

}  // namespace pgpair
