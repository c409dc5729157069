#include "engine/apply/server_log.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/facts/setting_value.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

constexpr std::string_view kSeverities[] = {"PANIC",  "FATAL",     "ERROR",    "WARNING", "LOG",
                                            "DETAIL", "HINT",      "QUERY",    "CONTEXT", "NOTICE",
                                            "INFO",   "STATEMENT", "LOCATION", "DEBUG"};

// What a failure is about when the log names no setting: words of the
// message, and the settings that may cause it.
struct Topic {
  std::vector<std::string_view> words;  // lowercased
  std::vector<std::string_view> settings;
};
const Topic kTopics[] = {
    // "could not map anonymous shared memory": the segment's size, or huge pages.
    {{"shared memory", "huge pages"},
     {"shared_buffers", "huge_pages", "huge_page_size", "shared_memory_type", "max_connections",
      "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
      "max_locks_per_transaction", "max_pred_locks_per_transaction", "wal_buffers",
      "autovacuum_max_workers", "max_replication_slots", "min_dynamic_shared_memory"}},
    // "could not create any TCP/IP sockets", "could not bind IPv4 address".
    {{"tcp/ip socket", "could not bind", "listen socket"}, {"listen_addresses", "port"}},
    // "could not create lock file \"/var/run/postgresql/.s.PGSQL.5432.lock\"".
    {{"unix-domain socket", "unix domain socket", ".s.pgsql."},
     {"port", "unix_socket_directories", "unix_socket_group", "unix_socket_permissions"}},
    {{"certificate", "private key", "ssl"},
     {"ssl", "ssl_cert_file", "ssl_key_file", "ssl_ca_file", "ssl_crl_file", "ssl_ciphers",
      "ssl_min_protocol_version", "ssl_max_protocol_version"}},
};

struct LogLine {
  std::string text;
  std::string severity;     // empty: a continuation or a line of another format
  std::optional<long> pid;  // from "[1234]" in the prefix
};

// A line pg_ctl itself wrote into the log file it was given (Debian's
// pg_ctlcluster sends its pg_ctl's output there): not the server's word.
bool FromPgCtl(const std::string& text) {
  return text.rfind("pg_ctl: ", 0) == 0 || text == "Examine the log output.";
}

// The server's own complaints before its logging is set up ("postgres:
// superuser_reserved_connections (3) must be less than max_connections (1)")
// carry the program's name and no prefix: they end the start like a FATAL.
bool EarlyFatal(const std::string& text) {
  return text.rfind("postgres: ", 0) == 0 || text.rfind("postmaster: ", 0) == 0;
}

// "2026-12-01 11:06:15.657 UTC [9420] FATAL:  could not ..." gives FATAL and 9420.
LogLine ParseLine(const std::string& text, size_t* severity_at = nullptr) {
  LogLine line{text, "", std::nullopt};
  if (EarlyFatal(text)) {
    line.severity = "FATAL";
    if (severity_at) *severity_at = 0;
    return line;
  }
  size_t best = std::string::npos;
  for (std::string_view severity : kSeverities) {
    std::string tag = std::string(severity) + ":  ";
    for (size_t at = text.find(tag); at != std::string::npos; at = text.find(tag, at + 1)) {
      // DEBUG1..5 aside, the word stands alone after the prefix.
      if (at != 0 && text[at - 1] != ' ' && text[at - 1] != '\t') continue;
      if (at < best) {
        best = at;
        line.severity = std::string(severity);
      }
      break;
    }
  }
  if (best == std::string::npos) {
    // DEBUG1: ... DEBUG5: carry a digit before the colon.
    size_t at = text.find("DEBUG");
    if (at != std::string::npos && at + 7 < text.size() && std::isdigit(text[at + 5]) &&
        text.compare(at + 6, 3, ":  ") == 0) {
      best = at;
      line.severity = "DEBUG";
    }
  }
  if (severity_at) *severity_at = best;
  if (best == std::string::npos) return line;
  size_t close = text.rfind(']', best);
  size_t open = close == std::string::npos ? std::string::npos : text.rfind('[', close);
  if (open != std::string::npos && close > open + 1) {
    std::string digits = text.substr(open + 1, close - open - 1);
    if (std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(c); })) {
      line.pid = std::stol(digits);
    }
  }
  return line;
}

bool IsFailure(const std::string& severity) { return severity == "FATAL" || severity == "PANIC"; }

bool Explains(const std::string& severity) {
  return severity == "PANIC" || severity == "FATAL" || severity == "ERROR" ||
         severity == "WARNING" || severity == "LOG" || severity == "DETAIL" || severity == "HINT" ||
         severity == "CONTEXT";
}

// Lines that belong to the message before them: DETAIL, HINT, CONTEXT of
// the same process, and tab-indented continuations.
bool Follows(const LogLine& line, const LogLine& message) {
  if (line.severity.empty()) return !line.text.empty() && line.text[0] == '\t';
  if (line.severity != "DETAIL" && line.severity != "HINT" && line.severity != "CONTEXT" &&
      line.severity != "STATEMENT" && line.severity != "QUERY" && line.severity != "LOCATION") {
    return false;
  }
  return !line.pid || !message.pid || *line.pid == *message.pid;
}

