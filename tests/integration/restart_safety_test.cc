// Restarts that cannot strand a server, on the sandbox pair: a value the
// server refuses at start is undone and reported, and the next plan refuses
// it; what the facts show to be impossible is refused before any change; a
// pending ALTER SYSTEM value overwritten with the running one leaves no
// restart pending. The real pgpair binary, never a fake.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {
namespace {

const std::string kManifest = Example("sandbox.yaml");
const char kConf[] = "/etc/postgresql/15/main/postgresql.conf";
const char kAutoConf[] = "/var/lib/postgresql/15/main/postgresql.auto.conf";
const char kRecord[] = "/var/lib/pgpair/refused-settings";

// examples/sandbox.yaml with `line` added to the primary's settings.
std::string ManifestWithPrimarySetting(const TempDir& dir, const std::string& line) {
  std::string text = ReadText(kManifest);
  const std::string anchor = "    max_wal_senders: 10\n";
  REQUIRE(text.find(anchor) != std::string::npos);
  return dir.Write("sandbox.yaml", Replaced(text, anchor, anchor + "    " + line + "\n"));
}

std::string FileOn(const std::string& host, const std::string& path) {
  CommandResult cat = OnHost(host, "cat " + ShellQuote(path));
  INFO(host << ": cat " << path << ": " << cat.err);
  REQUIRE(cat.exit_status == 0);
  return cat.out;
}

std::string StartTime(const std::string& host) {
  CommandResult started = SqlOnHost(host, "SELECT pg_postmaster_start_time()");
  INFO(host << ": " << started.err);
  REQUIRE(started.exit_status == 0);
  return started.out;
}

CommandResult Run(const std::string& arguments) {
  CommandResult run = Pgpair(arguments);
  UNSCOPED_INFO("pgpair " << arguments << ": exit " << run.exit_status << "\n"
                          << run.out << run.err);
  return run;
}

// Takes the hand-written value out again when a test ends, however it ends:
// a host whose server cannot start makes the next `sandbox up` fail.
struct HandWrittenValue {
  std::string host;
  ~HandWrittenValue() {
    OnHost(host, std::string("sed -i '/pgpair_missing/d' ") + kConf +
                     " && { pg_lsclusters -h | grep -q online || pg_ctlcluster 15 main start; }");
  }
};

// Waits until the standby's WAL receiver streams, at most 30 s: after the
// primary's restart it reconnects only at its next retry (5 s by default).
bool StandbyStreams() {
  for (int i = 0; i < 60; ++i) {
    CommandResult receiver =
        SqlOnHost("pg2", "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'");
    if (receiver.out == "1\n") return true;
    usleep(500 * 1000);
  }
  return false;
}

// From two fresh clusters to a streaming pair.
void ConvergedPair() {
  FreshSandbox();
  REQUIRE(Run("apply --auto-approve " + kManifest).exit_status == 0);
  REQUIRE(Run("check " + kManifest).exit_status == 0);
}

TEST_CASE("a value the server refuses at start is undone, reported, then refused by the plan",
          "[restart_safety]") {
  FreshSandbox();
  TempDir dir;
  // No plan-time check can know that this library is missing: only the
  // start shows it.
  const std::string bad =
      ManifestWithPrimarySetting(dir, "shared_preload_libraries: pgpair_missing");
  REQUIRE(SqlOnHost("pg1", "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)").exit_status ==
          0);
  const std::string conf_before = FileOn("pg1", kConf);
  const std::string auto_before = FileOn("pg1", kAutoConf);

  CommandResult applied = Run("apply --auto-approve " + bad);
  CHECK(applied.exit_status == 1);
  // The setting, and the server's own line.
  CHECK(applied.err.find("The server refused shared_preload_libraries = 'pgpair_missing' "
                         "(setting[pg1/shared_preload_libraries])") != std::string::npos);
  CHECK(applied.err.find("FATAL:  could not access file \"pgpair_missing\": No such file or "
                         "directory") != std::string::npos);
  CHECK(applied.err.find("The server was started again with it and runs.") != std::string::npos);

  // The primary runs with the previous files and its data.
  CHECK(OnHost("pg1", "pg_isready -q -h /var/run/postgresql").exit_status == 0);
  CHECK(SqlOnHost("pg1", "SELECT x FROM kept").out == "42\n");
  CHECK(FileOn("pg1", kConf) == conf_before);
  CHECK(FileOn("pg1", kAutoConf) == auto_before);
  // The refused version is kept, not deleted.
  CHECK(OnHost("pg1", "grep -l pgpair_missing /var/lib/pgpair/refused/*" + std::string(kConf))
            .exit_status == 0);
  CHECK(OnHost("pg1", "stat -c '%U %a' " + std::string(kRecord)).out == "root 600\n");

  // The rerun stops at plan time, naming the value, and changes nothing.
  const std::string started = StartTime("pg1");
  CommandResult planned = Run("plan " + bad);
  CHECK(planned.exit_status == 1);
  CHECK(planned.out.find("pg1: the server refused shared_preload_libraries = 'pgpair_missing' "
                         "at its last start (") != std::string::npos);
  CHECK(planned.out.find("could not access file \"pgpair_missing\"") != std::string::npos);
  CHECK(planned.out.find("the primary is not running") == std::string::npos);
  CommandResult again = Run("apply --auto-approve " + bad);
  CHECK(again.exit_status == 1);
  CHECK(again.err.find("nothing was changed: the plan has blockers") != std::string::npos);
  CHECK(StartTime("pg1") == started);
  CHECK(FileOn("pg1", kConf) == conf_before);

  // With the manifest fixed, apply converges, the record is cleared, and
  // replication works.
  CHECK(Run("apply --auto-approve " + kManifest).exit_status == 0);
  CHECK(Run("verify " + kManifest).exit_status == 0);
  CHECK(Run("plan " + kManifest).exit_status == 0);
  CHECK(OnHost("pg1", std::string("grep -q pgpair_missing ") + kRecord).exit_status != 0);
  CHECK(SqlOnHost("pg1", "SELECT x FROM kept").out == "42\n");
}

TEST_CASE("max_connections below the reserved connections is refused at plan time",
          "[restart_safety]") {
  FreshSandbox();
  TempDir dir;
  const std::string bad = ManifestWithPrimarySetting(dir, "max_connections: 1");
  const std::string conf_before = FileOn("pg1", kConf);
  const std::string started = StartTime("pg1");

  CommandResult planned = Run("plan " + bad);
  CHECK(planned.exit_status == 1);
  CHECK(planned.out.find("pg1: superuser_reserved_connections = 3 (running) must be less than "
                         "max_connections = 1 (" +
                         bad + ":47:5): PostgreSQL 15 would not start") != std::string::npos);
  CommandResult applied = Run("apply --auto-approve " + bad);
  CHECK(applied.exit_status == 1);
  CHECK(applied.err.find("nothing was changed: the plan has blockers") != std::string::npos);
  CHECK(FileOn("pg1", kConf) == conf_before);
  CHECK(StartTime("pg1") == started);
  CHECK(SqlOnHost("pg1", "SELECT count(*) FROM pg_roles WHERE rolname = 'replicator'").out ==
        "0\n");
}

TEST_CASE("a stopped standby that refuses a hand-written value is put back and started",
          "[restart_safety]") {
  ConvergedPair();
  HandWrittenValue cleanup{"pg2"};
  // The standby's files were proven by its start: they are the last good ones.
  REQUIRE(
      OnHost("pg2", std::string("pg_ctlcluster 15 main stop && echo \"shared_preload_libraries = "
                                "'pgpair_missing'\" >> ") +
                        kConf)
          .exit_status == 0);
  const std::string primary_started = StartTime("pg1");

  CommandResult applied = Run("apply --auto-approve " + kManifest);
  CHECK(applied.exit_status == 1);
  CHECK(applied.err.find("pg2 (198.18.0.12): the start of the PostgreSQL server failed") !=
        std::string::npos);
  CHECK(applied.err.find("FATAL:  could not access file \"pgpair_missing\"") != std::string::npos);
  CHECK(applied.err.find("The server was started again with it and runs.") != std::string::npos);
  // The hand-written line is kept aside, the standby streams again, the
  // primary was not touched.
  CHECK(OnHost("pg2", std::string("grep -q pgpair_missing ") + kConf).exit_status != 0);
  CHECK(OnHost("pg2", "grep -l pgpair_missing /var/lib/pgpair/refused/*" + std::string(kConf))
            .exit_status == 0);
  CHECK(StartTime("pg1") == primary_started);
  CHECK(SqlOnHost("pg2", "SELECT pg_is_in_recovery()").out == "t\n");
  CHECK(SqlOnHost("pg1", "SELECT pg_is_in_recovery()").out == "f\n");
  CHECK(Run("apply --auto-approve " + kManifest).exit_status == 0);
  CHECK(StandbyStreams());
  CHECK(Run("verify " + kManifest).exit_status == 0);
}

TEST_CASE("a stopped primary that refuses a hand-written value is put back and started",
          "[restart_safety]") {
  ConvergedPair();
  HandWrittenValue cleanup{"pg1"};
  REQUIRE(
      OnHost("pg1", std::string("pg_ctlcluster 15 main stop && echo \"shared_preload_libraries = "
                                "'pgpair_missing'\" >> ") +
                        kConf)
          .exit_status == 0);
  const std::string conf_written = FileOn("pg1", kConf);

  // The stopped primary is planned and started; its start fails on the
  // value: the log line is reported, the last good files (proven by the
  // converging apply's restart) are put back, the written ones kept aside,
  // and the primary runs as a primary.
  CommandResult applied = Run("apply --auto-approve " + kManifest);
  CHECK(applied.exit_status == 1);
  CHECK(applied.err.find("pg1 (198.18.0.11): the start of the PostgreSQL server failed") !=
        std::string::npos);
  CHECK(applied.err.find("FATAL:  could not access file \"pgpair_missing\"") != std::string::npos);
  CHECK(applied.err.find("The server was started again with it and runs.") != std::string::npos);
  CHECK(FileOn("pg1", kConf) != conf_written);
  CHECK(OnHost("pg1", "grep -l pgpair_missing /var/lib/pgpair/refused/*" + std::string(kConf))
            .exit_status == 0);
  CHECK(SqlOnHost("pg1", "SELECT pg_is_in_recovery()").out == "f\n");
  // Never a second primary; the rerun converges.
  CHECK(SqlOnHost("pg2", "SELECT pg_is_in_recovery()").out == "t\n");
  CHECK(Run("apply --auto-approve " + kManifest).exit_status == 0);
  CHECK(StandbyStreams());
  CHECK(Run("verify " + kManifest).exit_status == 0);
}

TEST_CASE(
    "a pending ALTER SYSTEM value overwritten with the running one leaves no restart "
    "pending",
    "[restart_safety]") {
  ConvergedPair();
  // The manifest's max_wal_senders is 10, which the primary runs; ALTER
  // SYSTEM asks for 20 and the reload makes the server wait for a restart.
  REQUIRE(SqlOnHost("pg1", "ALTER SYSTEM SET max_wal_senders = 20").exit_status == 0);
  REQUIRE(SqlOnHost("pg1", "SELECT pg_reload_conf()").exit_status == 0);
  const char* pending = "SELECT string_agg(name, ',') FROM pg_settings WHERE pending_restart";
  CommandResult waiting;
  for (int i = 0; i < 50; ++i) {  // the reload is asynchronous: at most 5 s
    waiting = SqlOnHost("pg1", pending);
    if (waiting.out == "max_wal_senders\n") break;
    usleep(100 * 1000);
  }
  REQUIRE(waiting.out == "max_wal_senders\n");
  const std::string started = StartTime("pg1");

  CommandResult planned = Run("plan --json " + kManifest);
  CHECK(planned.exit_status == 2);
  nlohmann::json plan = nlohmann::json::parse(planned.out);
  REQUIRE(plan["changes"].size() == 1);
  CHECK(plan["changes"][0]["address"] == "setting[pg1/max_wal_senders]");
  CHECK(plan["changes"][0]["impact"] == "reload");
  CHECK(Run("apply --auto-approve " + kManifest).exit_status == 0);
  // No restart, and nothing pending: the reload after the edit cleared it.
  CHECK(StartTime("pg1") == started);
  CHECK(SqlOnHost("pg1", pending).out == "\n");
  CHECK(FileOn("pg1", kAutoConf).find("max_wal_senders = '10'") != std::string::npos);
  CHECK(Run("plan " + kManifest).exit_status == 0);
}

}  // namespace
}  // namespace pgpair::testing
