#include "engine/facts/parsers/refused_settings.h"

#include "engine/util/text.h"

namespace pgpair {
namespace {

constexpr char kHeader[] =
    "# Values PostgreSQL refused to start with, written by pgpair apply; a successful\n"
    "# start by pgpair clears its cluster's lines. time, data_dir, name, value, log line.\n";

std::string Escape(const std::string& field) {
  std::string out;
  for (char c : field) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Unescape(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out += field[i];
      continue;
    }
    char next = field[++i];
    switch (next) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      default:
        out += next;  // "\\" and anything unknown: the character itself
    }
  }
  return out;
}

}  // namespace

std::string FormatRefusedSettings(const std::vector<RefusedSetting>& settings) {
  std::string text = kHeader;
  for (const RefusedSetting& s : settings) {
    text += Escape(s.time) + "\t" + Escape(s.data_dir) + "\t" + Escape(s.name) + "\t" +
            Escape(s.value) + "\t" + Escape(s.log_line) + "\n";
  }
  return text;
}

std::vector<RefusedSetting> ParseRefusedSettings(std::string_view text) {
  std::vector<RefusedSetting> settings;
  for (const std::string& line : SplitLines(std::string(text))) {
    if (line[0] == '#') continue;
    std::vector<std::string> fields = Split(line, '\t');
    if (fields.size() < 5 || fields[1].empty() || fields[2].empty()) continue;
    settings.push_back({Unescape(fields[0]), Unescape(fields[1]), Unescape(fields[2]),
                        Unescape(fields[3]), Unescape(fields[4])});
  }
  return settings;
}

std::vector<RefusedSetting> ReplaceRefusedSettings(const std::vector<RefusedSetting>& existing,
                                                   const std::string& data_dir,
                                                   const std::vector<RefusedSetting>& refused) {
  std::vector<RefusedSetting> kept;
  for (const RefusedSetting& s : existing) {
    if (s.data_dir != data_dir) kept.push_back(s);
  }
  kept.insert(kept.end(), refused.begin(), refused.end());
  return kept;
}

}  // namespace pgpair
