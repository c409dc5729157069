#ifndef PGPAIR_TESTS_INTEGRATION_BACKGROUND_PGPAIR_H_
#define PGPAIR_TESTS_INTEGRATION_BACKGROUND_PGPAIR_H_

// The real pgpair binary run in the background, for end-to-end tests that
// act while it works (a second apply, kill -9, a cut link). Nothing here
// fakes anything.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {

class BackgroundPgpair {
 public:
  // Starts `pgpair ARGUMENTS...` with stdin from /dev/null and its output in
  // files of a scratch directory.
  explicit BackgroundPgpair(const std::vector<std::string>& arguments) {
    out_path_ = dir_.path() + "/stdout";
    err_path_ = dir_.path() + "/stderr";
    pid_ = fork();
    if (pid_ == 0) {
      int in = open("/dev/null", O_RDONLY);
      int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in < 0 || out < 0 || err < 0) _exit(127);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      std::vector<char*> argv;
      std::string binary = PGPAIR_BINARY;
      argv.push_back(binary.data());
      std::vector<std::string> copies = arguments;
      for (std::string& argument : copies) argv.push_back(argument.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
  }
  // A run still going when the test ends is killed: it must not hold the
  // sandbox's locks for the next test.
  ~BackgroundPgpair() {
    if (Running()) Kill9();
  }
  BackgroundPgpair(const BackgroundPgpair&) = delete;
  BackgroundPgpair& operator=(const BackgroundPgpair&) = delete;

  pid_t pid() const { return pid_; }

  bool Running() {
    if (pid_ <= 0 || status_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return false;
    }
    return true;
  }

  // Waits at most `limit` for the run to end; its exit status (128 + signal
  // for a killed one), or nothing if it still runs.
  std::optional<int> Wait(std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (Running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Running();
    return status_;
  }

  void Kill9() {
    if (pid_ > 0 && !status_) {
      kill(pid_, SIGKILL);
      Wait(std::chrono::seconds(10));
    }
  }

  std::string out() const { return ReadText(out_path_); }
  std::string err() const { return ReadText(err_path_); }

 private:
  TempDir dir_;
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Polls `done` every 200 ms for at most `limit`; whether it came true.
template <typename Predicate>
bool WaitUntil(std::chrono::seconds limit, Predicate done) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_INTEGRATION_BACKGROUND_PGPAIR_H_
