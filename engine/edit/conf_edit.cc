#include "engine/edit/conf_edit.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "engine/facts/parsers/postgresql_conf.h"

namespace pgpair {
namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), ::tolower);
  return text;
}

// Line numbers (1-based) of the active lines that set `name`.
Result<std::vector<int>> ActiveLines(const std::string& text, const std::string& name) {
  Result<std::vector<ConfEntry>> entries = ParseConfFile(text);
  if (!entries.ok()) return entries.status();
  std::vector<int> lines;
  for (const ConfEntry& entry : *entries) {
    if (!entry.is_include && entry.name == Lower(name)) lines.push_back(entry.line_number);
  }
  return lines;
}

// Rewrites "  name = old   # comment" as "  name = NEW   # comment".
std::string RewriteLine(const std::string& line, const std::string& name,
                        const std::string& quoted) {
  size_t start = line.find_first_not_of(" \t");
  std::string indent = line.substr(0, start);
  // The trailing comment starts at the first # outside single quotes.
  bool in_quotes = false;
  size_t comment = std::string::npos;
  for (size_t i = start; i < line.size(); ++i) {
    if (line[i] == '\'' ) in_quotes = !in_quotes;
    if (line[i] == '#' && !in_quotes) {
      comment = i;
      break;
    }
  }
  std::string rewritten = indent + Lower(name) + " = " + quoted;
  if (comment != std::string::npos) rewritten += "\t" + line.substr(comment);
  return rewritten;
}

}  // namespace

Result<std::string> SetConfValue(const std::string& text, const std::string& name,
                                 const std::string& value) {
  Result<std::vector<int>> active = ActiveLines(text, name);
  if (!active.ok()) return active.status();
  std::vector<std::string> lines = SplitLines(text);
  const std::string quoted = QuoteConfValue(value);
  if (active->empty()) {
    lines.push_back(Lower(name) + " = " + quoted + "\t# set by pgpair");
    return JoinLines(lines);
  }
  for (size_t i = 0; i + 1 < active->size(); ++i) {
    std::string& line = lines[(*active)[i] - 1];
    line = "#" + line + "\t# superseded below (pgpair)";
  }
  std::string& last = lines[active->back() - 1];
  last = RewriteLine(last, name, quoted);
  return JoinLines(lines);
}

Result<std::string> RemoveConfValue(const std::string& text, const std::string& name) {
  Result<std::vector<int>> active = ActiveLines(text, name);
  if (!active.ok()) return active.status();
  std::vector<std::string> lines = SplitLines(text);
  for (int number : *active) {
    lines[number - 1] = "#" + lines[number - 1] + "\t# removed by pgpair";
  }
  return JoinLines(lines);
}

}  // namespace pgpair
