#ifndef PGPAIR_TESTS_UNIT_FAKES_FAKE_LEASE_HOST_H_
#define PGPAIR_TESTS_UNIT_FAKES_FAKE_LEASE_HOST_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/transport/line_channel.h"

namespace pgpair {

// One host's side of the apply lease (engine/apply/apply_lease.sh), scripted
// for unit tests: no sockets, no host. It speaks the lease's protocol:
//
//   FakeLeaseHost pg1("pg1 (198.18.0.11)");
//   pg1.FirstLine("LOCKED 4242");        // or "HELD\tuser=root\t...", "ERROR ..."
//   ... ApplyLock::Acquire with an opener that calls pg1.Open(command) ...
//   pg1.StopAnswering();                 // a cut link: beats get no "ok"
//   pg1.EndLease("killed");              // the lease process ended
//   CHECK(pg1.received().back() == "release");
//
// Once the first line is read, each "beat" is answered "ok" (until
// StopAnswering), and "release" is answered "released", after which the
// output closes. Channels and the test share the state under a mutex, so the
// lock's heartbeat thread and the test may use them at the same time.
class FakeLeaseHost {
 public:
  explicit FakeLeaseHost(std::string label) : state_(std::make_shared<State>()) {
    state_->label = std::move(label);
  }

  // What the lease prints first.
  FakeLeaseHost& FirstLine(std::string line) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->first_line = std::move(line);
    return *this;
  }
  // The lease ends before printing anything, with `stderr_text`.
  FakeLeaseHost& EndAtOnce(std::string stderr_text) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->end_at_once = true;
    state_->stderr_text = std::move(stderr_text);
    return *this;
  }
  // The connection cannot be opened at all.
  FakeLeaseHost& RefuseConnection(std::string message) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->refusal = std::move(message);
    return *this;
  }

  // Beats still arrive but are no longer answered: the link is gone.
  void StopAnswering() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->answering = false;
  }
  // The lease process ends: its output closes, with `stderr_text`.
  void EndLease(std::string stderr_text = "") {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->closed = true;
      state_->stderr_text = std::move(stderr_text);
    }
    state_->changed.notify_all();
  }

  // The commands Open was given, in order.
  std::vector<std::string> commands() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->commands;
  }
  // The lines pgpair wrote, in order.
  std::vector<std::string> received() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->received;
  }
  int beats() const {
    int count = 0;
    for (const std::string& line : received()) count += line == "beat";
    return count;
  }
  // Whether the channel of the latest Open was destroyed (pgpair let go).
  bool channel_closed() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->channel_destroyed;
  }

  Result<std::unique_ptr<LineChannel>> Open(const std::string& command) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->commands.push_back(command);
    if (!state_->refusal.empty()) return Status::Error(state_->refusal);
    state_->output.clear();
    state_->closed = state_->end_at_once;
    state_->channel_destroyed = false;
    if (!state_->end_at_once) state_->output.push_back(state_->first_line);
    return std::unique_ptr<LineChannel>(new Channel(state_));
  }

 private:
  struct State {
    std::string label;
    std::string first_line = "LOCKED 4242";
    bool end_at_once = false;
    std::string refusal;
    mutable std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::string> output;
    bool closed = false;
    bool answering = true;
    bool channel_destroyed = false;
    std::string stderr_text;
    std::vector<std::string> commands;
    std::vector<std::string> received;
  };

  class Channel final : public LineChannel {
   public:
    explicit Channel(std::shared_ptr<State> state) : state_(std::move(state)) {}
    ~Channel() override {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->channel_destroyed = true;
    }
    const std::string& host_label() const override { return state_->label; }
    Status WriteLine(const std::string& line, std::chrono::milliseconds) override {
      {
        std::lock_guard<std::mutex> lock(state_->mutex);
        if (state_->closed) return Status::Error(state_->label + ": the lease no longer reads");
        state_->received.push_back(line);
        if (line == "beat" && state_->answering) state_->output.push_back("ok");
        if (line == "release") {
          state_->output.push_back("released");
          state_->closed = true;
        }
      }
      state_->changed.notify_all();
      return Status::Ok();
    }
    Result<ReadResult> ReadLine(std::chrono::milliseconds timeout) override {
      std::unique_lock<std::mutex> lock(state_->mutex);
      state_->changed.wait_for(lock, timeout,
                               [this] { return !state_->output.empty() || state_->closed; });
      if (!state_->output.empty()) {
        ReadResult result{Read::kLine, state_->output.front()};
        state_->output.pop_front();
        return result;
      }
      return ReadResult{state_->closed ? Read::kClosed : Read::kTimeout, ""};
    }
    std::string ErrorText() const override {
      std::lock_guard<std::mutex> lock(state_->mutex);
      return state_->stderr_text;
    }

   private:
    std::shared_ptr<State> state_;
  };

  std::shared_ptr<State> state_;
};

}  // namespace pgpair

#endif  // PGPAIR_TESTS_UNIT_FAKES_FAKE_LEASE_HOST_H_
