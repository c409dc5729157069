#include "engine/edit/conf_edit.h"

#include <map>
#include <string_view>
#include <vector>

#include "engine/facts/parsers/postgresql_conf.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

// One line of a file: [begin, end) of the text, without its '\n'. Lines are
// cut exactly as ParseConfFile cuts them, so its line numbers index this list.
struct LineSpan {
  size_t begin = 0;
  size_t end = 0;
};

std::vector<LineSpan> LineSpans(std::string_view text) {
  std::vector<LineSpan> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back({start, end});
    start = end + 1;
  }
  return lines;
}

// The active (not include) entries that set `name`, in file order.
Result<std::vector<ConfEntry>> ActiveEntries(const std::string& text, const std::string& name) {
  Result<std::vector<ConfEntry>> entries = ParseConfFile(text);
  if (!entries.ok()) return entries.status();
  const std::string wanted = Lowercase(name);
  std::vector<ConfEntry> matching;
  for (ConfEntry& entry : *entries) {
    if (!entry.is_include && entry.name == wanted) matching.push_back(std::move(entry));
  }
  return matching;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Where the value token of `entry` sits in its line: "name [=] value [# ...]".
// Only the value is replaced, so the name as spelled, the spacing and the
// trailing comment stay as the user left them.
Result<std::pair<size_t, size_t>> ValueRange(std::string_view line, const ConfEntry& entry) {
  size_t pos = 0;
  while (pos < line.size() && IsBlank(line[pos])) ++pos;
  pos += entry.name.size();  // the parser lowercases names without changing their length
  while (pos < line.size() && IsBlank(line[pos])) ++pos;
  if (pos < line.size() && line[pos] == '=') ++pos;
  while (pos < line.size() && IsBlank(line[pos])) ++pos;
  if (line.substr(pos, entry.raw_value.size()) != entry.raw_value) {
    return Status::Error("line " + std::to_string(entry.line_number) +
                         ": cannot find the value of " + entry.name + " to replace it");
  }
  return std::make_pair(pos, pos + entry.raw_value.size());
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True when `value` written bare reads back as itself: a word of letters,
// digits and '_' (on, replica, hot_standby), or an integer with an optional
// unit (10, -1, 128MB). Anything else is quoted.
bool CanWriteBare(std::string_view value) {
  if (value.empty()) return false;
  if (IsAsciiLetter(value[0]) || value[0] == '_') {
    for (char c : value) {
      if (!IsAsciiLetter(c) && !IsDigit(c) && c != '_') return false;
    }
    return true;
  }
  size_t i = value[0] == '-' ? 1 : 0;
  size_t digits = i;
  while (i < value.size() && IsDigit(value[i])) ++i;
  if (i == digits) return false;
  while (i < value.size() && IsAsciiLetter(value[i])) ++i;
  return i == value.size();
}

// The token that makes the server read `value`. A new line is quoted, as
// ALTER SYSTEM writes it; an edited line keeps its style where it can, so
// Debian's "shared_buffers = 128MB" becomes "shared_buffers = 256MB".
std::string ValueToken(const std::string& value, bool quoted) {
  if (!quoted && CanWriteBare(value)) return value;
  return QuoteConfValue(value);
}

// `line` turned into a comment with `note` after it, before a CR of a CRLF file.
std::string CommentedOut(std::string_view line, const char* note) {
  std::string_view body = line;
  std::string_view cr;
  if (!body.empty() && body.back() == '\r') {
    body.remove_suffix(1);
    cr = "\r";
  }
  return "#" + std::string(body) + "\t# " + note + std::string(cr);
}

// `text` with the lines in `replacements` (by 1-based number) replaced and
// every other byte kept.
std::string ReplaceLines(const std::string& text, const std::map<int, std::string>& replacements) {
  std::vector<LineSpan> lines = LineSpans(text);
  std::string out;
  out.reserve(text.size() + 64);
  size_t copied = 0;
  for (const auto& [number, replacement] : replacements) {
    const LineSpan& span = lines[number - 1];
    out.append(text, copied, span.begin - copied);
    out += replacement;
    copied = span.end;
  }
  out.append(text, copied, std::string::npos);
  return out;
}

}  // namespace

Result<std::string> SetConfValue(const std::string& text, const std::string& name,
                                 const std::string& value) {
  Result<std::vector<ConfEntry>> active = ActiveEntries(text, name);
  if (!active.ok()) return active.status();
  if (active->empty()) {
    // A CRLF file gets a CRLF line; a last line without newline gets one first.
    const bool crlf = text.find("\r\n") != std::string::npos;
    const char* newline = crlf ? "\r\n" : "\n";
    std::string out = text;
    if (!out.empty() && out.back() != '\n') out += newline;
    return out + Lowercase(name) + " = " + ValueToken(value, true) + "\t# set by pgpair" + newline;
  }
  std::vector<LineSpan> lines = LineSpans(text);
  std::map<int, std::string> replacements;
  for (size_t i = 0; i + 1 < active->size(); ++i) {
    const LineSpan& span = lines[(*active)[i].line_number - 1];
    replacements[(*active)[i].line_number] =
        CommentedOut(std::string_view(text).substr(span.begin, span.end - span.begin),
                     "superseded below (pgpair)");
  }
  const ConfEntry& last = active->back();
  const LineSpan& span = lines[last.line_number - 1];
  std::string line = text.substr(span.begin, span.end - span.begin);
  Result<std::pair<size_t, size_t>> range = ValueRange(line, last);
  if (!range.ok()) return range.status();
  const bool was_quoted = !last.raw_value.empty() && last.raw_value[0] == '\'';
  line.replace(range->first, range->second - range->first, ValueToken(value, was_quoted));
  replacements[last.line_number] = line;
  return ReplaceLines(text, replacements);
}

Result<std::string> RemoveConfValue(const std::string& text, const std::string& name) {
  Result<std::vector<ConfEntry>> active = ActiveEntries(text, name);
  if (!active.ok()) return active.status();
  std::vector<LineSpan> lines = LineSpans(text);
  std::map<int, std::string> replacements;
  for (const ConfEntry& entry : *active) {
    const LineSpan& span = lines[entry.line_number - 1];
    replacements[entry.line_number] = CommentedOut(
        std::string_view(text).substr(span.begin, span.end - span.begin), "removed by pgpair");
  }
  return ReplaceLines(text, replacements);
}

}  // namespace pgpair
