// The switchover's write downtime, measured (issue 11's benchmark; run by
// scripts/bench-switchover, hidden from ordinary runs: no timing is ever
// asserted). The continuous client of switchover_support.h commits rows
// without pause; the write downtime of a switch is its longest gap between
// two acknowledged commits, from the last the old primary acknowledged to
// the first the new one did. pgpair's switchover is measured beside the
// same switch done by hand with the bare commands (stop, promote, make the
// old primary a standby, start) as the floor. Lost commits: acknowledged
// ids missing on the new primary.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "tests/integration/fault_support.h"
#include "tests/integration/switchover_support.h"

namespace pgpair::testing {
namespace {

using std::chrono::seconds;

struct Round {
  double downtime = 0;
  size_t lost = 0;
};

int Rounds() {
  const char* value = std::getenv("PGPAIR_BENCH_ROUNDS");
  int rounds = value ? std::atoi(value) : 5;
  return std::max(1, std::min(rounds, 20));
}

// Runs `do_switch` with the writer committing before and after; returns the
// longest gap and the acknowledged ids missing on `new_primary`.
Round Measure(const std::string& new_primary, long long first_id,
              const std::function<bool()>& do_switch) {
  ContinuousWriter writer(first_id);
  REQUIRE(WaitUntil([&] { return writer.Count() >= 50; }, seconds(20)));
  REQUIRE(do_switch());
  size_t after = writer.Count();
  REQUIRE(WaitUntil([&] { return writer.Count() >= after + 50; }, seconds(30)));
  writer.Stop();
  Round round;
  round.downtime = writer.LongestGap();
  bool ok = false;
  std::set<long long> rows = RowsOn(new_primary, &ok);
  REQUIRE(ok);
  for (long long id : writer.Acknowledged()) round.lost += rows.count(id) ? 0 : 1;
  return round;
}

// The same switch as pgpair's, by hand, with the sandbox's Debian commands.
bool BareSwitch(const std::string& from, const std::string& to) {
  const std::string password = FirstLine(ReadText(SandboxDir() + "/replication-password"));
  const std::string conninfo = "host=" + std::string(to == "pg1" ? "198.18.0.11" : "198.18.0.12") +
                               " port=5432 user=replicator password=" + password +
                               " application_name=" + from;
  const std::string auto_conf = "/var/lib/postgresql/15/main/postgresql.auto.conf";
  return OnHost(from, "pg_ctlcluster 15 main stop -m fast").exit_status == 0 &&
         SqlOnHost(to, "SELECT pg_promote()").exit_status == 0 &&
         OnHost(from, "sed -i '/^primary_conninfo/d' " + auto_conf + " && printf '%s\\n' " +
                          ShellQuote("primary_conninfo = '" + conninfo + "'") + " >> " + auto_conf +
                          " && touch /var/lib/postgresql/15/main/standby.signal && chown "
                          "postgres: /var/lib/postgresql/15/main/standby.signal && "
                          "pg_ctlcluster 15 main start")
                 .exit_status == 0;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string Row(const std::string& what, const std::vector<Round>& rounds) {
  std::vector<double> downtimes;
  size_t lost = 0;
  for (const Round& r : rounds) {
    downtimes.push_back(r.downtime);
    lost += r.lost;
  }
  std::ostringstream row;
  row << std::fixed << std::setprecision(2) << "| " << what << " | " << rounds.size() << " | "
      << Median(downtimes) << " s | " << *std::min_element(downtimes.begin(), downtimes.end())
      << " s | " << *std::max_element(downtimes.begin(), downtimes.end()) << " s | " << lost
      << " |";
  return row.str();
}

TEST_CASE("benchmark: write downtime of pgpair's switchover and of the bare commands",
          "[.bench-switchover]") {
  const int rounds = Rounds();
  FreshSandbox();
  REQUIRE(PgpairWithin(300, "apply --auto-approve " + Example("sandbox.yaml")).exit_status == 0);
  REQUIRE(PrepareWriter("pg1").empty());
  TempDir dir;
  const std::string original = Example("sandbox.yaml");
  const std::string text = ReadText(original);
  const std::string swapped = dir.path() + "/swapped.yaml";
  std::ofstream(swapped) << Replaced(text, "primary: pg1\nstandby: pg2",
                                     "primary: pg2\nstandby: pg1");
  // The first switch to pg2 also prepares it as a primary (settings, its
  // restart as a standby): not part of any round.
  REQUIRE(PgpairWithin(300, "apply --auto-approve " + swapped).exit_status == 0);
  REQUIRE(PgpairWithin(300, "apply --auto-approve " + original).exit_status == 0);

  long long next_id = 1;
  std::vector<Round> pgpair, bare;
  std::string primary = "pg1";
  for (int i = 0; i < rounds; ++i) {
    const std::string to = primary == "pg1" ? "pg2" : "pg1";
    const std::string manifest = to == "pg2" ? swapped : original;
    pgpair.push_back(Measure(to, next_id, [&] {
      CommandResult run = PgpairWithin(300, "apply --auto-approve " + manifest);
      INFO(run.out << run.err);
      return run.exit_status == 0;
    }));
    next_id += 10000000;
    primary = to;
  }
  for (int i = 0; i < rounds; ++i) {
    const std::string to = primary == "pg1" ? "pg2" : "pg1";
    const std::string from = primary;
    bare.push_back(Measure(to, next_id, [&] { return BareSwitch(from, to); }));
    next_id += 10000000;
    primary = to;
    // Streaming again before the next round.
    const std::string manifest = primary == "pg2" ? swapped : original;
    REQUIRE(WaitUntil([&] { return Pgpair("check " + manifest).exit_status == 0; }, seconds(60)));
  }
  std::ostringstream table;
  table << "| switch | rounds | write downtime, median | min | max | lost commits |\n"
        << "| --- | --- | --- | --- | --- | --- |\n"
        << Row("pgpair apply (manifest swapped)", pgpair) << "\n"
        << Row("bare commands (stop, pg_promote, standby.signal, start)", bare) << "\n";
  WARN(table.str());
  if (const char* path = std::getenv("PGPAIR_BENCH_TABLE")) std::ofstream(path) << table.str();
  // Leave the pair as the example manifest declares it.
  if (primary == "pg2") PgpairWithin(300, "apply --auto-approve " + original);
}

}  // namespace
}  // namespace pgpair::testing
