#include "engine/facts/parsers/pg_lsclusters.h"

#include <charconv>

#include "engine/util/text.h"

namespace pgpair {
namespace {

constexpr char kUnknown[] = "<unknown>";

// pg_lsclusters colours its lines when stdout is a terminal (ssh -t).
std::string StripColour(std::string_view line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\033' && i + 1 < line.size() && line[i + 1] == '[') {
      size_t m = line.find('m', i);
      if (m != std::string_view::npos) {
        i = m;
        continue;
      }
    }
    out += line[i];
  }
  return out;
}

std::vector<std::string_view> SplitWords(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t begin = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > begin) words.push_back(s.substr(begin, i - begin));
  }
  return words;
}

std::optional<std::string> Known(std::string_view value) {
  if (value.empty() || value == kUnknown) return std::nullopt;
  return std::string(value);
}

Result<LsCluster> MakeCluster(const std::vector<std::string_view>& columns, int line_number) {
  const std::string where = "pg_lsclusters output line " + std::to_string(line_number);
  LsCluster c;
  c.version = std::string(columns[0]);
  c.cluster = std::string(columns[1]);
  if (columns[2] != kUnknown) {
    int port = 0;
    auto [end, error] =
        std::from_chars(columns[2].data(), columns[2].data() + columns[2].size(), port);
    if (error != std::errc() || end != columns[2].data() + columns[2].size()) {
      return Status::Error(where + ": port \"" + std::string(columns[2]) + "\" is not a number");
    }
    c.port = port;
  }
  c.status = std::string(columns[3]);
  c.online = c.status.rfind("online", 0) == 0;
  c.in_recovery = (c.status + ",").find(",recovery,") != std::string::npos;
  c.owner = Known(columns[4]);
  c.data_directory = Known(columns[5]);
  if (columns.size() > 6) c.log_file = Known(columns[6]);
  return c;
}

}  // namespace

Result<std::vector<LsCluster>> ParsePgLsclusters(std::string_view text) {
  std::vector<LsCluster> clusters;
  // Column starts taken from the header, when there is one.
  std::vector<size_t> starts;
  int line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string line = StripColour(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_number;
    if (Trim(line).empty()) continue;

    if (line.rfind("Ver ", 0) == 0 && line.find("Cluster") != std::string::npos) {
      for (const char* label :
           {"Ver", "Cluster", "Port", "Status", "Owner", "Data directory", "Log file"}) {
        size_t at = line.find(label, starts.empty() ? 0 : starts.back());
        if (at == std::string::npos) {
          return Status::Error("pg_lsclusters header lacks the column \"" + std::string(label) +
                               "\"");
        }
        starts.push_back(at);
      }
      continue;
    }

    std::vector<std::string_view> columns;
    std::string_view view(line);
    if (!starts.empty()) {
      // Every column but the last is padded to the header's width.
      for (size_t i = 0; i < starts.size(); ++i) {
        if (starts[i] >= view.size()) break;
        size_t next = i + 1 < starts.size() ? starts[i + 1] : view.size();
        columns.push_back(Trim(view.substr(starts[i], next - starts[i])));
      }
    } else {
      columns = SplitWords(view);
      // The log column is the rest of the line; without a header a data
      // directory with a space cannot be told from it.
      if (columns.size() > 7) {
        return Status::Error("pg_lsclusters output line " + std::to_string(line_number) +
                             " has more than 7 columns; run it with its header to split paths "
                             "that contain spaces");
      }
    }
    if (columns.size() < 6) {
      return Status::Error("pg_lsclusters output line " + std::to_string(line_number) +
                           " has too few columns: \"" + line + "\"");
    }
    Result<LsCluster> cluster = MakeCluster(columns, line_number);
    if (!cluster.ok()) return cluster.status();
    clusters.push_back(std::move(*cluster));
  }
  return clusters;
}

}  // namespace pgpair
