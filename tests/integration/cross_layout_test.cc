// A pair across Debian's layout and the pg_ctl layout (issue 11: "a role
// swap across Debian's and the pg_ctl layouts"): pg1 runs Debian's 15/main
// (pg_ctlcluster, its configuration in /etc/postgresql/15/main), pg2 npm's
// 15 in /var/lib/pgsql/15/data with its configuration in the data directory
// (`sandbox reset --major pg2=15 --layout pg2=pg_ctl`). Debian's data
// directory holds no postgresql.conf or pg_hba.conf, so pg2's clone must
// keep its own. Then a switchover to pg2 and back with a client committing
// rows all the while; a failover by hand rejoined by pg_rewind (Debian's
// 15 has it) from the pg_ctl-layout primary, and one the other way, where
// the pg_ctl-layout host (npm's 15 has no pg_rewind) is cloned again.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/integration/fault_support.h"
#include "tests/integration/host_layout.h"
#include "tests/integration/sandbox_support.h"
#include "tests/integration/switchover_support.h"

namespace pgpair::testing {
namespace {

const PairLayout kLayouts{HostLayout::Debian15(), HostLayout::PgCtl(15)};

// examples/sandbox.yaml with pg2 declared in the pg_ctl layout; `swapped`:
// primary: and standby: exchanged.
std::string CrossManifest(bool swapped) {
  const std::string debian_cluster = "    postgres: {cluster: 15/main}\n";
  std::string text = ReadText(Example("sandbox.yaml"));
  const size_t pg2 = text.rfind(debian_cluster);
  REQUIRE(pg2 != std::string::npos);
  const HostLayout& layout = kLayouts.pg2;
  text.replace(pg2, debian_cluster.size(),
               "    postgres:\n      bin_dir: " + layout.bin_dir +
                   "\n      data_dir: " + layout.data_dir + "\n      service: pg_ctl\n");
  if (swapped) {
    const std::string roles =
        Replaced(text, "primary: pg1\nstandby: pg2", "primary: pg2\nstandby: pg1");
    REQUIRE(roles != text);
    text = roles;
  }
  return text;
}

std::string Sql(const std::string& host, const std::string& sql) {
  CommandResult run = SqlIn(kLayouts, host, sql);
  INFO(host << ": " << sql << "\n" << run.out << run.err);
  REQUIRE(run.exit_status == 0);
  return run.out;
}

void OnHostOk(const std::string& host, const std::string& command) {
  CommandResult run = OnHost(host, command);
  INFO(host << ": " << command << "\n" << run.out << run.err);
  REQUIRE(run.exit_status == 0);
}

CommandResult Run(const std::string& command, const std::string& manifest) {
  return PgpairWithin(300, command + " " + ShellQuote(manifest));
}

// `primary` takes writes, `standby` streams from it and is verified, the
// plan is empty, and every acknowledged row (if any) is on both.
void CheckPair(const std::string& manifest, const std::string& primary, const std::string& standby,
               const std::vector<long long>& acknowledged) {
  CHECK(Sql(primary, "SELECT pg_is_in_recovery()") == "f\n");
  CHECK(Sql(standby, "SELECT pg_is_in_recovery()") == "t\n");
  CommandResult verify = Run("verify", manifest);
  INFO("verify: " << verify.out << verify.err);
  CHECK(verify.exit_status == 0);
  CHECK_THAT(verify.out, Catch::Contains("Replication verified."));
  CommandResult plan = Run("plan", manifest);
  INFO("second plan: " << plan.out << plan.err);
  CHECK(plan.exit_status == 0);
  if (acknowledged.empty()) return;  // before the writer's table exists
  CHECK(MissingOn(primary, acknowledged, kLayouts).empty());
  CHECK(MissingOn(standby, acknowledged, kLayouts).empty());
}

TEST_CASE("a pair across Debian's and the pg_ctl layout: clone, switchover and back, rejoin",
          "[xlayout]") {
  RequireSandbox("up");
  RequireSandbox("reset --major pg2=15 --layout pg2=pg_ctl");
  TempDir dir;
  const std::string manifest = dir.Write("pair.yaml", CrossManifest(false));
  const std::string swapped = dir.Write("swapped.yaml", CrossManifest(true));
  const std::string pg2_data = kLayouts.pg2.data_dir;

  // The plan says that pg2 keeps its own configuration files.
  CommandResult plan = Run("plan", manifest);
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_status == 2);
  CHECK_THAT(plan.out, Catch::Contains("standby_clone[pg2]"));
  CHECK_THAT(plan.out, Catch::Contains("pg1 keeps its configuration outside its data directory "
                                       "(/etc/postgresql/15/main/postgresql.conf), so the copy "
                                       "holds none of its own: pg2's postgresql.conf, "
                                       "pg_hba.conf, pg_ident.conf are carried into it from " +
                                       pg2_data));

  CommandResult apply = Run("apply --auto-approve", manifest);
  {
    INFO(apply.out << apply.err);
    REQUIRE(apply.exit_status == 0);
  }
  // pg2 runs from its own data directory's configuration: initdb's
  // pg_hba.conf (its scram-sha-256 line for 127.0.0.1, which Debian's lacks),
  // no path of Debian's layout.
  CHECK(Sql("pg2", "SHOW config_file") == pg2_data + "/postgresql.conf\n");
  CHECK(Sql("pg2", "SHOW hba_file") == pg2_data + "/pg_hba.conf\n");
  OnHostOk("pg2",
           "grep -Eq '^host +all +all +127.0.0.1/32 +scram-sha-256' " + pg2_data + "/pg_hba.conf");
  OnHostOk("pg2", "! grep -q /etc/postgresql " + pg2_data + "/postgresql.conf");
  OnHostOk("pg2", "test -f " + pg2_data + "/standby.signal");
  CheckPair(manifest, "pg1", "pg2", {});

