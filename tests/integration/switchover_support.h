#ifndef PGPAIR_TESTS_INTEGRATION_SWITCHOVER_SUPPORT_H_
#define PGPAIR_TESTS_INTEGRATION_SWITCHOVER_SUPPORT_H_

// What the switchover tests share: a client that commits rows without pause
// through libpq's multi-host connection string (target_session_attrs =
// read-write: it reconnects to whichever host is primary) and records every
// commit the server acknowledged; a monitor that asks both hosts,
// directly, whether they take writes; and an apply run while both work.
// Each host in the layout the sandbox gave it (host_layout.h). Real libpq
// against the sandbox hosts; nothing is faked.

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/fault_support.h"
#include "tests/integration/host_layout.h"
#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {

// The client's role and table, and the hba line that lets this machine
// (198.18.0.1, the sandbox bridge) in on both hosts. A test password for a
// test role, on the sandbox only.
inline const std::string kWriterRole = "pgpair_writer";
inline const std::string kWriterPassword = "writer-test-only";
inline const std::string kWriterHba = "host postgres pgpair_writer 198.18.0.1/32 scram-sha-256";

// SQL on `host`'s server as postgres, in the host's layout.
inline CommandResult SqlIn(const PairLayout& layouts, const std::string& host,
                           const std::string& sql) {
  return OnHost(host, layouts.Of(host).Psql(sql));
}

// On a streaming pair whose primary is `primary`: the role and table on the
// primary (they reach the standby with the WAL), and the hba line in each
// host's own pg_hba.conf, reloaded as its layout does. The manifest gives
// the future primary listen_addresses '*'. Returns what failed, "" when all
// is set.
inline std::string PrepareWriter(const std::string& primary, const PairLayout& layouts = {}) {
  CommandResult sql =
      SqlIn(layouts, primary,
            "CREATE ROLE " + kWriterRole + " LOGIN PASSWORD '" + kWriterPassword +
                "'; CREATE TABLE switch_rows (id bigint PRIMARY KEY, at timestamptz NOT NULL "
                "DEFAULT clock_timestamp()); GRANT SELECT, INSERT ON switch_rows TO " +
                kWriterRole);
  if (sql.exit_status != 0) return "on " + primary + ": " + sql.out + sql.err;
  for (const char* host : {"pg1", "pg2"}) {
    const HostLayout& layout = layouts.Of(host);
    CommandResult hba =
        OnHost(host, "printf '%s\\n' " + ShellQuote(kWriterHba) + " >> " +
                         ShellQuote(layout.hba_file) + " && " + layout.Control("reload"));
    if (hba.exit_status != 0) return std::string("hba on ") + host + ": " + hba.out + hba.err;
  }
  return "";
}

// The server's notices (a FATAL at a fast shutdown) are expected here.
inline void IgnoreNotice(void*, const char*) {}

inline std::string WriterConninfo(const std::string& hosts) {
  return "host=" + hosts + " dbname=postgres user=" + kWriterRole + " password=" + kWriterPassword +
         " connect_timeout=2 target_session_attrs=read-write";
}

// Commits one row after another, each its own transaction, ids first_id,
// first_id + 1, ... (a later writer starts past an earlier one's);
// reconnects (libpq tries both hosts) whenever a statement or connection
// fails. Records the ids whose COMMIT the server acknowledged, and the
// longest time between two acknowledged commits (the write downtime).
class ContinuousWriter {
 public:
  explicit ContinuousWriter(long long first_id = 1) : next_(first_id), thread_([this] { Run(); }) {}
  ContinuousWriter(const ContinuousWriter&) = delete;
  ContinuousWriter& operator=(const ContinuousWriter&) = delete;
  ~ContinuousWriter() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<long long> Acknowledged() {
    std::lock_guard<std::mutex> lock(mutex_);
    return acknowledged_;
  }
  // The longest gap between two acknowledged commits, in seconds.
  double LongestGap() {
    std::lock_guard<std::mutex> lock(mutex_);
    return longest_gap_;
  }
  // Acknowledged commits after the first `count`: whether writes resumed.
  size_t Count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return acknowledged_.size();
  }

 private:
  void Run() {
    const std::string conninfo = WriterConninfo("198.18.0.11,198.18.0.12");
    PGconn* conn = nullptr;
    long long& next = next_;
    std::chrono::steady_clock::time_point last_ack{};
    while (!stop_) {
      if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
        if (conn) PQfinish(conn);
        conn = PQconnectdb(conninfo.c_str());
        PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
        if (PQstatus(conn) != CONNECTION_OK) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
      }
      const std::string insert =
          "INSERT INTO switch_rows (id) VALUES (" + std::to_string(next) + ")";
      PGresult* result = PQexec(conn, insert.c_str());
      bool committed = PQresultStatus(result) == PGRES_COMMAND_OK;
      std::string error = committed ? "" : PQresultErrorMessage(result);
      PQclear(result);
      if (committed) {
        auto now = std::chrono::steady_clock::now();
        std::lock_guard<std::mutex> lock(mutex_);
        if (last_ack != std::chrono::steady_clock::time_point{}) {
          double gap = std::chrono::duration<double>(now - last_ack).count();
          if (gap > longest_gap_) longest_gap_ = gap;
        }
        last_ack = now;
        acknowledged_.push_back(next);
        ++next;
      } else {
        // Unknown outcome (the connection broke during COMMIT) or refused:
        // the id is not counted, and never reused, so a row that made it
        // anyway does not clash with the next one.
        ++next;
        PQfinish(conn);
        conn = nullptr;
      }
    }
    if (conn) PQfinish(conn);
  }

  std::atomic<bool> stop_{false};
  long long next_;  // the writer thread's only
  std::mutex mutex_;
  std::vector<long long> acknowledged_;
  double longest_gap_ = 0;
  std::thread thread_;  // last: starts once the rest is built
};

