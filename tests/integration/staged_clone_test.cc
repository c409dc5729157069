// The standby clone's states between "old data" and "configured standby",
// as an interrupted run leaves them, on the sandbox pair: each is named for
// what it is in the plan, never started as a primary, and the next apply
// converges. Also the states around it: a stopped primary, a rotated
// password and a password pgpair cannot carry.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {
namespace {

const std::string kManifest = Example("sandbox.yaml");
const std::string kData = "/var/lib/postgresql/15/main";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

CommandResult ApplyOk(const std::string& manifest = kManifest) {
  CommandResult run = Pgpair("apply --auto-approve " + manifest);
  INFO("pgpair apply: exit " << run.exit_status << "\n" << run.out << run.err);
  REQUIRE(run.exit_status == 0);
  return run;
}

void RequireConverged(const std::string& manifest = kManifest) {
  CommandResult plan = Pgpair("plan " + manifest);
  INFO("pgpair plan: exit " << plan.exit_status << "\n" << plan.out << plan.err);
  REQUIRE(plan.exit_status == 0);
  CommandResult verify = Pgpair("verify " + manifest);
  INFO("pgpair verify:\n" << verify.out << verify.err);
  REQUIRE(verify.exit_status == 0);
}

// pg_is_in_recovery() of a host's running server: "t", "f", or "" when it
// does not answer.
std::string InRecovery(const std::string& host) {
  return SqlOnHost(host, "SELECT pg_is_in_recovery()").out;
}

std::string SystemIdentifier(const std::string& host) {
  return SqlOnHost(host, "SELECT system_identifier FROM pg_control_system()").out;
}

// The standby's data directory as an interrupted clone of an older pgpair
// left it: a complete pg_basebackup of pg1, with backup_label, never
// configured as a standby and never started.
void LeaveUnconfiguredCopyOnStandby() {
  REQUIRE(
      OnHost("pg2", "pg_ctlcluster 15 main stop && mv " + kData + " /srv/old-main").exit_status ==
      0);
  std::string password = ReadText(SandboxDir() + "/replication-password");
  while (!password.empty() && password.back() == '\n') password.pop_back();
  CommandResult copy = OnHost(
      "pg2", "runuser -u postgres -- env PGPASSWORD=" + ShellQuote(password) +
                 " pg_basebackup -h 198.18.0.11 -U replicator -D " + kData + " -X stream -c fast");
  INFO(copy.out << copy.err);
  REQUIRE(copy.exit_status == 0);
  REQUIRE(
      OnHost("pg2", "test -f " + kData + "/backup_label && test ! -f " + kData + "/standby.signal")
          .exit_status == 0);
}

TEST_CASE("a copy never configured as a standby is named so, never called promoted or started",
          "[staged_clone]") {
  FreshSandbox();
  ApplyOk();
  LeaveUnconfiguredCopyOnStandby();

  CommandResult plan = Pgpair("plan " + kManifest);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 2);
  CHECK(Contains(plan.out, "never started and is not configured as a standby"));
  CHECK_FALSE(Contains(plan.out, "promoted"));
  CHECK_FALSE(Contains(plan.out, "split brain"));
  // The plan changed nothing: pg2 is still stopped.
  CHECK(InRecovery("pg2").empty());

  ApplyOk();
  CHECK(InRecovery("pg1") == "f\n");
  CHECK(InRecovery("pg2") == "t\n");
  CHECK(SystemIdentifier("pg2") == SystemIdentifier("pg1"));
  // The unconfigured copy was moved aside, not deleted.
  CHECK(OnHost("pg2", "ls -d " + kData + ".pgpair-*/backup_label").exit_status == 0);
  RequireConverged();
}

TEST_CASE("leftovers of an interrupted clone are named, removed by the next clone, never started",
          "[staged_clone]") {
  FreshSandbox();
  // What a clone killed in pg_basebackup leaves: a partial copy in the
  // staging directory, and the standby's own data untouched.
  std::string before = SystemIdentifier("pg2");
  REQUIRE(OnHost("pg2", "mkdir -p " + kData + ".pgpair-staging/base && echo 15 > " + kData +
                            ".pgpair-staging/PG_VERSION && chown -R postgres: " + kData +
                            ".pgpair-staging")
              .exit_status == 0);
  CommandResult plan = Pgpair("plan " + kManifest);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 2);
  CHECK(Contains(plan.out, kData + ".pgpair-staging, left by an interrupted clone (never "
                                   "started), is removed first"));
  CHECK(SystemIdentifier("pg2") == before);

  ApplyOk();
  CHECK(OnHost("pg2",
               "test ! -e " + kData + ".pgpair-staging && test ! -e " + kData + ".pgpair-ready")
            .exit_status == 0);
  CHECK(InRecovery("pg2") == "t\n");
  RequireConverged();
}

