#include "engine/manifest/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "engine/manifest/suggest.h"

namespace pgpair {

void Diagnostics::Error(const YAML::Mark& mark, std::string message) {
  Error(ToSourceMark(mark), std::move(message));
}

void Diagnostics::Error(const SourceMark& mark, std::string message) {
  errors_.push_back({mark.line, mark.column, std::move(message)});
}

SourceMark Diagnostics::ToSourceMark(const YAML::Mark& mark) const {
  // yaml-cpp gives a null mark (-1) to nodes it built itself; 1:1 is a
  // better place to point at than a negative line.
  if (mark.line < 0 || mark.column < 0) return SourceMark{file_, 1, 1};
  return SourceMark{file_, mark.line + 1, mark.column + 1};
}

Status Diagnostics::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::vector<Entry> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::string text;
  for (const Entry& error : sorted) {
    if (!text.empty()) text += '\n';
    text += SourceMark{file_, error.line, error.column}.ToString() + ": " + error.message;
  }
  return Status::Error(text);
}

namespace {

// True when line `line` (from 0) is indented with a tab.
bool IndentedWithTab(const std::string& text, int line) {
  if (line < 0) return false;
  size_t start = 0;
  for (int i = 0; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string::npos) return false;
    ++start;
  }
  size_t first = text.find_first_not_of(" \t", start);
  size_t indent_end = first == std::string::npos ? text.size() : first;
  return text.find('\t', start) < indent_end;
}

}  // namespace

std::optional<YAML::Node> ParseYamlDocument(const std::string& text, Diagnostics* diags) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    std::string message = "YAML syntax error: " + e.msg;
    // yaml-cpp's message for a tab in indentation ("illegal map value") does
    // not say what is wrong; a tab is the usual cause, so name it.
    if (IndentedWithTab(text, e.mark.line))
      message += " (YAML does not allow tabs for indentation)";
    diags->Error(e.mark, message);
    return std::nullopt;
  }
  if (documents.empty() || (documents.size() == 1 && documents[0].IsNull())) {
    diags->Error(YAML::Mark(), "the file holds no YAML document");
    return std::nullopt;
  }
  if (documents.size() > 1) {
    // Silently reading only the first document would hide the rest of what
    // the user wrote.
    diags->Error(documents[1].Mark(),
                 "a second YAML document starts here; the file must hold exactly one");
    return std::nullopt;
  }
  return documents[0];
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return "an empty value";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      break;
  }
  std::string text = node.Scalar();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return "\"" + text + "\"";
}

std::string JoinChoices(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

namespace {

std::string Where(const std::string& path) {
  return path.empty() ? "at the top level" : "in " + path;
}

std::string JoinKeys(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& key : keys) out += (out.empty() ? "" : ", ") + key;
  return out;
}

}  // namespace

MapReader::MapReader(const YAML::Node& map, std::string path,
                     const std::vector<std::string>* allowed, const YAML::Mark& owner_mark,
                     Diagnostics* diags)
    : path_(std::move(path)), owner_mark_(owner_mark), diags_(diags) {
  if (!map.IsMap()) return;
  std::map<std::string, YAML::Mark> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    // Copies, not references: yaml-cpp's iterator hands out a temporary.
    YAML::Node key = it->first;
    YAML::Node value = it->second;
    if (!key.IsScalar() || key.Scalar().empty()) {
      diags_->Error(key.Mark(), "expected a key name " + Where(path_) + ", got " + Describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    if (allowed != nullptr && std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
      std::string message = "unknown key \"" + name + "\" " + Where(path_);
      if (std::optional<std::string> hint = ClosestMatch(name, *allowed)) {
        message += " (did you mean \"" + *hint + "\"?)";
        suggested_.push_back(*hint);
      } else {
        message += "; expected one of: " + JoinKeys(*allowed);
      }
      diags_->Error(key.Mark(), message);
      continue;
    }
    auto [first, inserted] = seen.emplace(name, key.Mark());
    if (!inserted) {
      // yaml-cpp keeps both entries; which one wins would be a guess.
      diags_->Error(key.Mark(), "duplicate key \"" + name + "\" " + Where(path_) +
                                    "; it is first given at line " +
                                    std::to_string(first->second.line + 1));
      continue;
    }
    YamlEntry entry;
    entry.key = name;
    entry.path = path_.empty() ? name : path_ + "." + name;
    entry.value = value;
    entry.key_mark = key.Mark();
    entry.value_mark = value.IsNull() ? key.Mark() : value.Mark();
    entries_.push_back(std::move(entry));
  }
}

MapReader MapReader::Of(const YamlEntry& entry, const std::vector<std::string>* allowed,
                        Diagnostics* diags) {
  if (!entry.value.IsMap()) {
    ReportWrongValue(entry, "a mapping", diags);
    return MapReader(YAML::Node(), entry.path, allowed, entry.key_mark, diags);
  }
  return MapReader(entry.value, entry.path, allowed, entry.key_mark, diags);
}

const YamlEntry* MapReader::Find(std::string_view key) const {
  for (const YamlEntry& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

const YamlEntry* MapReader::Require(std::string_view key, std::string_view hint) const {
  const YamlEntry* entry = Find(key);
  bool misspelt = std::find(suggested_.begin(), suggested_.end(), key) != suggested_.end();
  if (entry == nullptr && !misspelt) {
    diags_->Error(owner_mark_, "missing required key \"" + std::string(key) + "\" " + Where(path_) +
                                   ": " + std::string(hint));
  }
  return entry;
}

void ReportWrongValue(const YamlEntry& entry, std::string_view expected, Diagnostics* diags) {
  diags->Error(entry.value_mark, entry.path + ": expected " + std::string(expected) + ", got " +
                                     Describe(entry.value));
}

std::optional<std::string> ReadString(const YamlEntry& entry, Diagnostics* diags) {
  if (!entry.value.IsScalar() || entry.value.Scalar().empty()) {
    ReportWrongValue(entry, "a non-empty string", diags);
    return std::nullopt;
  }
  return entry.value.Scalar();
}

std::optional<int> ReadInt(const YamlEntry& entry, int min, int max, std::string_view what,
                           Diagnostics* diags) {
  std::string expected = std::string(what) + " (a whole number from " + std::to_string(min) +
                         " to " + std::to_string(max) + ")";
  if (!entry.value.IsScalar()) {
    ReportWrongValue(entry, expected, diags);
    return std::nullopt;
  }
  const std::string& text = entry.value.Scalar();
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    ReportWrongValue(entry, expected, diags);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ReadBool(const YamlEntry& entry, Diagnostics* diags) {
  if (entry.value.IsScalar()) {
    std::string word = entry.value.Scalar();
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (word == "true" || word == "yes" || word == "on") return true;
    if (word == "false" || word == "no" || word == "off") return false;
  }
  ReportWrongValue(entry, "true or false", diags);
  return std::nullopt;
}

}  // namespace pgpair
