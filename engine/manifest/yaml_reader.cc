#include "engine/manifest/yaml_reader.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <sstream>

#include "engine/manifest/suggest.h"
#include "engine/util/text.h"
#include "engine/util/utf8.h"

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

namespace {

// The 0-based mark of byte `offset` of `text`, counted as yaml-cpp counts.
YAML::Mark MarkAt(const std::string& text, size_t offset) {
  YAML::Mark mark;
  mark.pos = static_cast<int>(offset);
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++mark.line;
      mark.column = 0;
    } else {
      ++mark.column;
    }
  }
  return mark;
}

// `text` cut to at most `max` bytes, "..." included, never inside a UTF-8
// sequence.
std::string Shorten(std::string text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

std::string HexByte(unsigned char byte) {
  static const char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[byte >> 4] + kDigits[byte & 0xF];
}

// YAML is Unicode text; yaml-cpp passes other bytes on into values and
// messages, where they would only confuse. Binary files end here too.
bool CheckText(const std::string& text, Diagnostics* diags) {
  if (text.size() > kMaxYamlBytes) {
    diags->Error(YAML::Mark(), "the file is " + std::to_string(text.size()) +
                                   " bytes long; a manifest may hold at most " +
                                   std::to_string(kMaxYamlBytes / 1024) + " KiB");
    return false;
  }
  // The first of: a byte that is not UTF-8, a control character.
  size_t invalid = FirstInvalidUtf8(text).value_or(text.size());
  for (size_t i = 0; i < invalid; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      // A NUL, or a control character first, is a binary file given by
      // mistake; elsewhere, a character pasted into a value.
      std::string message = "control character " + HexByte(c);
      if (c == 0 || i == 0) {
        message += ": this is not a text file; a manifest is UTF-8 YAML text";
      } else {
        message += "; a manifest is UTF-8 text (in a double-quoted string, write \\x" +
                   HexByte(c).substr(2) + ")";
      }
      diags->Error(MarkAt(text, i), message);
      return false;
    }
  }
  if (invalid < text.size()) {
    diags->Error(MarkAt(text, invalid), "byte " +
                                            HexByte(static_cast<unsigned char>(text[invalid])) +
                                            " is not UTF-8 text; save the manifest as UTF-8");
    return false;
  }
  return true;
}

struct YamlLimitExceeded {
  YAML::Mark mark;
  std::string message;
};

// Sees a document as yaml-cpp's parser reads it, before any node is built,
// and stops the parser (by throwing YamlLimitExceeded) at the first node past
// a limit; so the parser's recursion and the tree YAML::Load builds stay small.
class ShapeCheck : public YAML::EventHandler {
 public:
  const YAML::Mark& start() const { return start_; }
  bool empty() const { return nodes_ == 1 && null_; }  // nothing but one null

  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    Count(mark);
    null_ = true;
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Enter(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Enter(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void Count(const YAML::Mark& mark) {
    if (++nodes_ > kMaxYamlNodes) {
      throw YamlLimitExceeded{mark, "the file holds more than " + std::to_string(kMaxYamlNodes) +
                                        " YAML values; a manifest needs a few hundred"};
    }
  }
  void Enter(const YAML::Mark& mark) {
    Count(mark);
    if (++depth_ > kMaxYamlDepth) {
      throw YamlLimitExceeded{mark, "mappings and lists are nested more than " +
                                        std::to_string(kMaxYamlDepth) +
                                        " levels deep here; a manifest needs five"};
    }
  }

  YAML::Mark start_;
  int nodes_ = 0;
  int depth_ = 0;
  bool null_ = false;
};

void ReportSyntaxError(const std::string& text, const YAML::Exception& e, Diagnostics* diags) {
  std::string message = "YAML syntax error: " + e.msg;
  // yaml-cpp's message for a tab in indentation ("illegal map value") does
  // not say what is wrong; a tab is the usual cause, so name it.
  if (IndentedWithTab(text, e.mark.line)) message += " (YAML does not allow tabs for indentation)";
  diags->Error(e.mark, message);
}

// What stands at `mark`, for "unexpected ...": the rest of its line, cut.
std::string TextAt(const std::string& text, const YAML::Mark& mark) {
  size_t pos = mark.pos < 0 ? 0 : static_cast<size_t>(mark.pos);
  if (pos >= text.size()) return "the end of the file";
  return "\"" + Shorten(text.substr(pos, text.find_first_of("\r\n", pos) - pos), 20) + "\"";
}

// Reads the documents of `text` by events only, checking the limits, and
// reports what makes it anything but one document.
bool CheckDocuments(const std::string& text, Diagnostics* diags) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    ShapeCheck first;
    if (!parser.HandleNextDocument(first)) {
      diags->Error(YAML::Mark(), "the file holds no YAML document");
      return false;
    }
    ShapeCheck second;
    if (!parser.HandleNextDocument(second)) return true;
    // A token yaml-cpp 0.7 cannot place (a ',' outside brackets) makes it
    // hand out one empty document after another without reading on (LoadAll
    // then never returns): a document starting where the one before it did.
    bool stuck = second.start().pos <= first.start().pos;
    ShapeCheck third;
    if (!stuck && second.empty() && parser.HandleNextDocument(third)) {
      stuck = third.start().pos <= second.start().pos;
    }
    if (stuck) {
      const YAML::Mark& at = second.start();
      diags->Error(at, "YAML syntax error: unexpected " + TextAt(text, at));
      return false;
    }
    // Silently reading only the first document would hide the rest of what
    // the user wrote.
    diags->Error(second.start(),
                 "a second YAML document starts here; the file must hold exactly one");
    return false;
  } catch (const YamlLimitExceeded& e) {
    diags->Error(e.mark, e.message);
  } catch (const YAML::Exception& e) {
    ReportSyntaxError(text, e, diags);
  }
  return false;
}

}  // namespace

std::optional<YAML::Node> ParseYamlDocument(const std::string& text, Diagnostics* diags) {
  if (!CheckText(text, diags) || !CheckDocuments(text, diags)) return std::nullopt;
  YAML::Node root;
  try {
    // One document, within the limits: the same parser builds it now.
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    ReportSyntaxError(text, e, diags);
    return std::nullopt;
  }
  if (root.IsNull()) {
    diags->Error(YAML::Mark(), "the file holds no YAML document");
    return std::nullopt;
  }
  return root;
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
  std::string text = Shorten(node.Scalar(), 40);
  // A double-quoted scalar can hold any byte ("\0", "\xE9"): keep messages
  // readable text.
  std::string shown;
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      shown += "\\x" + HexByte(byte).substr(2);
    } else {
      shown += c;
    }
  }
  return "\"" + shown + "\"";
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
    // YAML's words (1.1 and 1.2), not PostgreSQL's prefixes: the manifest is YAML.
    std::string word = Lowercase(entry.value.Scalar());
    if (word == "true" || word == "yes" || word == "on") return true;
    if (word == "false" || word == "no" || word == "off") return false;
  }
  ReportWrongValue(entry, "true or false", diags);
  return std::nullopt;
}

}  // namespace pgpair
