#ifndef PGPAIR_ENGINE_MANIFEST_YAML_READER_H_
#define PGPAIR_ENGINE_MANIFEST_YAML_READER_H_

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/manifest/manifest.h"
#include "engine/util/status.h"

namespace pgpair {

// Collects the problems found in one YAML file so that all of them are
// reported at once, in file order, as "file:line:column: message".
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // `mark` is yaml-cpp's, counted from 0; a null mark is reported at 1:1.
  void Error(const YAML::Mark& mark, std::string message);
  void Error(const SourceMark& mark, std::string message);

  bool ok() const { return errors_.empty(); }
  const std::string& file() const { return file_; }
  // yaml-cpp's 0-based mark as a 1-based SourceMark in this file.
  SourceMark ToSourceMark(const YAML::Mark& mark) const;
  // Every error sorted by position (ties keep the order found), one a line.
  Status ToStatus() const;

 private:
  struct Entry {
    int line;
    int column;
    std::string message;
  };
  std::string file_;
  std::vector<Entry> errors_;
};

// Bounds on what ParseYamlDocument reads, so that no text makes it take much
// time or memory. A manifest is a few KiB, nested five levels deep, with a
// few hundred nodes; yaml-cpp 0.7 holds every token of a flow collection
// ([...], {...}) in memory at once, some 250 bytes for each byte of input.
inline constexpr size_t kMaxYamlBytes = 256 * 1024;
inline constexpr int kMaxYamlDepth = 32;  // mappings and lists inside each other
inline constexpr int kMaxYamlNodes = 10000;

// Parses `text` as exactly one YAML document. Reported to `diags`, with an
// empty result: a text longer than kMaxYamlBytes, a byte that is not UTF-8
// or is a control character other than tab, CR and LF, a syntax error,
// nesting deeper than kMaxYamlDepth, more than kMaxYamlNodes nodes, an empty
// text and a second document. Time and memory stay bounded for every text.
std::optional<YAML::Node> ParseYamlDocument(const std::string& text, Diagnostics* diags);

// One "key: value" of a mapping.
struct YamlEntry {
  std::string key;
  std::string path;  // dotted from the document root: "hosts.pg1.ssh.port"
  YAML::Node value;
  YAML::Mark key_mark;
  // Where to report a bad value. For an empty value this is the key's mark:
  // yaml-cpp marks an empty value at the token after it, often the next line.
  YAML::Mark value_mark;
};

// How `node` looks, for "expected X, got Y": "a mapping", "a list",
// "an empty value", or the scalar quoted (cut after 40 bytes, control
// characters written as \xNN). Never use it on a secret.
std::string Describe(const YAML::Node& node);

// A mapping read against the keys it may hold. Building the reader reports
// every key that is not allowed (with the closest allowed key as a hint),
// every key given twice and every key that is not a plain word.
class MapReader {
 public:
  // `path` is "" for the document root. `allowed` null accepts any key (the
  // names under `hosts:`). `owner_mark` is where a missing key is reported:
  // the key that holds this mapping.
  MapReader(const YAML::Node& map, std::string path, const std::vector<std::string>* allowed,
            const YAML::Mark& owner_mark, Diagnostics* diags);

  // The mapping under `entry`, checked with `allowed`; when the value is
  // not a mapping, that is reported and the reader has no entries.
  static MapReader Of(const YamlEntry& entry, const std::vector<std::string>* allowed,
                      Diagnostics* diags);

  // Entries in file order, duplicates and refused keys left out.
  const std::vector<YamlEntry>& entries() const { return entries_; }
  // The entry for `key`, or null when the key is absent.
  const YamlEntry* Find(std::string_view key) const;
  // Same, and reports "missing required key" (with `hint` saying what the
  // key holds) when it is absent, unless a misspelling of it was reported.
  const YamlEntry* Require(std::string_view key, std::string_view hint) const;
  const std::string& path() const { return path_; }
  const YAML::Mark& owner_mark() const { return owner_mark_; }

 private:
  std::string path_;
  YAML::Mark owner_mark_;
  Diagnostics* diags_;
  std::vector<YamlEntry> entries_;
  // Keys offered as "did you mean" for an unknown key: their absence is
  // already explained, so Require does not report it again.
  std::vector<std::string> suggested_;
};

// Readers for scalar values. Each reports a problem, naming the key and what
// is expected, and then returns an empty optional.

// A scalar's text as written. An empty value or an empty string is refused.
std::optional<std::string> ReadString(const YamlEntry& entry, Diagnostics* diags);
// A whole number in [min, max]; `what` says what the number is ("a port").
std::optional<int> ReadInt(const YamlEntry& entry, int min, int max, std::string_view what,
                           Diagnostics* diags);
// true/false, yes/no, on/off, in any case (YAML 1.1 booleans).
std::optional<bool> ReadBool(const YamlEntry& entry, Diagnostics* diags);
// One of the words in `choices`, mapped to its value.
template <typename T>
std::optional<T> ReadEnum(const YamlEntry& entry,
                          const std::vector<std::pair<std::string, T>>& choices,
                          Diagnostics* diags);

// Reports "path: expected `expected`, got <Describe(value)>".
void ReportWrongValue(const YamlEntry& entry, std::string_view expected, Diagnostics* diags);

// ---- implementation of the template ----

std::string JoinChoices(const std::vector<std::string>& words);  // "a, b or c"

template <typename T>
std::optional<T> ReadEnum(const YamlEntry& entry,
                          const std::vector<std::pair<std::string, T>>& choices,
                          Diagnostics* diags) {
  std::optional<std::string> word = ReadString(entry, diags);
  if (!word) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) {
    if (name == *word) return value;
    names.push_back(name);
  }
  ReportWrongValue(entry, JoinChoices(names), diags);
  return std::nullopt;
}

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_MANIFEST_YAML_READER_H_
