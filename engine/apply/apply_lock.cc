#include "engine/apply/apply_lock.h"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

#include "engine/apply/apply_lease.sh.inc"
#include "engine/apply/apply_lease_start.sh.inc"
#include "engine/facts/parsers/apply_holder.h"
#include "engine/util/shell_quote.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kLeaseName[] = "the apply lease";
// How long a release waits for the host to say the lock is free.
constexpr milliseconds kReleaseWait{3000};

// The holder record is key=value lines: a value must not break it.
std::string RecordValue(const std::string& value) {
  std::string clean;
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    clean += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return clean.empty() ? "?" : clean;
}

std::string Seconds(milliseconds duration) {
  return std::to_string((duration.count() + 999) / 1000) + " s";
}

// What the lease wrote on standard error, for a message; empty if nothing.
std::string ErrorDetail(const LineChannel& channel) {
  std::string text = TrimTrailing(channel.ErrorText());
  return text.empty() ? "" : " (" + text + ")";
}

}  // namespace

struct ApplyLock::Lease {
  std::string host_name;
  std::string label;
  std::unique_ptr<LineChannel> channel;
  int pid = 0;
  milliseconds heartbeat{0};
  milliseconds timeout{0};  // the host's: how long it waits for a heartbeat
  milliseconds lost_after{0};

  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::string lost;  // why it was lost; empty while held
  std::atomic<bool> held{true};
  std::thread thread;

  void Lose(const std::string& why) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!lost.empty()) return;
    lost = label + ": the apply lock was lost: " + why;
    held = false;
    spdlog::warn("{}", lost);
  }

  std::string Ended() const {
    return "the lease process on the host ended" + ErrorDetail(*channel);
  }

  // The heartbeat thread: one "beat" per period, and its "ok" read back.
  void Run() {
    Clock::time_point last_answer = Clock::now();
    for (;;) {
      Clock::time_point next = Clock::now() + heartbeat;
      Status sent = channel->WriteLine("beat", heartbeat);
      if (!sent.ok()) {
        // A lease that ended no longer reads: say that, not the symptom.
        Result<LineChannel::ReadResult> ended = channel->ReadLine(milliseconds(0));
        if (ended.ok() && ended->what == LineChannel::Read::kClosed) return Lose(Ended());
        return Lose(sent.message());
      }
      bool answered = false;
      while (!answered) {
        milliseconds left = std::chrono::duration_cast<milliseconds>(next - Clock::now());
        if (left.count() <= 0) break;
        Result<LineChannel::ReadResult> read = channel->ReadLine(left);
        if (!read.ok()) return Lose(read.status().message());
        if (read->what == LineChannel::Read::kClosed) return Lose(Ended());
        if (read->what == LineChannel::Read::kTimeout) break;
        // Answers held up by a slow link arrive together; each is one "ok".
        if (read->line == "ok") {
          last_answer = Clock::now();
          answered = true;
        }
      }
      milliseconds silent = std::chrono::duration_cast<milliseconds>(Clock::now() - last_answer);
      if (silent > lost_after) {
        return Lose("no answer from the host for " + Seconds(silent) +
                    " (the host frees the lock by itself " + Seconds(timeout) +
                    " after the last heartbeat it received)");
      }
      std::unique_lock<std::mutex> lock(mutex);
      if (wake.wait_until(lock, next, [this] { return stopping; })) return;
    }
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    if (thread.joinable()) thread.join();
  }

  // Tells the host to free the lock and waits (briefly) until it has.
  void Release() {
    Stop();
    if (held && channel->WriteLine("release", kReleaseWait).ok()) {
      Clock::time_point deadline = Clock::now() + kReleaseWait;
      for (;;) {
        milliseconds left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        Result<LineChannel::ReadResult> read = channel->ReadLine(left);
        if (!read.ok() || read->what != LineChannel::Read::kLine || read->line == "released") {
          break;
        }
      }
    }
    channel.reset();
  }
};

LockOwner LockOwner::ThisProcess(const std::string& pair) {
  LockOwner owner;
  owner.pair = pair;
  if (const passwd* entry = getpwuid(getuid()); entry != nullptr) {
    owner.user = entry->pw_name;
  } else {
    owner.user = "uid " + std::to_string(getuid());
  }
  char name[256] = {};
  owner.machine = gethostname(name, sizeof name - 1) == 0 ? name : "unknown";
  owner.pid = static_cast<int>(getpid());
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  owner.since = text;
  return owner;
}

milliseconds LeaseTimeout(const HostSpec& host, const ApplyLockTimings& timings) {
  return std::max(timings.minimum_lease_timeout,
                  milliseconds(host.ssh.connect_timeout_seconds) * 1000);
}

