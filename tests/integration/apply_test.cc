// plan, apply, verify and check against the sandbox pair: the whole
// hot-standby setup from two independent clusters, then drift repaired.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {
namespace {

using nlohmann::json;

const std::string kManifest = Example("sandbox.yaml");

// `plan --json`, checked against schemas/plan.schema.json: every plan these
// tests make (a fresh pair, each drift) is a document of that contract.
json PlanJson() {
  CommandResult run = Pgpair("plan --json " + kManifest);
  INFO("pgpair plan: exit " << run.exit_status << "\n" << run.out << run.err);
  REQUIRE((run.exit_status == 0 || run.exit_status == 2));
  TempDir dir;
  CommandResult valid = ValidateAgainstSchema("plan.schema.json", dir.Write("plan.json", run.out));
  INFO("schemas/plan.schema.json: " << valid.out << valid.err);
  CHECK(valid.out == "valid\n");
  return json::parse(run.out);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> Addresses(const json& plan) {
  std::vector<std::string> addresses;
  for (const json& change : plan["changes"]) addresses.push_back(change["address"]);
  return addresses;
}

CommandResult Apply() {
  CommandResult run = Pgpair("apply --auto-approve " + kManifest);
  INFO("pgpair apply: exit " << run.exit_status << "\n" << run.out << run.err);
  CHECK(run.exit_status == 0);
  return run;
}

// Postmaster start times: a restart changes them, nothing else does.
struct StartTimes {
  std::string primary, standby;
  bool operator==(const StartTimes& o) const {
    return primary == o.primary && standby == o.standby;
  }
};
StartTimes ReadStartTimes() {
  const char* sql = "SELECT pg_postmaster_start_time()";
  return {SqlOnHost("pg1", sql).out, SqlOnHost("pg2", sql).out};
}

// From two fresh clusters to a streaming pair.
void ConvergedPair() {
  FreshSandbox();
  Apply();
  REQUIRE(Pgpair("check " + kManifest).exit_status == 0);
}

int Check() { return Pgpair("check " + kManifest).exit_status; }

TEST_CASE("apply turns two independent clusters into a verified streaming pair", "[apply]") {
  FreshSandbox();
  CommandResult plan = Pgpair("plan " + kManifest);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 2);
  json before = PlanJson();
  std::vector<std::string> addresses = Addresses(before);
  for (const char* expected :
       {"replication_role[pg1/replicator]", "archive_dir[pg1:/var/backups/pgsql/archive]",
        "hba_rule[pg1/replication replicator 198.18.0.12/32]", "setting[pg1/listen_addresses]",
        "standby_clone[pg2]"}) {
    INFO(expected << " in " << json(addresses).dump());
    CHECK(std::find(addresses.begin(), addresses.end(), expected) != addresses.end());
  }
  // Nothing changed during the plan.
  CHECK(SqlOnHost("pg1", "SELECT count(*) FROM pg_roles WHERE rolname = 'replicator'").out ==
        "0\n");

  Apply();
  CommandResult verify = Pgpair("verify " + kManifest);
  INFO(verify.out << verify.err);
  CHECK(verify.exit_status == 0);
  CHECK(verify.out.find("Replication verified.") != std::string::npos);

  // Converged: an empty plan, and an apply that changes and restarts nothing.
  CHECK(Pgpair("plan " + kManifest).exit_status == 0);
  StartTimes started = ReadStartTimes();
  CommandResult again = Apply();
  CHECK(again.out.find("No changes") != std::string::npos);
  CHECK(ReadStartTimes() == started);
  CHECK(Check() == 0);
  // The password never shows.
  std::string password = ReadText("/var/lib/pgpair-sandbox/replication-password");
  while (!password.empty() && password.back() == '\n') password.pop_back();
  REQUIRE_FALSE(password.empty());
  for (const std::string& output :
       {plan.out, plan.err, verify.out, again.out, Pgpair("facts --json " + kManifest).out,
        Pgpair("check --json " + kManifest).out}) {
    CHECK(output.find(password) == std::string::npos);
  }
}

// The hba_rule change of a plan; fails the test when there is none.
json HbaRuleChange(const json& plan) {
  for (const json& change : plan["changes"]) {
    if (change["address"] == "hba_rule[pg1/replication replicator 198.18.0.12/32]") return change;
  }
  FAIL("no hba_rule change in " << plan.dump());
  return json();
}

// A fresh primary whose pg_hba.conf starts with `line`, reloaded.
void PrimaryHbaStartsWith(const std::string& line) {
  FreshSandbox();
  REQUIRE(OnHost("pg1", "sed -i " + ShellQuote("1i " + line) +
                            " /etc/postgresql/15/main/pg_hba.conf && pg_ctlcluster 15 main reload")
              .exit_status == 0);
}

// The first line of the primary's pg_hba.conf.
std::string PrimaryHbaFirstLine() {
  return OnHost("pg1", "head -n 1 /etc/postgresql/15/main/pg_hba.conf").out;
}

void ApplyVerifyConverged() {
  Apply();
  CommandResult verify = Pgpair("verify " + kManifest);
  INFO(verify.out << verify.err);
  CHECK(verify.exit_status == 0);
  CHECK(Pgpair("plan " + kManifest).exit_status == 0);
  CHECK(Check() == 0);
}

TEST_CASE("a quoted \"replication\" line first is a database's line, not the standby's",
          "[apply][hba]") {
  // "replication" in double quotes is a database called replication: the
  // server never takes a replication connection with this line.
  const std::string quoted = "host \"replication\" all 0.0.0.0/0 reject";
  PrimaryHbaStartsWith(quoted);
  json change = HbaRuleChange(PlanJson());
  INFO(change.dump());
  CHECK(change["reason"].get<std::string>().rfind(
            "no line of /etc/postgresql/15/main/pg_hba.conf matches a replication connection", 0) ==
        0);
  CHECK(change["reason"].get<std::string>().find("line 1") == std::string::npos);
  ApplyVerifyConverged();
  // pgpair's rule went to the end; the line stays first, as it was.
  CHECK(PrimaryHbaFirstLine() == quoted + "\n");
}

TEST_CASE("an unquoted replication reject first shadows the standby: pgpair's rule goes before it",
          "[apply][hba]") {
  const std::string reject = "host replication all 198.18.0.12/32 reject";
  PrimaryHbaStartsWith(reject);
  json change = HbaRuleChange(PlanJson());
  INFO(change.dump());
  CHECK(change["reason"] == "line 1 `" + reject +
                                "` matches first and would refuse the standby; pgpair's rule "
                                "goes before it");
  ApplyVerifyConverged();
  // pgpair's comment and rule now come first, the reject after them.
  CHECK(PrimaryHbaFirstLine() ==
        "# pgpair: lets the standby pg2 stream (replication) and pg_rewind rejoin it (postgres)\n");
  CHECK(OnHost("pg1", "sed -n 3p /etc/postgresql/15/main/pg_hba.conf").out == reject + "\n");
}

// One drift, detected by check, planned as exactly `expected`, repaired by
// apply; `restarts` says which hosts may restart.
void ExpectRepaired(const std::vector<std::string>& expected, bool primary_may_restart,
                    bool standby_may_restart) {
  CHECK(Check() == 2);
  json plan = PlanJson();
  CHECK(Addresses(plan) == expected);
  StartTimes before = ReadStartTimes();
  Apply();
  StartTimes after = ReadStartTimes();
  if (!primary_may_restart) CHECK(after.primary == before.primary);
  if (!standby_may_restart) CHECK(after.standby == before.standby);
  CHECK(Check() == 0);
}

TEST_CASE("drift: the hba line removed", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(OnHost("pg1",
                 "sed -i '/^host *replication,postgres *replicator/d' "
                 "/etc/postgresql/15/main/pg_hba.conf && pg_ctlcluster 15 main reload")
              .exit_status == 0);
  ExpectRepaired({"hba_rule[pg1/replication replicator 198.18.0.12/32]"}, false, false);
}

TEST_CASE("drift: the hba line shadowed by an earlier reject", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(OnHost("pg1",
                 "sed -i '1i host replication all 198.18.0.0/24 reject' "
                 "/etc/postgresql/15/main/pg_hba.conf && pg_ctlcluster 15 main reload")
              .exit_status == 0);
  ExpectRepaired({"hba_rule[pg1/replication replicator 198.18.0.12/32]"}, false, false);
}

TEST_CASE("drift: a restart-context setting changed on the primary", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(SqlOnHost("pg1", "ALTER SYSTEM SET max_wal_senders = 7").exit_status == 0);
  REQUIRE(OnHost("pg1", "pg_ctlcluster 15 main restart").exit_status == 0);
  ExpectRepaired({"setting[pg1/max_wal_senders]"}, true, false);
}

TEST_CASE("drift: a reload-context setting changed", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(OnHost("pg1",
                 "echo \"archive_command = '/bin/true'\" >> "
                 "/etc/postgresql/15/main/postgresql.conf && pg_ctlcluster 15 main reload")
              .exit_status == 0);
  ExpectRepaired({"setting[pg1/archive_command]"}, false, false);
}

TEST_CASE("drift: the archive directory removed", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(OnHost("pg1", "rm -rf /var/backups/pgsql/archive").exit_status == 0);
  ExpectRepaired({"archive_dir[pg1:/var/backups/pgsql/archive]"}, false, false);
}

TEST_CASE("drift: the archive directory owned by another user", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(OnHost("pg1", "chown root:root /var/backups/pgsql/archive").exit_status == 0);
  ExpectRepaired({"archive_dir[pg1:/var/backups/pgsql/archive]"}, false, false);
}

TEST_CASE("drift: the replication role dropped", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(SqlOnHost("pg1", "DROP OWNED BY replicator; DROP ROLE replicator").exit_status == 0);
  ExpectRepaired({"replication_role[pg1/replicator]"}, false, true);
}

TEST_CASE("drift: the replication role's password changed", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(SqlOnHost("pg1", "ALTER ROLE replicator PASSWORD 'changed-by-hand'").exit_status == 0);
  ExpectRepaired({"replication_role[pg1/replicator]"}, false, true);
}

TEST_CASE("drift: standby.signal removed from the standby", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(OnHost("pg2", "rm /var/lib/postgresql/15/main/standby.signal").exit_status == 0);
  ExpectRepaired({"recovery_config[pg2]"}, false, false);
  CHECK(OnHost("pg2", "test -f /var/lib/postgresql/15/main/standby.signal").exit_status == 0);
}

TEST_CASE("drift: primary_conninfo pointing elsewhere", "[apply][drift]") {
  ConvergedPair();
  REQUIRE(SqlOnHost("pg2",
                    "ALTER SYSTEM SET primary_conninfo = "
                    "'host=198.18.0.99 port=5432 user=replicator'")
              .exit_status == 0);
  REQUIRE(OnHost("pg2", "pg_ctlcluster 15 main reload").exit_status == 0);
  ExpectRepaired({"recovery_config[pg2]"}, false, true);
}

TEST_CASE("drift: the standby's data directory replaced by an unrelated cluster",
          "[apply][drift]") {
  ConvergedPair();
  REQUIRE(OnHost("pg2",
                 "pg_ctlcluster 15 main stop && "
                 "mv /var/lib/postgresql/15/main /var/lib/postgresql/15/main.by-hand && "
                 "install -d -o postgres -g postgres -m 700 /var/lib/postgresql/15/main && "
                 "runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "
                 "/var/lib/postgresql/15/main >/dev/null && "
                 "pg_ctlcluster 15 main start")
              .exit_status == 0);
  CHECK(Check() == 2);
  json plan = PlanJson();
  std::vector<std::string> addresses = Addresses(plan);
  CHECK(std::find(addresses.begin(), addresses.end(), "standby_clone[pg2]") != addresses.end());
  for (const json& change : plan["changes"]) {
    if (change["address"] == "standby_clone[pg2]") CHECK(change["impact"] == "re-clone");
  }
  // A plan only shown names no time: apply plans again with its own.
  CommandResult shown = Pgpair("plan " + kManifest);
  INFO(shown.out);
  CHECK(Contains(shown.out, "/var/lib/postgresql/15/main.pgpair-YYYYMMDDTHHMMSSZ (never deleted)"));
  StartTimes before = ReadStartTimes();
  CommandResult applied = Apply();
  CHECK(ReadStartTimes().primary == before.primary);
  CHECK(Check() == 0);
  // The replaced directory was moved aside, not deleted, where apply said,
  // both in the plan it showed and when it moved it.
  std::smatch named;
  REQUIRE(std::regex_search(applied.out, named,
                            std::regex(R"(is moved to (/var/lib/postgresql/15/main\.pgpair-)"
                                       R"([0-9]{8}T[0-9]{6}Z) \(never deleted\))")));
  const std::string aside = named[1].str();
  CHECK(Contains(applied.out, "(/var/lib/postgresql/15/main is moved to " + aside + ")"));
  // (The first apply moved pg2's own cluster aside under another name.)
  CHECK(OnHost("pg2", "test -f " + aside + "/PG_VERSION").exit_status == 0);
}

TEST_CASE("apply shows the clone's progress and what it waits for", "[apply][progress]") {
  FreshSandbox();
  // Big enough for several of pg_basebackup's progress lines; the test
  // needs only its first and last, which every clone prints.
  RequireSandbox("fill pg1 64");
  CommandResult applied = Apply();
  INFO(applied.out);
  std::smatch line;
  CHECK(std::regex_search(applied.out, line,
                          std::regex(R"(-> pg2 \(198\.18\.0\.12\): copying [0-9.]+ [kMG]?B of )"
                                     R"([0-9.]+ [kMG]B)")));
  CHECK(std::regex_search(applied.out, line,
                          std::regex(R"(-> pg2 \(198\.18\.0\.12\): copied [0-9.]+ MB in )"
                                     R"([0-9.]+ s)")));
  CHECK(Contains(applied.out, "waiting for pg1's checkpoint"));
  CHECK(Contains(applied.out, "gives up after 300 s without progress, ssh.command_timeout"));
  CHECK(Contains(applied.out, "waiting at most"));
  // Nothing of pg_basebackup's own words leaks as an error or a stray line.
  CHECK_FALSE(Contains(applied.out + applied.err, "tablespace"));
  CHECK(Check() == 0);
}

}  // namespace
}  // namespace pgpair::testing