TEST_CASE("a stopped primary is started and the standby cloned in the same apply",
          "[staged_clone]") {
  FreshSandbox();
  REQUIRE(OnHost("pg1", "pg_ctlcluster 15 main stop").exit_status == 0);
  CommandResult plan = Pgpair("plan " + kManifest);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 2);
  CHECK(Contains(plan.out, "server_running[pg1]"));
  CHECK(Contains(plan.out, "apply plans and makes what waits for them"));
  CHECK_FALSE(Contains(plan.out, "  ! "));  // no blocker
  // The same plan as a document: the start is a change of its own whose
  // whole effect is the engine's server step, and the clone waits for it.
  CommandResult document = Pgpair("plan --json " + kManifest);
  TempDir dir;
  CommandResult valid =
      ValidateAgainstSchema("plan.schema.json", dir.Write("plan.json", document.out));
  INFO(valid.out << valid.err);
  CHECK(valid.out == "valid\n");
  nlohmann::json parsed = nlohmann::json::parse(document.out);
  bool start_planned = false;
  for (const nlohmann::json& change : parsed["changes"]) {
    if (change["address"] != "server_running[pg1]") continue;
    start_planned = change["server_step"] == "start" && change["details"].is_null();
  }
  CHECK(start_planned);
  // So do the clone and the role (which a stopped server cannot show).
  CHECK(parsed["deferred"] ==
        nlohmann::json::array({"replication_role[pg1/replicator]", "standby_clone[pg2]"}));

  CommandResult apply = ApplyOk();
  CHECK(Contains(apply.out, "Planned now, after the changes above"));
  CHECK(InRecovery("pg1") == "f\n");
  CHECK(InRecovery("pg2") == "t\n");
  RequireConverged();
}

TEST_CASE("a rotated password reaches the standby, which streams again after a restart",
          "[staged_clone][password]") {
  FreshSandbox();
  ApplyOk();
  TempDir dir;
  std::string secret = dir.Write("new-password", "rotated-" + std::to_string(getpid()) + "\n");
  REQUIRE(chmod(secret.c_str(), 0600) == 0);
  std::string manifest = dir.Write(
      "pair.yaml", Replaced(ReadText(kManifest), SandboxDir() + "/replication-password", secret));
  REQUIRE(manifest != kManifest);

  CommandResult plan = Pgpair("plan " + manifest);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 2);
  CHECK(Contains(plan.out, "replication_role[pg1/replicator]"));
  CHECK(Contains(plan.out, "recovery_config[pg2]"));
  CHECK_FALSE(Contains(plan.out, "rotated-"));
  ApplyOk(manifest);

  // The next connection of the standby uses the stored password.
  REQUIRE(OnHost("pg2", "pg_ctlcluster 15 main restart").exit_status == 0);
  CommandResult check;
  for (int attempt = 0; attempt < 30; ++attempt) {
    check = Pgpair("check " + manifest);
    if (check.exit_status == 0) break;
    sleep(1);
  }
  INFO(check.out << check.err);
  CHECK(check.exit_status == 0);
  RequireConverged(manifest);
}

TEST_CASE("a password pgpair cannot carry stops plan and check with exit 1 before any change",
          "[staged_clone][password]") {
  FreshSandbox();
  TempDir dir;
  std::string secret = dir.Write("two-lines", "first\nsecond\n");
  REQUIRE(chmod(secret.c_str(), 0600) == 0);
  std::string manifest = dir.Write(
      "pair.yaml", Replaced(ReadText(kManifest), SandboxDir() + "/replication-password", secret));
  for (const char* command : {"plan ", "check ", "apply --auto-approve "}) {
    CommandResult run = Pgpair(command + manifest);
    INFO(command << ": " << run.out << run.err);
    CHECK(run.exit_status == 1);
    CHECK(Contains(run.err, "control character"));
    CHECK_FALSE(Contains(run.out + run.err, "second"));
  }
  // Nothing was changed on the primary.
  CHECK(SqlOnHost("pg1", "SELECT count(*) FROM pg_roles WHERE rolname = 'replicator'").out ==
        "0\n");
  std::string missing = dir.Write(
      "missing.yaml",
      Replaced(ReadText(kManifest), SandboxDir() + "/replication-password", "/nonexistent/pw"));
  for (const char* command : {"plan ", "check "}) {
    CommandResult run = Pgpair(command + missing);
    INFO(command << ": " << run.out << run.err);
    CHECK(run.exit_status == 1);
    CHECK(Contains(run.err, "/nonexistent/pw"));
  }
}

}  // namespace
}  // namespace pgpair::testing