std::string LeaseCommand(const LockOwner& owner, milliseconds timeout) {
  std::string seconds = std::to_string(std::max<long long>(1, (timeout.count() + 999) / 1000));
  // The lease needs bash; apply_lease_start.sh checks for it, then runs it.
  return ScriptCommand(
      kApplyLeaseStartScript, "pgpair-apply-lease",
      {kApplyLeaseScript, seconds, RecordValue(owner.pair), RecordValue(owner.user),
       RecordValue(owner.machine), std::to_string(owner.pid), RecordValue(owner.since)});
}

Result<std::unique_ptr<ApplyLock>> ApplyLock::Acquire(const Manifest& manifest,
                                                      const LeaseOpener& open,
                                                      const LockOwner& owner,
                                                      const ApplyLockTimings& timings) {
  if (!open) return Status::Error("internal error: no way to open the apply lease");
  // Destroying `lock` on an early return releases the leases already taken.
  std::unique_ptr<ApplyLock> lock(new ApplyLock());
  for (const HostSpec* host : {&manifest.primary_host(), &manifest.standby_host()}) {
    const std::string label = host->label();
    const std::string unchanged = "; nothing was changed";
    milliseconds timeout = LeaseTimeout(*host, timings);
    Result<std::unique_ptr<LineChannel>> channel = open(*host, LeaseCommand(owner, timeout));
    if (!channel.ok()) {
      return Status::Error(channel.status().message() + "; the apply lock cannot be taken" +
                           unchanged);
    }
    auto lease = std::make_unique<Lease>();
    lease->host_name = host->name;
    lease->label = label;
    lease->channel = std::move(channel).value();
    lease->heartbeat = timings.heartbeat;
    lease->timeout = timeout;
    lease->lost_after = std::max(timings.heartbeat, timeout - 2 * timings.heartbeat);

    milliseconds answer_wait(std::max(1, host->ssh.connect_timeout_seconds) * 1000);
    Result<LineChannel::ReadResult> first = lease->channel->ReadLine(answer_wait);
    if (!first.ok()) {
      return Status::Error(first.status().message() + "; the apply lock cannot be taken" +
                           unchanged);
    }
    const std::string& line = first->line;
    if (first->what == LineChannel::Read::kTimeout) {
      return Status::Error(label + ": the apply lock cannot be taken: " + kLeaseName +
                           " did not answer within " + Seconds(answer_wait) + unchanged);
    }
    if (first->what == LineChannel::Read::kClosed) {
      return Status::Error(label + ": the apply lock cannot be taken: " + kLeaseName +
                           " ended at once" + ErrorDetail(*lease->channel) + unchanged);
    }
    if (line == "HELD" || line.rfind("HELD\t", 0) == 0) {
      Result<ApplyHolderFact> holder = ParseApplyHolder(line.substr(4));
      std::string who = holder.ok() ? ": " + DescribeApplyHolder(*holder)
                                    : " (it has not recorded who it is yet; try again shortly)";
      return Status::Error(label + ": another apply holds the lock" + who + unchanged);
    }
    if (line.rfind("ERROR ", 0) == 0) {
      return Status::Error(label + ": the apply lock cannot be taken: " + line.substr(6) +
                           unchanged);
    }
    if (line.rfind("LOCKED ", 0) != 0) {
      return Status::Error(label + ": the apply lock cannot be taken: " + kLeaseName + " said \"" +
                           line + "\"" + ErrorDetail(*lease->channel) + unchanged);
    }
    try {
      lease->pid = std::stoi(line.substr(7));
    } catch (const std::exception&) {
      return Status::Error(label + ": the apply lock cannot be taken: " + kLeaseName +
                           " gave no pid (\"" + line + "\")" + unchanged);
    }
    spdlog::debug("{}: apply lock taken (lease pid {}, timeout {})", label, lease->pid,
                  Seconds(timeout));
    lease->thread = std::thread(&Lease::Run, lease.get());
    lock->leases_.push_back(std::move(lease));
  }
  return lock;
}

ApplyLock::~ApplyLock() {
  // The standby's first: the reverse of taking them.
  for (auto it = leases_.rbegin(); it != leases_.rend(); ++it) (*it)->Release();
}

bool ApplyLock::Held() const {
  return std::all_of(leases_.begin(), leases_.end(),
                     [](const std::unique_ptr<Lease>& lease) { return lease->held.load(); });
}

std::string ApplyLock::LostReason() const {
  for (const std::unique_ptr<Lease>& lease : leases_) {
    std::lock_guard<std::mutex> lock(lease->mutex);
    if (!lease->lost.empty()) return lease->lost;
  }
  return "";
}

std::optional<int> ApplyLock::LeasePid(const std::string& host_name) const {
  for (const std::unique_ptr<Lease>& lease : leases_) {
    if (lease->host_name == host_name) return lease->pid;
  }
  return std::nullopt;
}

std::map<std::string, int> ApplyLock::LeasePids() const {
  std::map<std::string, int> pids;
  for (const std::unique_ptr<Lease>& lease : leases_) pids[lease->host_name] = lease->pid;
  return pids;
}

}  // namespace pgpair
