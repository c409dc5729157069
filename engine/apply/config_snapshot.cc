#include "engine/apply/config_snapshot.h"

#include "engine/apply/config_snapshot.sh.inc"
#include "engine/util/host_state.h"
#include "engine/util/shell_quote.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

Status Failed(Transport& transport, const std::string& what, const Result<ExecResult>& run) {
  std::string message = run.ok() ? TrimTrailing(run->stderr_text) : run.status().message();
  if (message.empty()) message = "exit status " + std::to_string(run.ok() ? run->exit_status : -1);
  return Status::Error(transport.host_label() + ": " + what + ": " + message);
}

}  // namespace

std::string ConfigSnapshotCommand(const std::string& action, const std::vector<std::string>& files,
                                  const std::string& copies_dir, const std::string& aside_dir) {
  std::vector<std::string> args = {action, copies_dir, aside_dir};
  args.insert(args.end(), files.begin(), files.end());
  return ScriptCommand(kConfigSnapshotScript, "pgpair-config-snapshot", args);
}

std::vector<RestoredFile> ParseRestoreOutput(const std::string& output) {
  std::vector<RestoredFile> restored;
  for (const std::string& line : SplitLines(output)) {
    std::vector<std::string> fields = Split(line, '\t');
    if (fields.size() < 2 || (fields[0] != "restored" && fields[0] != "moved")) continue;
    RestoredFile file;
    file.file = fields[1];
    file.aside = fields.size() > 2 ? fields[2] : "";
    file.removed = fields[0] == "moved";
    restored.push_back(std::move(file));
  }
  return restored;
}

Status SaveLastGood(Transport& transport, const std::vector<std::string>& files, SnapshotMode mode,
                    std::chrono::milliseconds timeout) {
  if (files.empty()) return Status::Ok();
  Result<ExecResult> run =
      transport.Exec(ConfigSnapshotCommand(mode == SnapshotMode::kReplace ? "save" : "keep", files,
                                           kLastGoodDir, ""),
                     "", timeout);
  if (!run.ok() || run->exit_status != 0) {
    return Failed(transport,
                  "the last working configuration cannot be kept in " + std::string(kLastGoodDir),
                  run);
  }
  return Status::Ok();
}

Result<std::vector<RestoredFile>> RestoreLastGood(Transport& transport,
                                                  const std::vector<std::string>& files,
                                                  const std::string& timestamp,
                                                  std::chrono::milliseconds timeout) {
  if (files.empty()) return std::vector<RestoredFile>();
  Result<ExecResult> run =
      transport.Exec(ConfigSnapshotCommand("restore", files, kLastGoodDir,
                                           std::string(kRefusedFilesDir) + "/" + timestamp),
                     "", timeout);
  if (!run.ok() || run->exit_status != 0) {
    std::string done = run.ok() ? TrimTrailing(run->stdout_text) : "";
    return Failed(transport,
                  "the last working configuration cannot be put back from " +
                      std::string(kLastGoodDir) +
                      (done.empty() ? std::string() : " (done before the failure: " + done + ")"),
                  run);
  }
  return ParseRestoreOutput(run->stdout_text);
}

}  // namespace pgpair
