#ifndef PGPAIR_ENGINE_UTIL_TEXT_H_
#define PGPAIR_ENGINE_UTIL_TEXT_H_

#include <sstream>
#include <string>
#include <vector>

namespace pgpair {

// `text` without trailing newlines and blanks: command output as one value.
inline std::string TrimTrailing(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

// "a, b, c" from {"a", "b", "c"} and ", ".
inline std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) joined += (i == 0 ? "" : separator) + parts[i];
  return joined;
}

// The fields of `text` between separators, empty ones included ("a||b" has
// three); no fields for an empty text.
inline std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> fields;
  std::istringstream in(text);
  std::string field;
  while (std::getline(in, field, separator)) fields.push_back(field);
  if (!text.empty() && text.back() == separator) fields.emplace_back();
  return fields;
}

// The non-empty lines of `text`.
inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  for (std::string& line : Split(text, '\n')) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_TEXT_H_
