#ifndef PGPAIR_TESTS_INTEGRATION_BACKGROUND_PGPAIR_H_
#define PGPAIR_TESTS_INTEGRATION_BACKGROUND_PGPAIR_H_

// The real pgpair binary run in the background, for end-to-end tests that
// act while it works (a second apply, kill -9, a cut link). Nothing here
// fakes anything. One class for every test: two of one name in one binary
// would be one class to the linker, with either's members.

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {

using Clock = std::chrono::steady_clock;

// Polls `done` every 50 ms until it holds or `timeout` passes; says whether
// it held.
inline bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The pgpair binary running in the background, stdout and stderr to one
// file (line-buffered through stdbuf, so a line is there as soon as pgpair
// prints it, as in an operator's log). Killed with SIGKILL when the object
// goes and the process still runs.
class BackgroundPgpair {
 public:
  // `pgpair ARGUMENTS`, its output in `output_file`, or in a file of a
  // scratch directory of its own when none is given.
  explicit BackgroundPgpair(const std::string& arguments, const std::string& output_file = "")
      : output_file_(output_file.empty() ? scratch_.path() + "/output" : output_file) {
    std::string command = "exec stdbuf -oL -eL " + std::string(PGPAIR_BINARY) + " " + arguments +
                          " >" + ShellQuote(output_file_) + " 2>&1 </dev/null";
    pid_ = fork();
    if (pid_ == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  BackgroundPgpair(const BackgroundPgpair&) = delete;
  BackgroundPgpair& operator=(const BackgroundPgpair&) = delete;
  ~BackgroundPgpair() {
    if (Running()) Kill9();
  }

  // pgpair's own PID (sh and stdbuf exec it).
  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }

  std::string Output() const { return ReadText(output_file_); }

  // Whether it still runs; reaps it (and keeps its exit status) once it ended.
  bool Running() {
    if (pid_ <= 0 || status_) return false;
    int raw = 0;
    pid_t got = waitpid(pid_, &raw, WNOHANG);
    if (got == 0) return true;
    status_ = got == pid_ && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return false;
  }

  // Waits until the `occurrence`-th line matching `pattern` is in the output.
  // False when pgpair ended first or `timeout` passed.
  bool WaitForLine(const std::string& pattern, std::chrono::seconds timeout, int occurrence = 1) {
    std::regex re(pattern);
    bool found = false;
    WaitUntil(
        [&] {
          bool running = Running();
          found = CountLines(re) >= occurrence;
          return found || !running;
        },
        timeout);
    return found;
  }

  // Its exit status once it ends within `timeout`; nothing if it still runs.
  std::optional<int> Wait(std::chrono::seconds timeout) {
    WaitUntil([&] { return !Running(); }, timeout);
    return status_;
  }

  // SIGKILL, as an operator's kill -9 or the OOM killer would; then reaped.
  void Kill9() {
    if (pid_ <= 0 || status_) return;
    kill(pid_, SIGKILL);
    int raw = 0;
    waitpid(pid_, &raw, 0);
    status_ = -1;
  }

 private:
  int CountLines(const std::regex& re) const {
    std::istringstream lines(Output());
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
      if (std::regex_search(line, re)) ++count;
    }
    return count;
  }

  TempDir scratch_;  // before output_file_, which may name a file in it
  std::string output_file_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_INTEGRATION_BACKGROUND_PGPAIR_H_
