#include "engine/apply/restart_safety.h"

#include <algorithm>

#include "engine/apply/config_snapshot.h"
#include "engine/facts/parsers/refused_settings.h"
#include "engine/transport/remote_files.h"
#include "engine/util/host_state.h"
#include "engine/util/shell_quote.h"
#include "engine/util/text.h"
#include "engine/util/utc_time.h"

namespace pgpair {
namespace {

const char* ActionNoun(ServerAction action) {
  return action == ServerAction::kRestart ? "restart" : "start";
}

std::chrono::milliseconds Timeout(const HostSpec& host) {
  return std::chrono::seconds(std::max(1, host.ssh.command_timeout_seconds));
}

bool Under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

// Replaces the data directory's lines of the host's record with `refused`
// (none: clears them).
Status WriteRefusedRecord(Transport& transport, const HostSpec& host, const std::string& data_dir,
                          const std::vector<RefusedSetting>& refused) {
  Result<ExecResult> made =
      transport.Exec("install -d -m 0700 -- " + ShellQuote(kHostStateDir), "", Timeout(host));
  if (!made.ok()) return made.status();
  if (made->exit_status != 0) {
    return Status::Error(transport.host_label() + ": " + kHostStateDir +
                         " cannot be created: " + TrimTrailing(made->stderr_text));
  }
  Result<std::optional<std::string>> current =
      ReadRemoteFileIfExists(transport, kRefusedSettingsFile, Timeout(host));
  if (!current.ok()) return current.status();
  std::vector<RefusedSetting> existing =
      *current ? ParseRefusedSettings(**current) : std::vector<RefusedSetting>();
  std::vector<RefusedSetting> updated = ReplaceRefusedSettings(existing, data_dir, refused);
  if (!*current && updated.empty()) return Status::Ok();
  FileAttributes attrs;
  attrs.owner = "root";
  attrs.mode = "0600";
  return WriteRemoteFileAtomic(transport, kRefusedSettingsFile, FormatRefusedSettings(updated),
                               attrs, Timeout(host));
}

std::string Describe(const std::vector<StartSuspect>& settings) {
  std::vector<std::string> parts;
  for (const StartSuspect& s : settings) parts.push_back(s.name + " = " + s.display);
  return Join(parts, ", ");
}

std::string Names(const std::vector<StartSuspect>& settings) {
  std::vector<std::string> parts;
  for (const StartSuspect& s : settings) parts.push_back(s.name);
  return Join(parts, ", ");
}

std::string Indented(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += "\n    " + line;
  return text;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// What the restore did, for the message.
std::string DescribeRestore(const std::vector<RestoredFile>& restored) {
  std::vector<std::string> parts;
  for (const RestoredFile& file : restored) {
    if (file.removed) {
      parts.push_back(file.file + " (did not exist before; moved to " + file.aside + ")");
    } else {
      parts.push_back(file.file + (file.aside.empty()
                                       ? std::string()
                                       : " (the refused version is kept as " + file.aside + ")"));
    }
  }
  return Join(parts, ", ");
}

}  // namespace

std::vector<std::string> ConfigFilesAtStake(const HostFacts& facts,
                                            const std::vector<Change>& changes) {
  const bool reclone = std::any_of(changes.begin(), changes.end(), [](const Change& change) {
    return change.impact == Impact::kReclone;
  });
  std::vector<std::string> files;
  auto add = [&](const std::optional<std::string>& file) {
    if (!file || file->empty() || (*file)[0] != '/') return;
    if (reclone && facts.layout.data_dir && Under(*file, *facts.layout.data_dir)) return;
    if (std::find(files.begin(), files.end(), *file) == files.end()) files.push_back(*file);
  };
  add(facts.layout.config_file);
  add(facts.layout.hba_file);
  if (facts.layout.data_dir) {
    add(*facts.layout.data_dir + "/postgresql.auto.conf");
    if (facts.server.major && *facts.server.major <= 11) {
      add(*facts.layout.data_dir + "/recovery.conf");
    }
  }
  for (const Change& change : changes) {
    for (const std::string& file : change.edited_files) add(file);
  }
  return files;
}

bool FilesProven(const HostFacts& facts) {
  if (facts.server.running != true || !facts.settings) return false;
  return std::none_of(facts.settings->begin(), facts.settings->end(),
                      [](const SettingFact& s) { return s.pending_restart.value_or(false); });
}

Status KeepLastGood(ApplyContext& context, const std::string& host_name,
                    const std::vector<Change>& changes) {
  const HostSpec* host = context.manifest->FindHost(host_name);
  if (!host) return Status::Error("no host " + host_name + " in the manifest");
  const HostFacts& facts = context.FactsFor(host_name);
  std::vector<std::string> files = ConfigFilesAtStake(facts, changes);
  return SaveLastGood(context.For(host_name), files,
                      FilesProven(facts) ? SnapshotMode::kReplace : SnapshotMode::kKeepExisting,
                      Timeout(*host));
}

std::vector<StartSuspect> StartSuspects(const std::vector<Change>& changes) {
  std::vector<StartSuspect> restart, all;
  for (const Change& change : changes) {
    if (!change.setting) continue;
    const WrittenSetting& written = *change.setting;
    StartSuspect suspect{written.name, written.value, change.after.value_or(written.value),
                         change.address};
    all.push_back(suspect);
    if (change.impact >= Impact::kRestart) restart.push_back(suspect);
  }
  return restart.empty() ? all : restart;
}

Status StartOrRestartSafely(ApplyContext& context, const std::string& host_name,
                            const std::vector<Change>& changes, ServerAction action) {
  const HostSpec* host = context.manifest->FindHost(host_name);
  if (!host) return Status::Error("no host " + host_name + " in the manifest");
  const HostFacts& facts = context.FactsFor(host_name);
  Transport& transport = context.For(host_name);
  const std::string label = transport.host_label();
  const std::string data_dir = facts.layout.data_dir.value_or("");
  std::vector<std::string> files = ConfigFilesAtStake(facts, changes);

  Result<ServerControlOutcome> outcome = RunServerControl(transport, *host, facts, action);
  if (!outcome.ok()) return outcome.status();
  if (outcome->succeeded) {
    // It runs with these files: they are the last good ones now.
    Status kept = SaveLastGood(transport, files, SnapshotMode::kReplace, Timeout(*host));
    if (!kept.ok()) {
      return Status::Error(kept.message() +
                           "; the server runs, but a later start it refuses "
                           "could not be undone");
    }
    if (!data_dir.empty() && (!facts.refused_settings || !facts.refused_settings->empty())) {
      Status cleared = WriteRefusedRecord(transport, *host, data_dir, {});
      if (!cleared.ok()) {
        return Status::Error(cleared.message() +
                             "; the server runs, but the next plan may "
                             "still refuse a value it refused before");
      }
    }
    return Status::Ok();
  }

  std::vector<std::string> lines = ExplainingLogLines(outcome->log);
  std::string log_source =
      outcome->log_source.empty() || outcome->log_source == "none" ? "" : outcome->log_source;
  std::string quoted_log =
      lines.empty()
          ? " Nothing in the server's log explains it" +
                (log_source.empty() ? std::string(" (no log found)") : " (" + log_source + ")") +
                "; the command said:" + Indented(SplitLines(outcome->message)) + "\n"
          : " Its log (" + (log_source.empty() ? std::string("?") : log_source) +
                ") says:" + Indented(lines) + "\n";
  // The command's own words are quoted above only when the log says
  // nothing (pg_ctlcluster repeats its whole pg_ctl command line), and here
  // when pg_ctl stopped waiting.
  std::string failed = label + ": the " + ActionNoun(action) +
                       " of the PostgreSQL server failed (" + outcome->command +
                       (outcome->running_after == true && !outcome->message.empty()
                            ? ": " + FirstLine(outcome->message)
                            : std::string()) +
                       ").";

  if (outcome->running_after == true) {
    // pg_ctl stopped waiting, but the server is still coming up (a long
    // recovery): restoring files under it would be wrong.
    return Status::Error(failed + quoted_log +
                         "The server runs but did not accept connections in time: pgpair leaves "
                         "it as it is. When it accepts connections, run pgpair again.");
  }

  std::vector<StartSuspect> suspects = StartSuspects(changes);
  std::vector<StartSuspect> blamed = BlamedSettings(lines, suspects);
  std::string about;
  std::string record_note;
  if (!blamed.empty()) {
    about =
        blamed.size() == 1
            ? " The server refused " + Describe(blamed) + " (" + blamed[0].address + ")."
            : " The server refused one of " + Describe(blamed) + " (the log does not say which).";
    std::vector<RefusedSetting> refused;
    std::string time = UtcIsoTime();
    std::string line = LogMessage(FailureLine(lines));
    for (const StartSuspect& s : blamed) {
      // Each value of an uncertain blame is recorded, and says it is one of
      // several: the next plan's blocker then explains itself.
      std::vector<StartSuspect> others;
      for (const StartSuspect& other : blamed) {
        if (other.name != s.name) others.push_back(other);
      }
      std::string why = others.empty() ? line
                                       : line + " (together with " + Describe(others) +
                                             "; the log does not say which)";
      refused.push_back({time, data_dir, s.name, s.value, why});
    }
    Status recorded = data_dir.empty() ? Status::Error("its data directory is unknown")
                                       : WriteRefusedRecord(transport, *host, data_dir, refused);
    if (!recorded.ok()) {
      record_note = " (It could not be recorded for the next plan: " + recorded.message() + ".)";
    }
  }

  if (context.progress) {
    context.progress(host_name + ": the server did not " + ActionNoun(action) +
                     "; putting the last working configuration back");
  }
  std::string timestamp = context.plan_input && !context.plan_input->timestamp.empty()
                              ? context.plan_input->timestamp
                              : UtcTimestamp();
  Result<std::vector<RestoredFile>> restored =
      RestoreLastGood(transport, files, timestamp, Timeout(*host));
  // One more start, with files the server ran with before.
  auto start_again = [&](const std::string& done) {
    Result<ServerControlOutcome> again =
        RunServerControl(transport, *host, facts, ServerAction::kStart);
    if (!again.ok()) return done + " Starting the server again failed: " + again.status().message();
    if (again->succeeded) return done + " The server was started again with it and runs.";
    std::vector<std::string> again_lines = ExplainingLogLines(again->log);
    return done + " The server did not start with it either (" + FirstLine(again->message) + ")" +
           (again_lines.empty() ? std::string() : "; its log says:" + Indented(again_lines)) +
           "\nThe server is stopped.";
  };
  std::string after;
  if (!restored.ok()) {
    after = " " + restored.status().message() + "; the server is stopped.";
  } else if (!restored->empty()) {
    after =
        start_again(" pgpair put the previous version back: " + DescribeRestore(*restored) + ".");
  } else {
    std::string same = " No earlier version of " + Join(files, ", ") +
                       " differs from the files as they are (" + kLastGoodDir + ")";
    // A running server's files, not waiting for a restart, are the ones it
    // ran with a moment ago: the failure was not theirs, and a start may do.
    after = action == ServerAction::kRestart && FilesProven(facts)
                ? start_again(same + ", and the server ran with them before the restart.")
                : same + ", so there was nothing to put back; the server is stopped.";
  }
  std::string advice = blamed.empty()
                           ? " Correct what the log names, then run pgpair again."
                           : " Change " + Names(blamed) +
                                 " in the manifest (the next plan refuses the value the server "
                                 "refused), then run pgpair again.";
  return Status::Error(failed + about + record_note + quoted_log + after.substr(1) + advice);
}

}  // namespace pgpair
