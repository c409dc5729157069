#ifndef PGPAIR_ENGINE_APPLY_CLONE_PROGRESS_H_
#define PGPAIR_ENGINE_APPLY_CLONE_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pgpair {

// How far a base backup is: the data files streamed and the total the
// server estimated before it began (what pg_stat_progress_basebackup calls
// backup_streamed and backup_total, and what pg_basebackup --progress
// prints), in bytes.
struct BasebackupProgress {
  int64_t done_bytes = 0;
  int64_t total_bytes = 0;
};

// One line of `pg_basebackup --progress` (run with LC_ALL=C), with or
// without --verbose's file name: "12345/67890 kB (18%), 0/1 tablespace" and
// "12345/67890 kB (18%), 0/1 tablespace (base/5/1259)". Empty for any other
// line.
std::optional<BasebackupProgress> ParseBasebackupProgressLine(std::string_view line);

// A size as PostgreSQL prints one (pg_size_pretty's units of 1024): "512 B",
// "85 kB", "85 MB", "1.2 GB" (one decimal below 10 of a unit).
std::string FormatByteSize(int64_t bytes);

// A duration for "about ... left": "26 s", "3 min", "1 h 5 min".
std::string FormatRemaining(std::chrono::seconds remaining);

// "copying 1.2 GB of 3.4 GB, 85 MB/s, about 26 s left": what the clone says
// `elapsed` after its first progress sample `first` at sample `now`. The
// rate and the time left are left out until they mean something (no time
// has passed, nothing was copied); a copy past the server's estimate says so.
std::string DescribeCloneProgress(const BasebackupProgress& first, const BasebackupProgress& now,
                                  std::chrono::duration<double> elapsed);

// The numbers come from pg_basebackup's own --progress on every major. From
// 13 on they are the server's, what pg_stat_progress_basebackup shows as
// backup_streamed and backup_total (13 made the size estimate a default of
// every base backup), so no second session polls the primary during the
// copy; on 10 to 12, --progress is what makes the server estimate the total.
//
// Reads the standard error of the clone's copy step (pg_basebackup
// --progress --verbose under engine/apply/standby_clone.sh) as it arrives
// and tells `report` what a person should see: the first progress line at
// once, then one at most every `interval` (a terminal and a log both stay
// readable), what pg_basebackup waits for (the primary's checkpoint, the end
// of the WAL stream, the sync to disk), and at Finish how much was copied in
// how long. Every other line (pg_basebackup's errors, the script's own) is
// kept for the error message. Not thread-safe; the clock is the caller's.
class CloneProgressReporter {
 public:
  using Clock = std::chrono::steady_clock;

  // The copy step started at `started`; `primary_name` is how messages name
  // the host copied from.
  CloneProgressReporter(std::function<void(const std::string&)> report,
                        std::chrono::milliseconds interval, std::string primary_name,
                        Clock::time_point started);

  // Takes a piece of standard error, read at `now`; complete lines are
  // handled, a partial one waits for its end.
  void Feed(std::string_view piece, Clock::time_point now);
  // The copy step ended at `now`: handles a last unterminated line and, when
  // data was copied, reports "copied 3.4 GB in 40 s (85 MB/s)", timed from
  // the step's start.
  void Finish(Clock::time_point now);

  // The lines that were neither progress nor a known message, joined by
  // newlines.
  const std::string& other_text() const { return other_; }

 private:
  void HandleLine(std::string_view line, Clock::time_point now);

  std::function<void(const std::string&)> report_;
  std::chrono::milliseconds interval_;
  std::string primary_name_;
  std::string partial_;
  std::string other_;
  std::optional<BasebackupProgress> first_, last_;
  Clock::time_point started_, first_at_, last_reported_at_;
  bool any_reported_ = false;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_CLONE_PROGRESS_H_