// Asks each host on its own, every 100 ms, whether it takes writes
// (pg_is_in_recovery() false), and counts the rounds in which both did.
class WritableMonitor {
 public:
  WritableMonitor() : thread_([this] { Run(); }) {}
  WritableMonitor(const WritableMonitor&) = delete;
  WritableMonitor& operator=(const WritableMonitor&) = delete;
  ~WritableMonitor() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int both_writable_rounds() const { return both_writable_; }
  int rounds() const { return rounds_; }

 private:
  static bool Writable(const std::string& host) {
    const std::string conninfo = "host=" + host + " dbname=postgres user=" + kWriterRole +
                                 " password=" + kWriterPassword + " connect_timeout=1";
    PGconn* conn = PQconnectdb(conninfo.c_str());
    bool writable = false;
    if (PQstatus(conn) == CONNECTION_OK) {
      PGresult* result = PQexec(conn, "SELECT pg_is_in_recovery()");
      writable = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1 &&
                 std::string(PQgetvalue(result, 0, 0)) == "f";
      PQclear(result);
    }
    PQfinish(conn);
    return writable;
  }
  void Run() {
    while (!stop_) {
      bool a = Writable("198.18.0.11");
      bool b = Writable("198.18.0.12");
      if (a && b) ++both_writable_;
      ++rounds_;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::atomic<bool> stop_{false};
  std::atomic<int> both_writable_{0};
  std::atomic<int> rounds_{0};
  std::thread thread_;
};

// The ids of switch_rows on `host`, as its server has them; empty set and
// ok=false when it cannot be read.
inline std::set<long long> RowsOn(const std::string& host, bool* ok,
                                  const PairLayout& layouts = {}) {
  CommandResult rows = SqlIn(layouts, host, "SELECT id FROM switch_rows");
  *ok = rows.exit_status == 0;
  std::set<long long> ids;
  std::istringstream lines(rows.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) ids.insert(std::stoll(line));
  }
  return ids;
}

// The acknowledged ids missing on `host`, waiting (bounded) for a standby
// to replay them; "" when none is missing.
inline std::string MissingOn(const std::string& host, const std::vector<long long>& acknowledged,
                             const PairLayout& layouts = {}) {
  std::string missing;
  for (int attempt = 0; attempt < 50; ++attempt) {
    bool ok = false;
    std::set<long long> ids = RowsOn(host, &ok, layouts);
    missing.clear();
    int count = 0;
    for (long long id : acknowledged) {
      if (!ids.count(id)) {
        if (count++ < 10) missing += std::to_string(id) + " ";
      }
    }
    if (!ok) missing = "(cannot read switch_rows)";
    if (missing.empty()) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return host + " lacks acknowledged ids: " + missing;
}

// What an apply with the writer committing all the while saw.
struct SwitchRun {
  CommandResult apply;
  double apply_seconds = 0;  // wall time of the apply, reported, never asserted
  std::vector<long long> acknowledged;
  double longest_gap = 0;
  int both_writable_rounds = 0;
  int monitor_rounds = 0;
};

// Runs `apply --auto-approve` of `manifest` while a ContinuousWriter (ids
// from `first_id`) commits and a WritableMonitor watches: writes flow
// before it (at least 20 commits, waited for at most 20 s) and, when it
// succeeded, after it (20 more, at most 20 s).
inline SwitchRun SwitchWithWriter(const std::string& manifest, long long first_id) {
  SwitchRun run;
  ContinuousWriter writer(first_id);
  WritableMonitor monitor;
  REQUIRE(WaitUntil([&] { return writer.Count() >= 20; }, std::chrono::seconds(20)));
  const auto started = std::chrono::steady_clock::now();
  run.apply = PgpairWithin(300, "apply --auto-approve " + ShellQuote(manifest));
  run.apply_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  size_t after = writer.Count();
  WaitUntil([&] { return writer.Count() >= after + 20; }, std::chrono::seconds(20));
  writer.Stop();
  monitor.Stop();
  run.acknowledged = writer.Acknowledged();
  run.longest_gap = writer.LongestGap();
  run.both_writable_rounds = monitor.both_writable_rounds();
  run.monitor_rounds = monitor.rounds();
  return run;
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_INTEGRATION_SWITCHOVER_SUPPORT_H_
