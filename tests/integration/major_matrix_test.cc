// The same end-to-end scenario on every PostgreSQL major from 10 to 18:
// from two independent clusters to a verified streaming pair, an empty plan,
// then drift repaired. scripts/major-matrix runs it once per major; the
// major comes from PGPAIR_MATRIX_MAJOR, so the test is hidden ([.matrix])
// from runs that do not set it.
//
// 15 is Debian's package in Debian's layout (pg_ctlcluster); every other
// major is an npm build in a self-built layout that the sandbox gives the
// hosts (`sandbox reset --major N`): bin dir /opt/pgsql-N/bin, data dir
// /var/lib/pgsql/N/data with its configuration files, started with pg_ctl.
// The manifest names no layout for pg1 (pgpair discovers it) and the whole
// layout for pg2.
//
// Also here: the pairs pgpair must refuse before changing anything, across
// two majors or two CPU architectures.

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/integration/host_layout.h"
#include "tests/integration/sandbox_support.h"
#include "tests/integration/switchover_support.h"

namespace pgpair::testing {
namespace {

using nlohmann::json;

int MatrixMajor() {
  const char* value = std::getenv("PGPAIR_MATRIX_MAJOR");
  INFO("PGPAIR_MATRIX_MAJOR must name the major to test (scripts/major-matrix sets it)");
  REQUIRE(value != nullptr);
  return std::stoi(value);
}

// examples/sandbox.yaml with pg1's layout left to discovery and pg2's
// declared (or discovered too), plus a setting whose name depends on the
// major.
std::string MatrixManifest(const HostLayout& layout, bool declare_standby) {
  const std::string debian_cluster = "    postgres: {cluster: 15/main}\n";
  std::string text = ReadText(Example("sandbox.yaml"));
  size_t pg1 = text.find(debian_cluster);
  REQUIRE(pg1 != std::string::npos);
  text.erase(pg1, debian_cluster.size());
  size_t pg2 = text.find(debian_cluster);
  REQUIRE(pg2 != std::string::npos);
  if (!declare_standby) {
    text.erase(pg2, debian_cluster.size());
  } else if (!layout.debian) {
    text.replace(pg2, debian_cluster.size(),
                 "    postgres:\n      bin_dir: " + layout.bin_dir +
                     "\n      data_dir: " + layout.data_dir + "\n      service: pg_ctl\n");
  }
  // wal_keep_segments up to 12, wal_keep_size from 13: pgpair translates.
  const std::string senders = "    max_wal_senders: 10\n";
  size_t at = text.find(senders);
  REQUIRE(at != std::string::npos);
  text.insert(at + senders.size(), "    wal_keep_size: 256MB\n");
  return text;
}

double Seconds(std::chrono::steady_clock::duration elapsed) {
  return std::chrono::duration<double>(elapsed).count();
}

class Scenario {
 public:
  // `swapped`: primary: and standby: exchanged (a switchover to pg2).
  explicit Scenario(int major, bool declare_standby = true, bool swapped = false)
      : layout_(HostLayout::Of(major)) {
    std::string text = MatrixManifest(layout_, declare_standby);
    if (swapped) text = Replaced(text, "primary: pg1\nstandby: pg2", "primary: pg2\nstandby: pg1");
    manifest_ = dir_.Write("pair.yaml", text);
  }

  const HostLayout& layout() const { return layout_; }
  const std::string& manifest() const { return manifest_; }

  CommandResult Run(const std::string& command) {
    return Pgpair(command + " " + ShellQuote(manifest_));
  }

  json Json(const std::string& command) {
    CommandResult run = Run(command + " --json");
    INFO("pgpair " << command << ": exit " << run.exit_status << "\n" << run.out << run.err);
    REQUIRE_NOTHROW(json::parse(run.out));
    return json::parse(run.out);
  }

  std::vector<std::string> PlannedAddresses() {
    std::vector<std::string> addresses;
    const json plan = Json("plan");
    for (const json& change : plan["changes"]) addresses.push_back(change["address"]);
    return addresses;
  }

  // Runs `command` and requires its exit status; returns the wall time.
  double Timed(const std::string& command, int expected_exit) {
    auto start = std::chrono::steady_clock::now();
    CommandResult run = Run(command);
    double seconds = Seconds(std::chrono::steady_clock::now() - start);
    INFO("pgpair " << command << ": exit " << run.exit_status << "\n" << run.out << run.err);
    REQUIRE(run.exit_status == expected_exit);
    return seconds;
  }

