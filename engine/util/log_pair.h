#ifndef PGPAIR_ENGINE_UTIL_LOG_PAIR_H_
#define PGPAIR_ENGINE_UTIL_LOG_PAIR_H_

// Which pair a log line is about, when one run works on many (a fleet check
// or plan): its host names alone ("pg1") may be shared by every pair. A
// worker thread names its pair for as long as a LogPairScope lives, and the
// log pattern's %& flag prints "[PAIR] " in its lines; a thread that named
// none prints nothing, so a one-pair run's lines are unchanged.

#include <spdlog/pattern_formatter.h>

#include <memory>
#include <string>

namespace pgpair {

class LogPairScope {
 public:
  explicit LogPairScope(std::string pair);
  ~LogPairScope();
  LogPairScope(const LogPairScope&) = delete;
  LogPairScope& operator=(const LogPairScope&) = delete;

 private:
  std::string outer_;  // the name it replaced, put back at its end
};

// The calling thread's pair, "" when it named none: what a thread it starts
// passes on to its own LogPairScope.
const std::string& LoggedPair();

// The `%&` flag of the log pattern.
class LogPairFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& time,
              spdlog::memory_buf_t& dest) override;
  std::unique_ptr<custom_flag_formatter> clone() const override;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_LOG_PAIR_H_
