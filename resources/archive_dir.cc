#include "resources/archive_dir.h"

#include <string>

#include "engine/util/shell_quote.h"
#include "engine/util/text.h"
#include "resources/archive_dir.sh.inc"

namespace pgpair {
namespace {

constexpr char kKind[] = "archive_dir";

class ArchiveDir final : public TypedResource<ArchiveDirDetails> {
 public:
  const char* kind() const override { return kKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    const Manifest& manifest = *input.manifest;
    if (!manifest.archive) return;
    const ArchiveSpec& spec = *manifest.archive;
    const HostSpec& host = manifest.primary_host();
    const std::string label = host.label();
    const std::string address = std::string(kKind) + "[" + manifest.primary + ":" + spec.dir + "]";
    std::optional<int> desired_mode = ParseOctalMode(spec.mode);
    if (!desired_mode) {
      plan->blockers.push_back({manifest.primary, address + ": archive.mode \"" + spec.mode +
                                                      "\" is not an octal mode"});
      return;
    }

    const HostFacts* facts = input.primary;
    const ArchiveDirFacts* dir = facts != nullptr && facts->archive ? &*facts->archive : nullptr;
    if (dir == nullptr || (!dir->path.empty() && dir->path != spec.dir) || !dir->exists) {
      plan->notes.push_back(address + ": whether " + spec.dir + " exists on " + label +
                            " is unknown; the archive directory is checked once it can be read");
      return;
    }

    Change change;
    change.address = address;
    change.host = manifest.primary;
    change.impact = Impact::kNone;
    const ArchiveDirDetails details{spec.dir, spec.owner, *desired_mode, host.postgres.os_user};
    const std::string desired = spec.owner + " " + FormatOctalMode(*desired_mode);

    if (!*dir->exists) {
      change.action = Action::kCreate;
      change.after = "directory, " + desired;
      change.reason = spec.dir + " does not exist on " + label + "; archive_command writes there";
      plan->changes.push_back(Attach(std::move(change), details));
      return;
    }
    if (!dir->is_directory) {
      plan->notes.push_back(address + ": what " + spec.dir + " is on " + label +
                            " is unknown; it is checked once it can be read");
      return;
    }
    if (!*dir->is_directory) {
      plan->blockers.push_back(
          {manifest.primary, label + ": " + spec.dir +
                                 " is a file, not a directory; pgpair will not replace it. "
                                 "Move it aside, or set archive.dir to another path"});
      return;
    }
    std::optional<int> mode = dir->mode ? ParseOctalMode(*dir->mode) : std::nullopt;
    if (!dir->owner || !mode) {
      plan->notes.push_back(address + ": the owner or mode of " + spec.dir + " on " + label +
                            " is unknown; they are checked once they can be read");
      return;
    }
    if (*dir->owner == spec.owner && *mode == *desired_mode) return;

    change.action = Action::kUpdate;
    change.before = *dir->owner + (dir->group ? ":" + *dir->group : "") + " " + *dir->mode;
    change.after = desired;
    std::string why;
    if (*dir->owner != spec.owner) why = "it is owned by " + *dir->owner + ", not " + spec.owner;
    if (*mode != *desired_mode) {
      why += std::string(why.empty() ? "" : " and ") + "its mode is " + FormatOctalMode(*mode) +
             ", not " + FormatOctalMode(*desired_mode);
    }
    change.reason = spec.dir + " on " + label + ": " + why;
    plan->changes.push_back(Attach(std::move(change), details));
  }

  Status Perform(const Change& change, const ArchiveDirDetails& details,
                 ApplyContext& context) const override {
    const HostSpec* host = context.manifest->FindHost(change.host);
    if (host == nullptr) return Status::Error(change.address + ": unknown host " + change.host);
    const std::string label = host->label();
    const std::string& dir = details.dir;
    const std::string& os_user = details.os_user;
    if (context.progress) {
      context.progress("preparing archive directory " + dir + " on " + label);
    }
    Transport& transport = context.For(change.host);
    Result<ExecResult> run =
        transport.Exec(ArchiveDirCommand(dir, details.owner, details.mode, os_user), "",
                       std::chrono::seconds(host->ssh.command_timeout_seconds));
    if (!run.ok()) return run.status().WithContext(change.address);
    if (run->exit_status == 0) return Status::Ok();

    const std::string err = TrimTrailing(run->stderr_text);
    const std::string fails = "; archive_command runs as " + os_user + " and would fail";
    if (run->exit_status == 3 && err.rfind("blocked-by: ", 0) == 0) {
      // "blocked-by: root:root 700 /var/backups": owner and mode hold no
      // blanks, the path may.
      std::string rest = err.substr(12);
      size_t space = rest.find(' ', rest.find(' ') + 1);
      std::string how = rest.substr(0, space);
      std::string parent = space == std::string::npos ? "" : rest.substr(space + 1);
      how = "owner " + how.substr(0, how.find(' ')) + ", mode " + how.substr(how.find(' ') + 1);
      return Status::Error(label + ": " + dir + " is set up, but user " + os_user +
                           " cannot reach it: " + parent + " (" + how + ") does not let " +
                           os_user + " through" + fails + ". Let it through (e.g. chmod o+x " +
                           parent + ") or set archive.dir to another path");
    }
    if (run->exit_status == 3 && err.rfind("not-writable: ", 0) == 0) {
      return Status::Error(label + ": " + dir + " is set up, but user " + os_user +
                           " cannot write to it (" + err.substr(14) + ")" + fails +
                           ". Set archive.owner to " + os_user + " or give it write access");
    }
    return Status::Error(label + ": " + dir + " could not be set up (exit " +
                         std::to_string(run->exit_status) + "): " + err);
  }
};

}  // namespace

nlohmann::json ArchiveDirDetails::ToJson() const {
  return {{"dir", dir}, {"owner", owner}, {"mode", FormatOctalMode(mode)}, {"os_user", os_user}};
}

std::string ArchiveDirCommand(const std::string& dir, const std::string& owner, int mode,
                              const std::string& os_user) {
  return ScriptCommand(kArchiveDirScript, "pgpair-archive-dir",
                       {dir, owner, FormatOctalMode(mode), os_user});
}

const Resource& ArchiveDirResource() {
  static const ArchiveDir resource;
  return resource;
}

}  // namespace pgpair
