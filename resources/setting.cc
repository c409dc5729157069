#include "resources/setting.h"

#include <string>
#include <vector>

#include "engine/edit/conf_edit.h"
#include "engine/transport/remote_files.h"
#include "resources/setting/host_diff.h"
#include "resources/setting/startup_checks.h"
#include "resources/standby_clone.h"

namespace pgpair {
namespace {

// "line 3, line 7" from ParseConfFile's "line 3: syntax error near token
// \"...\"; line 7: ...", and nothing of the tokens.
std::string BadLines(const std::string& parse_error) {
  std::string lines;
  for (size_t at = 0; (at = parse_error.find("line ", at)) != std::string::npos; ++at) {
    if (at != 0 && parse_error.compare(at - 2, 2, "; ") != 0) continue;
    size_t digits = at + 5;
    size_t end = digits;
    while (end < parse_error.size() && parse_error[end] >= '0' && parse_error[end] <= '9') ++end;
    if (end == digits || end >= parse_error.size() || parse_error[end] != ':') continue;
    lines += (lines.empty() ? "syntax error on " : ", ") + parse_error.substr(at, end - at);
  }
  return lines.empty() ? "syntax error" : lines;
}

class SettingResourceImpl final : public TypedResource<SettingDetails> {
 public:
  const char* kind() const override { return kSettingKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    if (!input.manifest) return;
    const Manifest& manifest = *input.manifest;
    const std::vector<DesiredSetting> primary = DesiredSettings(manifest, manifest.primary);
    const std::vector<DesiredSetting> standby = DesiredSettings(manifest, manifest.standby);
    struct Side {
      const std::string& host;
      const HostFacts* facts;
      const std::vector<DesiredSetting>& desired;
    };
    // While the standby's clone waits for the primary's start, so do its
    // settings: its server is not yet a standby pgpair may restart, and the
    // next round plans them on the copy.
    const bool standby_waits = input.primary && input.standby &&
                               DecideStandbyClone(input).verdict == CloneVerdict::kDeferred;
    for (const Side& side : {Side{manifest.primary, input.primary, primary},
                             Side{manifest.standby, input.standby, standby}}) {
      if (side.facts && &side.desired == &standby && standby_waits) continue;
      if (side.facts) {
        DiffHostSettings(*side.facts, side.host, side.desired, plan);
      } else if (!side.desired.empty()) {
        plan->blockers.push_back(
            {side.host, "no facts were gathered from this host; settings are not planned"});
      }
    }
    CheckStartupSettings(input, primary, standby, plan);
  }

  Status Perform(const Change& change, const SettingDetails& details,
                 ApplyContext& context) const override {
    // Already in the file: the engine's restart or reload is all it needs.
    if (!details.write) return Status::Ok();
    const std::string& file = details.file;
    const std::string& name = details.name;
    const std::string& value = details.value;
    Transport& transport = context.For(change.host);
    if (context.progress) {
      context.progress(change.host + ": " + name + " = " + change.after.value_or(value) + " in " +
                       file);
    }
    Result<std::string> text = ReadRemoteFile(transport, file);
    if (!text.ok())
      return Status::Error(text.status().message() + "; " + name + " was not written");
    Result<std::string> edited = SetConfValue(*text, name, value);
    if (!edited.ok()) {
      // Only the line numbers: the bad text may hold a password (a conninfo).
      return Status::Error(transport.host_label() + ": " + file + " does not parse (" +
                           BadLines(edited.status().message()) + "); " + name +
                           " was not written: correct the file first");
    }
    if (*edited == *text) return Status::Ok();
    Status written = WriteRemoteFileAtomic(transport, file, *edited, FileAttributes{});
    if (!written.ok()) return Status::Error(written.message() + "; " + name + " was not written");
    return Status::Ok();
  }
};

}  // namespace

nlohmann::json SettingDetails::ToJson() const {
  return {{"name", name}, {"value", value}, {"file", file}, {"write", write}};
}

const Resource& SettingResource() {
  static const SettingResourceImpl kResource;
  return kResource;
}

}  // namespace pgpair
