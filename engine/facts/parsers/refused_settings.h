#ifndef PGPAIR_ENGINE_FACTS_PARSERS_REFUSED_SETTINGS_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_REFUSED_SETTINGS_H_

#include <string>
#include <string_view>
#include <vector>

namespace pgpair {

// One value a server refused to start with, as apply recorded it on the host
// (kRefusedSettingsFile, engine/util/host_state.h).
struct RefusedSetting {
  std::string time;      // UTC, "2026-12-01T11:06:15Z"
  std::string data_dir;  // the cluster it is about
  std::string name;      // lowercased
  std::string value;     // as the server read it (unquoted)
  std::string log_line;  // the server's line that explains the failure
};

// The record file's text: a comment line, then one line per setting:
// time, data directory, name, value and log line separated by tabs, each
// with backslash, tab, newline and carriage return escaped as \\ \t \n \r.
std::string FormatRefusedSettings(const std::vector<RefusedSetting>& settings);

// Reads that text back. It is not an error if a line is a comment, blank or
// has too few fields (a hand edit, a truncated write): such lines are skipped,
// so a damaged record never blocks a plan by itself.
std::vector<RefusedSetting> ParseRefusedSettings(std::string_view text);

// `existing` with the settings of `data_dir` replaced by `refused` (those of
// other data directories are kept); with `refused` empty, the data
// directory's records are cleared.
std::vector<RefusedSetting> ReplaceRefusedSettings(const std::vector<RefusedSetting>& existing,
                                                   const std::string& data_dir,
                                                   const std::vector<RefusedSetting>& refused);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_REFUSED_SETTINGS_H_