  // Switchover to pg2 and back, with the writer committing.
  const std::string prepared = PrepareWriter("pg1", kLayouts);
  INFO(prepared);
  REQUIRE(prepared.empty());
  SwitchRun there = SwitchWithWriter(swapped, 1);
  {
    INFO("apply: " << there.apply.out << there.apply.err);
    REQUIRE(there.apply.exit_status == 0);
  }
  WARN("switchover pg1 (Debian) -> pg2 (pg_ctl): "
       << there.acknowledged.size() << " commits, longest gap " << there.longest_gap << " s");
  CHECK(there.both_writable_rounds == 0);
  CHECK(there.monitor_rounds > 0);
  OnHostOk("pg1", "test -f " + kLayouts.pg1.data_dir + "/standby.signal");
  CheckPair(swapped, "pg2", "pg1", there.acknowledged);

  SwitchRun back = SwitchWithWriter(manifest, 1000000);
  {
    INFO("apply back: " << back.apply.out << back.apply.err);
    REQUIRE(back.apply.exit_status == 0);
  }
  WARN("switchover pg2 (pg_ctl) -> pg1 (Debian): "
       << back.acknowledged.size() << " commits, longest gap " << back.longest_gap << " s");
  CHECK(back.both_writable_rounds == 0);
  std::vector<long long> acknowledged = there.acknowledged;
  acknowledged.insert(acknowledged.end(), back.acknowledged.begin(), back.acknowledged.end());
  CheckPair(manifest, "pg1", "pg2", acknowledged);

  // A failover by hand: pg1 stopped hard, pg2 promoted and written on, pg1
  // started again as a primary of its own and written on. Once the
  // manifest names pg2, pg1 is rewound from it with Debian's pg_rewind.
  OnHostOk("pg1", kLayouts.pg1.Control("stop") + " -m immediate");
  CHECK(Sql("pg2", "SELECT pg_promote()") == "t\n");
  Sql("pg2", "INSERT INTO switch_rows (id) VALUES (5000000)");
  OnHostOk("pg1", kLayouts.pg1.Control("start"));
  Sql("pg1", "INSERT INTO switch_rows (id) VALUES (9999999)");
  CommandResult refused = Run("plan", swapped);
  INFO(refused.out << refused.err);
  CHECK(refused.exit_status == 1);  // pg1 takes writes: the flag is needed
  CommandResult rejoin_plan = Run("plan --allow-overwrite-primary", swapped);
  INFO(rejoin_plan.out << rejoin_plan.err);
  CHECK(rejoin_plan.exit_status == 2);
  CHECK_THAT(rejoin_plan.out, Catch::Contains("standby_rewind[pg1]"));
  CommandResult rejoin = Run("apply --auto-approve --allow-overwrite-primary", swapped);
  {
    INFO(rejoin.out << rejoin.err);
    REQUIRE(rejoin.exit_status == 0);
  }
  // pg1 still runs from Debian's configuration, whatever pg_rewind copied.
  CHECK(Sql("pg1", "SHOW config_file") == "/etc/postgresql/15/main/postgresql.conf\n");
  CHECK(Sql("pg1",
            "SELECT string_agg(id::text, ',' ORDER BY id) FROM switch_rows WHERE id >= "
            "5000000") == "5000000\n");
  CheckPair(swapped, "pg2", "pg1", acknowledged);

  // And the other way: pg2 (pg_ctl, no pg_rewind in its bin_dir) fails
  // over to pg1 and is cloned again from Debian's data directory, its own
  // configuration files carried over from the data directory moved aside.
  OnHostOk("pg2", kLayouts.pg2.Control("stop") + " -m immediate");
  CHECK(Sql("pg1", "SELECT pg_promote()") == "t\n");
  Sql("pg1", "INSERT INTO switch_rows (id) VALUES (6000000)");
  OnHostOk("pg2", kLayouts.pg2.Control("start"));
  CommandResult reclone_plan = Run("plan --allow-overwrite-primary", manifest);
  INFO(reclone_plan.out << reclone_plan.err);
  CHECK(reclone_plan.exit_status == 2);
  CHECK_THAT(reclone_plan.out, Catch::Contains("standby_clone[pg2]"));
  CHECK_THAT(reclone_plan.out, Catch::Contains("pg2's postgresql.conf, pg_hba.conf, pg_ident.conf "
                                               "are carried into it"));
  CommandResult reclone = Run("apply --auto-approve --allow-overwrite-primary", manifest);
  {
    INFO(reclone.out << reclone.err);
    REQUIRE(reclone.exit_status == 0);
  }
  CHECK(Sql("pg2", "SHOW config_file") == pg2_data + "/postgresql.conf\n");
  CHECK(Sql("pg2",
            "SELECT string_agg(id::text, ',' ORDER BY id) FROM switch_rows WHERE id >= "
            "5000000") == "5000000,6000000\n");
  CheckPair(manifest, "pg1", "pg2", acknowledged);
}

}  // namespace
}  // namespace pgpair::testing