  void OnBoth(const std::string& host, const std::string& command) {
    CommandResult run = OnHost(host, command);
    INFO(host << ": " << command << "\n" << run.out << run.err);
    REQUIRE(run.exit_status == 0);
  }

  std::string Sql(const std::string& host, const std::string& sql) {
    CommandResult run = OnHost(host, layout_.Psql(sql));
    INFO(host << ": " << sql << "\n" << run.err);
    REQUIRE(run.exit_status == 0);
    return run.out;
  }

  // One drift: check sees it, the plan is exactly `expected`, apply repairs
  // it and check is clean again.
  void ExpectRepaired(const std::vector<std::string>& expected) {
    CHECK(Run("check").exit_status == 2);
    CHECK(PlannedAddresses() == expected);
    Timed("apply --auto-approve", 0);
    CHECK(Run("check").exit_status == 0);
  }

 private:
  HostLayout layout_;
  TempDir dir_;
  std::string manifest_;
};

// Appends "key=value" lines for scripts/major-matrix's table.
void Report(const std::string& key, const std::string& value) {
  const char* path = std::getenv("PGPAIR_MATRIX_REPORT");
  if (path == nullptr || *path == '\0') return;
  std::ofstream(path, std::ios::app) << key << "=" << value << "\n";
}

TEST_CASE("one major: fresh pair, apply, verify, converged plan, drift repaired", "[.matrix]") {
  const int major = MatrixMajor();
  RequireSandbox("up");
  RequireSandbox("reset --major " + std::to_string(major));
  Scenario s(major);
  const HostLayout& layout = s.layout();

  // Both hosts run the major, found where the sandbox put it, and the
  // facts of every major fit the schema.
  json facts = s.Json("facts");
  TempDir scratch;
  CommandResult valid =
      ValidateAgainstSchema("facts.schema.json", scratch.Write("facts.json", facts.dump()));
  INFO(valid.out << valid.err);
  CHECK(valid.out == "valid\n");
  for (const json& host : facts["hosts"]) {
    INFO(host.dump(2).substr(0, 2000));
    CHECK(host["server"]["major"] == major);
    CHECK(host["layout"]["data_dir"] == layout.data_dir);
    CHECK(host["layout"]["bin_dir"] == layout.bin_dir);
  }
  const std::string version = facts["hosts"][0]["server"]["version"].get<std::string>();
  Report("version", version);

  // A fresh pair: everything planned, the standby re-cloned.
  std::vector<std::string> fresh = s.PlannedAddresses();
  CHECK(std::find(fresh.begin(), fresh.end(), "standby_clone[pg2]") != fresh.end());
  CHECK(std::find(fresh.begin(), fresh.end(), "replication_role[pg1/replicator]") != fresh.end());
  const std::string keep = major >= 13 ? "wal_keep_size" : "wal_keep_segments";
  CHECK(std::find(fresh.begin(), fresh.end(), "setting[pg1/" + keep + "]") != fresh.end());

  double apply = s.Timed("apply --auto-approve", 0);
  Report("apply_seconds", std::to_string(apply));
  CommandResult verify = s.Run("verify");
  INFO(verify.out << verify.err);
  CHECK(verify.exit_status == 0);
  CHECK_THAT(verify.out, Catch::Contains("Replication verified."));
  // What the standby runs with: the recovery configuration of its major.
  if (major >= 12) {
    s.OnBoth("pg2", "test -f " + layout.data_dir + "/standby.signal");
    s.OnBoth("pg2", "test ! -e " + layout.data_dir + "/recovery.conf");
  } else {
    s.OnBoth("pg2", "grep -q \"^standby_mode = 'on'\" " + layout.data_dir + "/recovery.conf");
  }
  CHECK(s.Sql("pg1", "SHOW " + keep) == (major >= 13 ? "256MB\n" : "16\n"));

  double converged = s.Timed("plan", 0);
  Report("plan_seconds", std::to_string(converged));

  SECTION("drift: a restart-context setting, then the hba line") {
    s.Sql("pg1", "ALTER SYSTEM SET max_wal_senders = 7");
    s.OnBoth("pg1", layout.Control("restart"));
    s.ExpectRepaired({"setting[pg1/max_wal_senders]"});
    CHECK(s.Sql("pg1", "SHOW max_wal_senders") == "10\n");

    s.OnBoth("pg1", "sed -i '/^host *replication,postgres *replicator/d' " + layout.hba_file +
                        " && " + layout.Control("reload"));
    s.ExpectRepaired({"hba_rule[pg1/replication replicator 198.18.0.12/32]"});

    if (major >= 12) {
      // A recovery.conf left behind (an upgrade from 11, or an old tool):
      // 12 and later refuse to start with it.
      s.OnBoth("pg2", layout.Control("stop") + " && printf \"standby_mode = 'on'\\n\" > " +
                          layout.data_dir + "/recovery.conf && chown postgres: " + layout.data_dir +
                          "/recovery.conf");
      s.ExpectRepaired({"recovery_config[pg2]", "server_running[pg2]"});
      s.OnBoth("pg2", "test ! -e " + layout.data_dir + "/recovery.conf");
    } else {
      // Without recovery.conf, 10 and 11 would come up as a second primary
      // at their next start.
      s.OnBoth("pg2", "rm " + layout.data_dir + "/recovery.conf");
      s.ExpectRepaired({"recovery_config[pg2]"});
      s.OnBoth("pg2", "test -f " + layout.data_dir + "/recovery.conf");
    }
    CHECK(s.Run("verify").exit_status == 0);

    // Switchover and back, declared by swapping primary: and standby:
    // (resources/switchover.h): pg_promote() from 12, pg_ctl promote and
    // recovery.conf on 10 and 11; a client commits rows all the while
    // (switchover_support.h). Every commit it saw acknowledged is on both
    // hosts after each switch.
    const PairLayout layouts = PairLayout::Both(layout);
    const std::string prepared = PrepareWriter("pg1", layouts);
    INFO(prepared);
    REQUIRE(prepared.empty());
    Scenario swapped(major, true, /*swapped=*/true);
    SwitchRun there = SwitchWithWriter(swapped.manifest(), 1);
    {
      INFO("apply: " << there.apply.out << there.apply.err);
      REQUIRE(there.apply.exit_status == 0);
    }
    Report("switchover_seconds", std::to_string(there.apply_seconds));
    Report("write_gap_there", std::to_string(there.longest_gap));
    Report("commits_there", std::to_string(there.acknowledged.size()));
    CHECK(there.both_writable_rounds == 0);
    CHECK(swapped.Sql("pg2", "SELECT pg_is_in_recovery()") == "f\n");
    CHECK(swapped.Sql("pg1", "SELECT pg_is_in_recovery()") == "t\n");
    if (major >= 12) {
      s.OnBoth("pg1", "test -f " + layout.data_dir + "/standby.signal");
    } else {
      s.OnBoth("pg1", "grep -q \"^recovery_target_timeline = 'latest'\" " + layout.data_dir +
                          "/recovery.conf");
    }
    CHECK(MissingOn("pg2", there.acknowledged, layouts).empty());
    CHECK(MissingOn("pg1", there.acknowledged, layouts).empty());
    CHECK(swapped.Run("verify").exit_status == 0);
    CHECK(swapped.Run("plan").exit_status == 0);

    SwitchRun back = SwitchWithWriter(s.manifest(), 1000000);
    {
      INFO("apply back: " << back.apply.out << back.apply.err);
      REQUIRE(back.apply.exit_status == 0);
    }
    Report("switchback_seconds", std::to_string(back.apply_seconds));
    Report("write_gap_back", std::to_string(back.longest_gap));
    Report("commits_back", std::to_string(back.acknowledged.size()));
    CHECK(back.both_writable_rounds == 0);
    CHECK(s.Sql("pg1", "SELECT pg_is_in_recovery()") == "f\n");
    CHECK(s.Sql("pg2", "SELECT pg_is_in_recovery()") == "t\n");
    std::vector<long long> acknowledged = there.acknowledged;
    acknowledged.insert(acknowledged.end(), back.acknowledged.begin(), back.acknowledged.end());
    CHECK(MissingOn("pg1", acknowledged, layouts).empty());
    CHECK(MissingOn("pg2", acknowledged, layouts).empty());
    CHECK(s.Run("verify").exit_status == 0);
    CHECK(s.Run("plan").exit_status == 0);

    // A failover by hand, then the rejoin declared by the swap: pg1 stopped
    // hard, pg2 promoted and written on, pg1 started again as a primary of
    // its own and written on. pg_rewind where the host has it (Debian's
    // 15; the sandbox's self-built majors carry no pg_rewind, and 10's
    // needs a superuser), else a new clone; recovery.conf on 10 and 11.
    s.OnBoth("pg1", layout.Control("stop") + " -m immediate");
    if (major >= 12) {
      CHECK(s.Sql("pg2", "SELECT pg_promote()") == "t\n");
    } else {
      s.OnBoth("pg2", layout.Control("promote"));
    }
    s.Sql("pg2", "INSERT INTO switch_rows (id) VALUES (5000000)");
    s.OnBoth("pg1", layout.Control("start"));
    s.Sql("pg1", "INSERT INTO switch_rows (id) VALUES (9999999)");
    CHECK(swapped.Run("plan").exit_status == 1);  // pg1 takes writes: the flag is needed
    const json rejoin = swapped.Json("plan --allow-overwrite-primary");
    std::vector<std::string> planned;
    for (const json& change : rejoin["changes"]) planned.push_back(change["address"]);
    const std::string how = layout.debian ? "standby_rewind[pg1]" : "standby_clone[pg1]";
    INFO(rejoin.dump(2).substr(0, 4000));
    CHECK(std::find(planned.begin(), planned.end(), how) != planned.end());
    Report("rejoin", layout.debian ? "pg_rewind" : "clone");
    double rejoined = swapped.Timed("apply --auto-approve --allow-overwrite-primary", 0);
    Report("rejoin_seconds", std::to_string(rejoined));
    CHECK(swapped.Sql("pg1", "SELECT pg_is_in_recovery()") == "t\n");
    if (major < 12) {
      s.OnBoth("pg1", "grep -q \"^standby_mode = 'on'\" " + layout.data_dir + "/recovery.conf");
    }
    CHECK(swapped.Run("verify").exit_status == 0);
    CHECK(swapped.Run("plan").exit_status == 0);
    // pg2's row after the fork is there, pg1's own is gone, and every
    // acknowledged row of the switchovers is kept.
    CHECK(swapped.Sql("pg1",
                      "SELECT string_agg(id::text, ',' ORDER BY id) FROM switch_rows "
                      "WHERE id >= 5000000") == "5000000\n");
    CHECK(MissingOn("pg1", acknowledged, layouts).empty());
    Report("result", "pass");
  }
}

// plan and apply both refuse the pair, saying `why`, and neither host has
// changed: no replication role on pg1, pg2 still a primary of its own.
void ExpectRefused(Scenario& s, const std::string& why, const HostLayout& standby) {
  CommandResult plan = s.Run("plan");
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 1);
  CHECK_THAT(plan.out + plan.err, Catch::Contains(why));
  CommandResult apply = s.Run("apply --auto-approve");
  INFO(apply.out << apply.err);
  CHECK(apply.exit_status == 1);
  CHECK(s.Sql("pg1", "SELECT count(*) FROM pg_roles WHERE rolname = 'replicator'") == "0\n");
  CHECK(OnHost("pg2", standby.Psql("SELECT pg_is_in_recovery()")).out == "f\n");
}

TEST_CASE("a pair across two majors is refused before anything changes", "[majors]") {
  RequireSandbox("up");
  // The standby's binaries and data were upgraded; its manifest entry
  // leaves the layout to discovery.
  RequireSandbox("reset --major 15 --major pg2=18");
  Scenario s(15, /*declare_standby=*/false);
  ExpectRefused(s, "pg1 runs PostgreSQL 15 but pg2's cluster is 18", HostLayout::Of(18));
}

TEST_CASE("a pair across two CPU architectures is refused before anything changes", "[majors]") {
  RequireSandbox("up");
  // pg2 reboots with a 32-bit personality: its uname -m says i686.
  RequireSandbox("reset --arch pg2=i686");
  Scenario s(15);
  ExpectRefused(s,
                "pg1 is x86_64 but pg2 is i686: physical replication copies data files byte "
                "for byte and fails across architectures",
                HostLayout::Of(15));
  RequireSandbox("reset");
}

}  // namespace
}  // namespace pgpair::testing