// `name` as a whole word of `text` (both lowercased).
bool NamesWord(const std::string& text, const std::string& name) {
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
    bool starts = at == 0 || !word_char(text[at - 1]);
    size_t end = at + name.size();
    bool ends = end == text.size() || !word_char(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

// A value a log line can quote without the match being chance: not a
// boolean word, not a number with or without a unit ("128MB", "10"), at
// least 4 characters ("pgpair_missing", "10.0.0.5", "/etc/ssl/x.pem").
bool Distinctive(const std::string& value) {
  if (value.size() < 4 || ParseSettingBool(value)) return false;
  std::string lower = Lowercase(value);
  size_t at = lower[0] == '-' ? 1 : 0;
  size_t digits = lower.find_first_not_of("0123456789", at);
  if (digits == at) return true;  // does not start with a number
  if (digits != std::string::npos && lower[digits] == '.') {
    digits = lower.find_first_not_of("0123456789", digits + 1);
  }
  if (digits == std::string::npos) return false;  // 10, 1.5
  return !std::all_of(lower.begin() + static_cast<long>(digits), lower.end(),
                      [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

}  // namespace

std::vector<std::string> ExplainingLogLines(const std::string& log, size_t max_lines) {
  std::vector<LogLine> lines;
  for (const std::string& text : SplitLines(log)) {
    std::string trimmed = TrimTrailing(text);
    if (!trimmed.empty() && !FromPgCtl(trimmed)) lines.push_back(ParseLine(trimmed));
  }
  if (lines.empty() || max_lines == 0) return {};

  std::optional<size_t> failure;
  for (size_t i = lines.size(); i-- > 0;) {
    if (IsFailure(lines[i].severity)) {
      failure = i;
      break;
    }
  }
  if (!failure) {
    for (size_t i = lines.size(); i-- > 0;) {
      if (lines[i].severity == "ERROR") {
        failure = i;
        break;
      }
    }
  }
  std::vector<std::string> picked;
  if (!failure) {
    // Nothing says why: the end of the log is the best there is.
    size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
    for (size_t i = first; i < lines.size(); ++i) picked.push_back(lines[i].text);
    return picked;
  }
  const LogLine& message = lines[*failure];
  size_t end = *failure + 1;
  while (end < lines.size() && Follows(lines[end], message)) ++end;

  std::vector<size_t> chosen;
  if (message.pid) {
    for (size_t i = 0; i < *failure; ++i) {
      if (lines[i].pid == message.pid && Explains(lines[i].severity)) chosen.push_back(i);
    }
  } else {
    size_t first = *failure >= 4 ? *failure - 4 : 0;
    for (size_t i = first; i < *failure; ++i) {
      if (Explains(lines[i].severity)) chosen.push_back(i);
    }
  }
  for (size_t i = *failure; i < end; ++i) chosen.push_back(i);
  // Too many: the failure and what follows it matter most.
  size_t tail = end - *failure;
  if (chosen.size() > max_lines) {
    size_t keep_before = max_lines > tail ? max_lines - tail : 0;
    size_t before = chosen.size() - tail;
    chosen.erase(chosen.begin(), chosen.begin() + static_cast<long>(before - keep_before));
    if (chosen.size() > max_lines) chosen.resize(max_lines);
  }
  for (size_t i : chosen) picked.push_back(lines[i].text);
  return picked;
}

std::string FailureLine(const std::vector<std::string>& lines) {
  for (const char* wanted : {"FATAL", "ERROR"}) {
    for (size_t i = lines.size(); i-- > 0;) {
      std::string severity = ParseLine(lines[i]).severity;
      if (severity == wanted || (severity == "PANIC" && std::string(wanted) == "FATAL")) {
        return lines[i];
      }
    }
  }
  return lines.empty() ? "" : lines.back();
}

std::string LogMessage(const std::string& line) {
  size_t at = std::string::npos;
  ParseLine(line, &at);
  return at == std::string::npos ? line : line.substr(at);
}

std::vector<StartSuspect> BlamedSettings(const std::vector<std::string>& lines,
                                         const std::vector<StartSuspect>& suspects) {
  std::string told;    // every line but hints, lowercased
  std::string quoted;  // every line, as written
  for (const std::string& text : lines) {
    LogLine line = ParseLine(text);
    quoted += text + "\n";
    if (line.severity != "HINT") told += Lowercase(text) + "\n";
  }
  std::vector<StartSuspect> blamed;
  for (const StartSuspect& suspect : suspects) {
    if (NamesWord(told, Lowercase(suspect.name))) blamed.push_back(suspect);
  }
  if (!blamed.empty()) return blamed;
  for (const StartSuspect& suspect : suspects) {
    if (Distinctive(suspect.value) && quoted.find(suspect.value) != std::string::npos) {
      blamed.push_back(suspect);
    }
  }
  if (!blamed.empty()) return blamed;
  std::string all = Lowercase(quoted);
  for (const Topic& topic : kTopics) {
    bool about = std::any_of(topic.words.begin(), topic.words.end(), [&](std::string_view word) {
      return all.find(word) != std::string::npos;
    });
    if (!about) continue;
    for (const StartSuspect& suspect : suspects) {
      if (std::find(topic.settings.begin(), topic.settings.end(), suspect.name) !=
              topic.settings.end() &&
          std::find_if(blamed.begin(), blamed.end(), [&](const StartSuspect& b) {
            return b.name == suspect.name;
          }) == blamed.end()) {
        blamed.push_back(suspect);
      }
    }
  }
  if (!blamed.empty()) return blamed;
  return suspects;
}

}  // namespace pgpair
