#ifndef PGPAIR_TESTS_UNIT_FAKES_FAKE_TRANSPORT_H_
#define PGPAIR_TESTS_UNIT_FAKES_FAKE_TRANSPORT_H_

#include <chrono>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/transport/transport.h"

namespace pgpair {

// A scripted Transport for unit tests: no sockets, no host.
//
//   FakeTransport host("pg1 (198.18.0.11)");
//   host.OnCommand("pg_lsclusters", FakeTransport::Stdout("15 main 5432 online ..."));
//   host.OnCommand("cat -- /etc/hosts", FakeTransport::Exit(1, "Permission denied"));
//   host.Then(FakeTransport::Stdout("first unmatched answer"));
//   host.Then(Status::Error("pg1 (198.18.0.11): connection lost"));
//   ... run the code under test with `host` as its Transport& ...
//   CHECK(host.calls().size() == 2);
//   CHECK(host.calls()[0].stdin_data == "secret");
//
// Each Exec is answered by the first OnCommand rule (in the order added)
// whose substring occurs in the command; rules answer any number of times.
// A command no rule matches takes the next answer queued with Then. With
// neither, Exec returns an error naming the command, so a test never passes
// by accident on an unexpected command. Every call is recorded, answered or
// not, and counts in exec_count().
class FakeTransport : public Transport {
 public:
  // What one Exec received.
  struct Call {
    std::string command;
    std::string stdin_data;
    std::chrono::milliseconds timeout{0};
  };

  explicit FakeTransport(std::string label = "pg1 (198.18.0.11)") : label_(std::move(label)) {}

  // A command that exits 0 with `stdout_text`.
  static ExecResult Stdout(std::string stdout_text) {
    return ExecResult{0, std::move(stdout_text), ""};
  }
  // A command that exits with `exit_status`, printing `stderr_text`.
  static ExecResult Exit(int exit_status, std::string stderr_text = "",
                         std::string stdout_text = "") {
    return ExecResult{exit_status, std::move(stdout_text), std::move(stderr_text)};
  }
  // A command that exits 0 with the content of a fixture file as stdout.
  static ExecResult StdoutFromFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("FakeTransport: cannot read fixture " + path);
    std::ostringstream content;
    content << in.rdbuf();
    return Stdout(content.str());
  }

  // Answers every command containing `substring` with `answer` (an
  // ExecResult, or an error Status for a failure to run it at all).
  FakeTransport& OnCommand(std::string substring, Result<ExecResult> answer) {
    rules_.push_back({std::move(substring), std::move(answer)});
    return *this;
  }
  // Queues `answer` for the next command that no rule matches.
  FakeTransport& Then(Result<ExecResult> answer) {
    queue_.push_back(std::move(answer));
    return *this;
  }

  const std::vector<Call>& calls() const { return calls_; }
  // The commands received, in order.
  std::vector<std::string> commands() const {
    std::vector<std::string> commands;
    for (const Call& call : calls_) commands.push_back(call.command);
    return commands;
  }

  const std::string& host_label() const override { return label_; }
  int exec_count() const override { return static_cast<int>(calls_.size()); }

  Result<ExecResult> Exec(const std::string& command, const std::string& stdin_data,
                          std::chrono::milliseconds timeout) override {
    calls_.push_back({command, stdin_data, timeout});
    for (const Rule& rule : rules_) {
      if (command.find(rule.substring) != std::string::npos) return rule.answer;
    }
    if (!queue_.empty()) {
      Result<ExecResult> answer = std::move(queue_.front());
      queue_.pop_front();
      return answer;
    }
    return Status::Error(label_ + ": FakeTransport has no scripted answer for: " + command);
  }

 private:
  struct Rule {
    std::string substring;
    Result<ExecResult> answer;
  };

  std::string label_;
  std::vector<Rule> rules_;
  std::deque<Result<ExecResult>> queue_;
  std::vector<Call> calls_;
};

}  // namespace pgpair

#endif  // PGPAIR_TESTS_UNIT_FAKES_FAKE_TRANSPORT_H_
