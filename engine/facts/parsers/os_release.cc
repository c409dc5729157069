#include "engine/facts/parsers/os_release.h"

#include "engine/util/text.h"

namespace pgpair {
namespace {

bool IsKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// The value as a shell would read a single word; empty for a broken quote.
std::optional<std::string> Unquote(std::string_view raw) {
  std::string out;
  size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (c == '"') {
      size_t j = i + 1;
      for (; j < raw.size() && raw[j] != '"'; ++j) {
        if (raw[j] == '\\' && j + 1 < raw.size() &&
            (raw[j + 1] == '"' || raw[j + 1] == '\\' || raw[j + 1] == '$' || raw[j + 1] == '`')) {
          ++j;
        }
        out += raw[j];
      }
      if (j >= raw.size()) return std::nullopt;
      i = j + 1;
    } else if (c == '\'') {
      size_t close = raw.find('\'', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      out += raw.substr(i + 1, close - i - 1);
      i = close + 1;
    } else if (c == '\\' && i + 1 < raw.size()) {
      out += raw[i + 1];
      i += 2;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace

Result<OsRelease> ParseOsRelease(std::string_view text) {
  OsRelease os;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    size_t equals = line.find('=');
    if (equals == std::string_view::npos || !IsKey(line.substr(0, equals))) continue;
    std::optional<std::string> value = Unquote(line.substr(equals + 1));
    if (!value) continue;
    os.fields[std::string(line.substr(0, equals))] = *value;
  }
  if (os.fields.empty()) return Status::Error("os-release holds no KEY=value line");
  auto get = [&os](const char* key) -> std::optional<std::string> {
    auto it = os.fields.find(key);
    if (it == os.fields.end()) return std::nullopt;
    return it->second;
  };
  os.pretty_name = get("PRETTY_NAME");
  os.id = get("ID");
  os.version_id = get("VERSION_ID");
  return os;
}

}  // namespace pgpair
