#include "engine/apply/clone_progress.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/fixture_file.h"

namespace pgpair {
namespace {

using Clock = CloneProgressReporter::Clock;
using std::chrono::milliseconds;

TEST_CASE("pg_basebackup's progress lines are read, other lines are not", "[clone_progress]") {
  struct Case {
    const char* line;
    std::optional<BasebackupProgress> expected;
    const char* proves;
  };
  const Case cases[] = {
      {"20508/84987 kB (24%), 0/1 tablespace (/tmp/bb/base/5/16384               )",
       BasebackupProgress{20508 * 1024, 84987 * 1024}, "--verbose names the file"},
      {"84998/84998 kB (100%), 1/1 tablespace                                         ",
       BasebackupProgress{84998 * 1024, 84998 * 1024}, "the last line, padded"},
      {"   512/3400000 kB (0%), 0/2 tablespaces", BasebackupProgress{512 * 1024, 3400000 * 1024LL},
       "right-aligned, plural"},
      {"90000/84987 kB (105%), 0/1 tablespace", BasebackupProgress{90000 * 1024, 84987 * 1024},
       "past the estimate (10 to 12 estimate before copying)"},
      {"pg_basebackup: checkpoint completed", std::nullopt, "a verbose message"},
      {"20508/84987 MB (24%), 0/1 tablespace", std::nullopt, "another unit"},
      {"20508 kB (24%)", std::nullopt, "no total"},
      {"99999999999999999999/1 kB (0%), 0/1 tablespace", std::nullopt, "overflow"},
      {"", std::nullopt, "empty"},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    std::optional<BasebackupProgress> got = ParseBasebackupProgressLine(c.line);
    REQUIRE(got.has_value() == c.expected.has_value());
    if (got) {
      CHECK(got->done_bytes == c.expected->done_bytes);
      CHECK(got->total_bytes == c.expected->total_bytes);
    }
  }
}

TEST_CASE("Sizes and times read as a person would say them", "[clone_progress]") {
  CHECK(FormatByteSize(0) == "0 B");
  CHECK(FormatByteSize(1023) == "1023 B");
  CHECK(FormatByteSize(85 * 1024) == "85 kB");
  CHECK(FormatByteSize(85LL * 1024 * 1024 + 500) == "85 MB");
  CHECK(FormatByteSize(1200000000LL) == "1.1 GB");  // 1.117 GB: never rounded up
  CHECK(FormatByteSize(1288490189LL) == "1.2 GB");
  CHECK(FormatByteSize(12LL * 1024 * 1024 * 1024) == "12 GB");
  CHECK(FormatRemaining(std::chrono::seconds(0)) == "1 s");
  CHECK(FormatRemaining(std::chrono::seconds(26)) == "26 s");
  CHECK(FormatRemaining(std::chrono::seconds(89)) == "89 s");
  CHECK(FormatRemaining(std::chrono::seconds(200)) == "3 min");
  CHECK(FormatRemaining(std::chrono::seconds(3900)) == "1 h 5 min");
}

TEST_CASE("A progress line has the size, the rate and the time left", "[clone_progress]") {
  const int64_t mb = 1024 * 1024;
  BasebackupProgress first{0, 3400 * mb};
  // 1200 MB in 14 s: 85 MB/s, 2200 MB left: 26 s.
  CHECK(DescribeCloneProgress(first, {1200 * mb, 3400 * mb}, std::chrono::seconds(14)) ==
        "copying 1.1 GB of 3.3 GB, 85 MB/s, about 26 s left");
  // No time yet: no rate.
  CHECK(DescribeCloneProgress(first, {12 * mb, 3400 * mb}, std::chrono::seconds(0)) ==
        "copying 12 MB of 3.3 GB");
  // Past the estimate: no time left promised.
  CHECK(DescribeCloneProgress(first, {3500 * mb, 3400 * mb}, std::chrono::seconds(35)) ==
        "copying 3.4 GB (more than the 3.3 GB the primary estimated), 100 MB/s");
}

// The captured output, fed as it arrived: a line at a time, one second apart.
std::vector<std::string> FeedCapture(milliseconds interval) {
  std::vector<std::string> told;
  const Clock::time_point start{};
  CloneProgressReporter reporter([&](const std::string& text) { told.push_back(text); }, interval,
                                 "pg1", start);
  std::string capture = testing::ReadFixture("pg_basebackup/pg15_progress_verbose.txt");
  Clock::time_point now = start;
  size_t at = 0;
  while (at < capture.size()) {
    size_t end = capture.find('\n', at);
    end = end == std::string::npos ? capture.size() : end + 1;
    // Split inside a line too: a read may end anywhere.
    std::string piece = capture.substr(at, end - at);
    reporter.Feed(piece.substr(0, piece.size() / 2), now);
    reporter.Feed(piece.substr(piece.size() / 2), now);
    now += std::chrono::seconds(1);
    at = end;
  }
  reporter.Finish(now);
  CHECK(reporter.other_text().empty());
  return told;
}

TEST_CASE("The clone tells its waits, its progress every interval, and the total",
          "[clone_progress]") {
  // Lines 6 to 11 are the six progress lines, at seconds 5 to 10.
  std::vector<std::string> told = FeedCapture(milliseconds(3000));
  CHECK(told == std::vector<std::string>{
                    "waiting for pg1's checkpoint (pg_basebackup asks for a fast one) before "
                    "the copy starts",
                    "copying 20 MB of 82 MB",
                    "copying 82 MB of 82 MB, 20 MB/s, about 1 s left",
                    "data files copied; waiting for the WAL written meanwhile to arrive from pg1",
                    "syncing the copy to disk",
                    "copied 83 MB in 16.0 s (5.1 MB/s)",
                });
  // Every line, when the interval is shorter than the lines' spacing.
  std::vector<std::string> all = FeedCapture(milliseconds(500));
  CHECK(all.size() == 4 + 6);
}

TEST_CASE("What is not progress is kept for the error message", "[clone_progress]") {
  std::vector<std::string> told;
  CloneProgressReporter reporter([&](const std::string& text) { told.push_back(text); },
                                 milliseconds(3000), "pg1", Clock::time_point{});
  reporter.Feed(
      "pg_basebackup: error: connection to server at \"198.18.0.11\", port 5432 failed: FATAL:  "
      "no pg_hba.conf entry for replication connection\r\npg_basebackup failed",
      Clock::time_point{});
  reporter.Finish(Clock::time_point{} + std::chrono::seconds(1));
  CHECK(told.empty());
  CHECK(reporter.other_text() ==
        "pg_basebackup: error: connection to server at \"198.18.0.11\", port 5432 failed: FATAL:  "
        "no pg_hba.conf entry for replication connection\npg_basebackup failed");
}

}  // namespace
}  // namespace pgpair
