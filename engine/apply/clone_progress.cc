#include "engine/apply/clone_progress.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "engine/util/text.h"

namespace pgpair {
namespace {

// Digits at the front of `text`, consumed; empty when there are none.
std::optional<int64_t> TakeNumber(std::string_view& text) {
  size_t n = 0;
  int64_t value = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') {
    if (value > (INT64_MAX - 9) / 10) return std::nullopt;
    value = value * 10 + (text[n] - '0');
    ++n;
  }
  if (n == 0) return std::nullopt;
  text.remove_prefix(n);
  return value;
}

bool TakePrefix(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// pg_basebackup --verbose's messages that say what it waits for, in words
// that name the primary; the others it prints are routine and stay quiet.
struct VerboseMessage {
  const char* starts;
  const char* waits_for;  // nullptr: routine
};
constexpr VerboseMessage kVerboseMessages[] = {
    {"initiating base backup, waiting for checkpoint", "checkpoint"},
    {"waiting for background process to finish streaming", "wal"},
    {"syncing data to disk", "sync"},
    {"checkpoint completed", nullptr},
    {"write-ahead log start point", nullptr},
    {"write-ahead log end point", nullptr},
    {"transaction log start point", nullptr},
    {"transaction log end point", nullptr},
    {"starting background WAL receiver", nullptr},
    {"created temporary replication slot", nullptr},
    {"created replication slot", nullptr},
    {"renaming backup_manifest", nullptr},
    {"base backup completed", nullptr},
};

double Seconds(std::chrono::duration<double> d) { return d.count(); }

}  // namespace

std::optional<BasebackupProgress> ParseBasebackupProgressLine(std::string_view line) {
  std::string_view rest = Trim(line);
  std::optional<int64_t> done = TakeNumber(rest);
  if (!done || !TakePrefix(rest, "/")) return std::nullopt;
  std::optional<int64_t> total = TakeNumber(rest);
  if (!total || !TakePrefix(rest, " kB (")) return std::nullopt;
  if (!TakeNumber(rest) || !TakePrefix(rest, "%), ")) return std::nullopt;
  if (!TakeNumber(rest) || !TakePrefix(rest, "/") || !TakeNumber(rest)) return std::nullopt;
  if (!TakePrefix(rest, " tablespace")) return std::nullopt;
  // kB of 1024 bytes, as pg_basebackup counts them.
  if (*done > INT64_MAX / 1024 || *total > INT64_MAX / 1024) return std::nullopt;
  return BasebackupProgress{*done * 1024, *total * 1024};
}

std::string FormatByteSize(int64_t bytes) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes < 0 ? 0 : bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < sizeof kUnits / sizeof kUnits[0]) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  if (unit == 0 || value >= 10) {
    std::snprintf(text, sizeof text, "%.0f %s", std::floor(value), kUnits[unit]);
  } else {
    std::snprintf(text, sizeof text, "%.1f %s", std::floor(value * 10) / 10, kUnits[unit]);
  }
  return text;
}

std::string FormatRemaining(std::chrono::seconds remaining) {
  int64_t s = remaining.count() < 1 ? 1 : remaining.count();
  if (s < 90) return std::to_string(s) + " s";
  int64_t minutes = (s + 30) / 60;
  if (minutes < 60) return std::to_string(minutes) + " min";
  return std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

std::string DescribeCloneProgress(const BasebackupProgress& first, const BasebackupProgress& now,
                                  std::chrono::duration<double> elapsed) {
  std::string text = "copying " + FormatByteSize(now.done_bytes);
  const bool past_estimate = now.total_bytes > 0 && now.done_bytes > now.total_bytes;
  if (past_estimate) {
    text += " (more than the " + FormatByteSize(now.total_bytes) + " the primary estimated)";
  } else if (now.total_bytes > 0) {
    text += " of " + FormatByteSize(now.total_bytes);
  }
  const int64_t copied = now.done_bytes - first.done_bytes;
  if (Seconds(elapsed) < 0.5 || copied <= 0) return text;
  const double rate = static_cast<double>(copied) / Seconds(elapsed);
  text += ", " + FormatByteSize(static_cast<int64_t>(rate)) + "/s";
  if (!past_estimate && now.total_bytes > now.done_bytes) {
    const double left = static_cast<double>(now.total_bytes - now.done_bytes) / rate;
    text += ", about " + FormatRemaining(std::chrono::seconds(std::lround(left))) + " left";
  }
  return text;
}

CloneProgressReporter::CloneProgressReporter(std::function<void(const std::string&)> report,
                                             std::chrono::milliseconds interval,
                                             std::string primary_name, Clock::time_point started)
    : report_(std::move(report)),
      interval_(interval),
      primary_name_(std::move(primary_name)),
      started_(started) {}

void CloneProgressReporter::Feed(std::string_view piece, Clock::time_point now) {
  for (char c : piece) {
    // A terminal's pg_basebackup ends its progress lines with CR.
    if (c == '\n' || c == '\r') {
      if (!partial_.empty()) HandleLine(partial_, now);
      partial_.clear();
    } else if (partial_.size() < 64 * 1024) {
      partial_ += c;
    }
  }
}

void CloneProgressReporter::Finish(Clock::time_point now) {
  if (!partial_.empty()) HandleLine(partial_, now);
  partial_.clear();
  if (!last_ || last_->done_bytes <= 0) return;
  // pg_basebackup prints a last sample when its copy is done: the total.
  const double seconds = Seconds(now - started_);
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", seconds);
  std::string text = "copied " + FormatByteSize(last_->done_bytes) + " in " + took + " s";
  if (seconds >= 0.5) {
    text += " (" +
            FormatByteSize(static_cast<int64_t>(static_cast<double>(last_->done_bytes) / seconds)) +
            "/s)";
  }
  report_(text);
}

void CloneProgressReporter::HandleLine(std::string_view line, Clock::time_point now) {
  if (std::optional<BasebackupProgress> sample = ParseBasebackupProgressLine(line)) {
    if (!first_) {
      first_ = sample;
      first_at_ = now;
    }
    last_ = sample;
    if (!any_reported_ || now - last_reported_at_ >= interval_) {
      report_(DescribeCloneProgress(*first_, *last_, now - first_at_));
      last_reported_at_ = now;
      any_reported_ = true;
    }
    return;
  }
  std::string_view rest = Trim(line);
  if (TakePrefix(rest, "pg_basebackup: ")) {
    for (const VerboseMessage& message : kVerboseMessages) {
      if (!StartsWith(rest, message.starts)) continue;
      if (message.waits_for == nullptr) return;
      const std::string what = message.waits_for;
      if (what == "checkpoint") {
        report_("waiting for " + primary_name_ +
                "'s checkpoint (pg_basebackup asks for a fast one) before the copy starts");
      } else if (what == "wal") {
        report_("data files copied; waiting for the WAL written meanwhile to arrive from " +
                primary_name_);
      } else {
        report_("syncing the copy to disk");
      }
      return;
    }
  }
  if (!other_.empty()) other_ += '\n';
  other_.append(line.data(), line.size());
}

}  // namespace pgpair
