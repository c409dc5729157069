#include "engine/edit/hba_edit.h"

#include <algorithm>
#include <vector>

#include "engine/facts/hba_token.h"

namespace pgpair {
namespace {

// Physical lines, each with its own line ending ("\n", "\r\n" or none for a
// last line without one), so that joining them gives back `text` exactly.
std::vector<std::string> SplitKeepingEndings(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t newline = text.find('\n', start);
    size_t end = newline == std::string::npos ? text.size() : newline + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines, size_t from, size_t to) {
  std::string text;
  for (size_t i = from; i < to && i < lines.size(); ++i) text += lines[i];
  return text;
}

std::string WithoutEnding(const std::string& line) {
  size_t end = line.size();
  while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r')) --end;
  return line.substr(0, end);
}

// The ending `line` uses; "\n" for one without.
std::string EndingOf(const std::string& line) {
  if (line.size() >= 2 && line.compare(line.size() - 2, 2, "\r\n") == 0) return "\r\n";
  return "\n";
}

// A record continues on the next physical line when the line ends with a
// backslash (PostgreSQL 15 and later read it so; older ones do not, which
// makes an insertion there wrong either way).
bool Continues(const std::string& line) {
  std::string content = WithoutEnding(line);
  return !content.empty() && content.back() == '\\';
}

// Where the comment of a line starts: the first # outside double quotes.
size_t CommentStart(const std::string& content) {
  bool quoted = false;
  for (size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '"') quoted = !quoted;
    if (content[i] == '#' && !quoted) return i;
  }
  return std::string::npos;
}

std::string Pad(const std::string& value, size_t width) {
  return value.size() < width ? value + std::string(width - value.size(), ' ') : value + " ";
}

bool IsPlainNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == '$';
}

// A line break inside what is written would start another record (or end a
// comment early): pgpair writes whole lines, one at a time.
Status CheckOneLine(const std::string& text, const char* what) {
  if (text.find_first_of("\r\n") == std::string::npos) return Status::Ok();
  return Status::Error("the " + std::string(what) +
                       " to write holds a line break; pgpair writes one line at a time");
}

}  // namespace

std::string QuoteHbaName(const std::string& name) {
  bool plain =
      !name.empty() && name[0] != '+' && name[0] != '@' && name[0] != '/' && !IsHbaKeyword(name);
  for (char c : name) plain = plain && IsPlainNameChar(c);
  return HbaToken{name, !plain}.Written();
}

std::string FormatHbaLine(const std::string& type, const std::string& database,
                          const std::string& user, const std::string& address,
                          const std::string& method) {
  return Pad(type, 8) + Pad(database, 16) + Pad(user, 16) + Pad(address, 24) + method;
}

Result<std::string> InsertHbaLine(const std::string& text, const std::string& line,
                                  std::optional<int> before_line, const std::string& comment) {
  if (Status single = CheckOneLine(line, "line").WithContext("pg_hba.conf"); !single.ok()) {
    return single;
  }
  if (Status single = CheckOneLine(comment, "comment").WithContext("pg_hba.conf"); !single.ok()) {
    return single;
  }
  std::vector<std::string> lines = SplitKeepingEndings(text);
  std::string comment_line;
  if (!comment.empty()) comment_line = comment.rfind('#', 0) == 0 ? comment : "# " + comment;

  if (!before_line) {
    std::string ending = lines.empty() ? "\n" : EndingOf(lines.back());
    if (!lines.empty() && Continues(lines.back())) {
      return Status::Error(
          "the last line of pg_hba.conf ends with a backslash: a line "
          "appended there would join its record");
    }
    std::string result = text;
    if (!result.empty() && result.back() != '\n') result += ending;
    if (!comment_line.empty()) result += comment_line + ending;
    return result + line + ending;
  }

  int n = *before_line;
  if (n < 1 || n > static_cast<int>(lines.size())) {
    return Status::Error("pg_hba.conf has no line " + std::to_string(n) + " (it has " +
                         std::to_string(lines.size()) + ")");
  }
  if (n > 1 && Continues(lines[n - 2])) {
    return Status::Error("line " + std::to_string(n) +
                         " of pg_hba.conf continues the record of "
                         "line " +
                         std::to_string(n - 1) + "; pgpair will not insert inside it");
  }
  std::string ending = EndingOf(lines[n - 1]);
  std::string block;
  if (!comment_line.empty()) block += comment_line + ending;
  block += line + ending;
  return Join(lines, 0, n - 1) + block + Join(lines, n - 1, lines.size());
}

Result<std::string> ReplaceHbaLine(const std::string& text, int line_number,
                                   const std::string& line) {
  if (Status single = CheckOneLine(line, "line").WithContext("pg_hba.conf"); !single.ok()) {
    return single;
  }
  std::vector<std::string> lines = SplitKeepingEndings(text);
  int n = line_number;
  if (n < 1 || n > static_cast<int>(lines.size())) {
    return Status::Error("pg_hba.conf has no line " + std::to_string(n) + " (it has " +
                         std::to_string(lines.size()) + ")");
  }
  std::string first = WithoutEnding(lines[n - 1]);
  size_t start = first.find_first_not_of(" \t");
  if (start == std::string::npos || first[start] == '#') {
    return Status::Error("line " + std::to_string(n) + " of pg_hba.conf is not a rule");
  }
  if (n > 1 && Continues(lines[n - 2])) {
    return Status::Error("line " + std::to_string(n) +
                         " of pg_hba.conf continues the record of "
                         "line " +
                         std::to_string(n - 1));
  }
  // The record ends at the first physical line that does not continue.
  size_t last = n - 1;
  while (Continues(lines[last]) && last + 1 < lines.size()) ++last;

  std::string last_content = WithoutEnding(lines[last]);
  std::string replacement = line;
  size_t comment = CommentStart(last_content);
  if (comment != std::string::npos) replacement += "  " + last_content.substr(comment);
  // The ending of the record's last line, so a file without a final newline
  // keeps having none.
  replacement += lines[last].substr(last_content.size());
  return Join(lines, 0, n - 1) + replacement + Join(lines, last + 1, lines.size());
}

std::optional<std::string> HbaPhysicalLine(const std::string& text, int line_number) {
  std::vector<std::string> lines = SplitKeepingEndings(text);
  if (line_number < 1 || line_number > static_cast<int>(lines.size())) return std::nullopt;
  return WithoutEnding(lines[line_number - 1]);
}

std::string NormalizeHbaLine(const std::string& line) {
  std::string collapsed;
  bool blank = false;
  for (char c : line.substr(0, CommentStart(line))) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      blank = true;
      continue;
    }
    if (blank && !collapsed.empty()) collapsed += ' ';
    blank = false;
    collapsed += c;
  }
  return collapsed;
}

std::string HbaRecordDisplay(const std::string& record) {
  std::string joined;
  size_t start = 0;
  while (start <= record.size()) {
    size_t end = std::min(record.find('\n', start), record.size());
    std::string part = NormalizeHbaLine(record.substr(start, end - start));
    if (!part.empty() && part.back() == '\\') part.pop_back();
    part = NormalizeHbaLine(part);
    if (!part.empty()) joined += (joined.empty() ? "" : " ") + part;
    start = end + 1;
  }
  return joined;
}

}  // namespace pgpair
