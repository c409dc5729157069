#include "engine/apply/restart_safety.h"

#include <catch2/catch.hpp>

#include "engine/facts/parsers/refused_settings.h"
#include "resources/setting.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/script_call.h"
#include "tests/unit/fixture_file.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

const char kConf[] = "/etc/postgresql/15/main/postgresql.conf";
const char kHba[] = "/etc/postgresql/15/main/pg_hba.conf";
const char kData[] = "/var/lib/postgresql/15/main";
const char kAuto[] = "/var/lib/postgresql/15/main/postgresql.auto.conf";
const char kConfD[] = "/etc/postgresql/15/main/conf.d/extra.conf";

// What a command of the config snapshot script with `action` contains.
std::string Snapshot(const std::string& action) {
  return ScriptCalled("pgpair-config-snapshot", action + " ");
}

// A FakeTransport whose scripted answers may say "@@MARK" where the control
// script's random marker goes.
class MarkedHost : public FakeTransport {
 public:
  using FakeTransport::FakeTransport;
  Result<ExecResult> Exec(const std::string& command, const std::string& stdin_data,
                          std::chrono::milliseconds timeout) override {
    Result<ExecResult> answer = FakeTransport::Exec(command, stdin_data, timeout);
    std::optional<std::vector<std::string>> args = ScriptArgs(command, "pgpair-server-control");
    if (!answer.ok() || !args || args->empty()) return answer;
    const std::string mark = args->front();
    ExecResult result = *answer;
    for (size_t pos = result.stdout_text.find("@@MARK"); pos != std::string::npos;
         pos = result.stdout_text.find("@@MARK", pos)) {
      result.stdout_text.replace(pos, 6, mark);
    }
    return result;
  }
};

HostFacts Debian15(const std::string& name) {
  HostFacts f;
  f.name = name;
  f.server.running = true;
  f.server.major = 15;
  f.layout.cluster = "15/main";
  f.layout.data_dir = kData;
  f.layout.config_file = kConf;
  f.layout.hba_file = kHba;
  SettingFact buffers;
  buffers.name = "shared_buffers";
  buffers.pending_restart = false;
  f.settings = std::vector<SettingFact>{buffers};
  f.refused_settings = std::vector<RefusedSettingFact>{};
  return f;
}

Change SettingChange(const std::string& name, const std::string& value, const std::string& after,
                     Impact impact, const std::string& file = kConf) {
  Change change;
  change.resource = "setting";
  change.address = "setting[pg1/" + name + "]";
  change.host = "pg1";
  change.after = after;
  change.impact = impact;
  change.server_step = impact == Impact::kRestart ? ServerStep::kRestart : ServerStep::kReload;
  change.edited_files = {file};
  change.setting = WrittenSetting{name, value};
  SetDetails(change, SettingDetails{name, value, file, true});
  return change;
}

struct Fixture {
  Manifest manifest = testing::SandboxPair();
  HostFacts primary = Debian15("pg1");
  HostFacts standby = Debian15("pg2");
  PlanInput input;
  MarkedHost pg1{"pg1 (198.18.0.11)"};
  MarkedHost pg2{"pg2 (198.18.0.12)"};
  ApplyContext context;
  std::vector<std::string> progress;
  std::vector<Change> changes = {
      SettingChange("listen_addresses", "*", "'*'", Impact::kRestart),
      SettingChange("shared_preload_libraries", "pgpair_missing", "'pgpair_missing'",
                    Impact::kRestart),
      SettingChange("archive_command", "cp %p /a/%f", "'cp %p /a/%f'", Impact::kReload)};

  Fixture() {
    input.manifest = &manifest;
    input.primary = &primary;
    input.standby = &standby;
    input.timestamp = "20261201T113442Z";
    context.manifest = &manifest;
    context.plan_input = &input;
    context.primary = &pg1;
    context.standby = &pg2;
    context.progress = [this](const std::string& line) { progress.push_back(line); };
  }
  Status Restart() { return StartOrRestartSafely(context, "pg1", changes, ServerAction::kRestart); }
  // The refused-settings record as apply wrote it (the atomic write's stdin).
  std::vector<RefusedSetting> Recorded() const {
    for (const FakeTransport::Call& call : pg1.calls()) {
      std::optional<std::vector<std::string>> args = ScriptArgs(call.command, "pgpair-write-file");
      if (args && args->front() == "/var/lib/pgpair/refused-settings") {
        return ParseRefusedSettings(call.stdin_data);
      }
    }
    FAIL("the record was not written");
    return {};
  }
};

// What the control script prints when pg_ctlcluster's restart failed.
ExecResult RefusedRestart() {
  return FakeTransport::Exit(
      1,
      "The PostgreSQL server failed to start. Please check the log output:\n"
      "2026-12-01 11:35:13.638 UTC [21887] FATAL:  could not access file \"pgpair_missing\": No "
      "such file or directory\n",
      "\n@@MARK log /var/log/postgresql/postgresql-15-main.log\n" +
          testing::ReadFixture("server_log/debian15_restart_missing_library.log") +
          "\n@@MARK running\nno\n");
}

void ScriptRecord(MarkedHost& host, const std::string& existing = "") {
  host.OnCommand("install -d -m 0700 -- /var/lib/pgpair", FakeTransport::Stdout(""));
  host.OnCommand("cat -- /var/lib/pgpair/refused-settings",
                 existing.empty()
                     ? FakeTransport::Exit(1,
                                           "cat: /var/lib/pgpair/refused-settings: No such "
                                           "file or directory\n")
                     : FakeTransport::Stdout(existing));
  host.OnCommand(ScriptCalled("pgpair-write-file", "/var/lib/pgpair/refused-settings"),
                 FakeTransport::Stdout(""));
}

TEST_CASE("The files at stake, and when they are proven", "[restart_safety]") {
  HostFacts f = Debian15("pg1");
  std::vector<Change> changes = {SettingChange("work_mem", "8MB", "8MB", Impact::kReload, kConfD),
                                 SettingChange("port", "5433", "5433", Impact::kRestart, kAuto)};
  CHECK(ConfigFilesAtStake(f, changes) == std::vector<std::string>{kConf, kHba, kAuto, kConfD});
  // Up to 11, recovery.conf too.
  f.server.major = 11;
  CHECK(ConfigFilesAtStake(f, {}) ==
        std::vector<std::string>{kConf, kHba, kAuto, std::string(kData) + "/recovery.conf"});
  // A re-clone replaces the data directory: its files are not restored.
  Change clone;
  clone.resource = "standby_clone";
  clone.impact = Impact::kReclone;
  f.server.major = 15;
  CHECK(ConfigFilesAtStake(f, {clone, changes[1]}) == std::vector<std::string>{kConf, kHba});

  CHECK(FilesProven(f));
  (*f.settings)[0].pending_restart = true;
  CHECK_FALSE(FilesProven(f));
  f = Debian15("pg1");
  f.server.running = false;
  CHECK_FALSE(FilesProven(f));
  f = Debian15("pg1");
  f.settings.reset();
  CHECK_FALSE(FilesProven(f));
}

TEST_CASE("Start suspects are the restart settings, else every setting", "[restart_safety]") {
  Fixture f;
  std::vector<StartSuspect> suspects = StartSuspects(f.changes);
  REQUIRE(suspects.size() == 2);
  CHECK(suspects[0].name == "listen_addresses");
  CHECK(suspects[1].display == "'pgpair_missing'");
  CHECK(suspects[1].value == "pgpair_missing");
  CHECK(StartSuspects({f.changes[2]}).size() == 1);
  Change hba;
  hba.resource = "hba_rule";
  CHECK(StartSuspects({hba}).empty());
}

TEST_CASE("KeepLastGood replaces proven copies and keeps them otherwise", "[restart_safety]") {
  Fixture f;
  f.pg1.Then(FakeTransport::Stdout(""));
  REQUIRE(KeepLastGood(f.context, "pg1", f.changes).ok());
  CHECK(f.pg1.calls()[0].command.find(Snapshot("save")) != std::string::npos);
  (*f.primary.settings)[0].pending_restart = true;
  f.pg1.Then(FakeTransport::Stdout(""));
  REQUIRE(KeepLastGood(f.context, "pg1", f.changes).ok());
  CHECK(f.pg1.calls()[1].command.find(Snapshot("keep")) != std::string::npos);
}

TEST_CASE("A refused restart is recorded, undone and reported", "[restart_safety]") {
  Fixture f;
  f.pg1.OnCommand("main restart", RefusedRestart());
  ScriptRecord(f.pg1, FormatRefusedSettings({{"t", "/other/cluster", "port", "1", "l"}}));
  f.pg1.OnCommand(Snapshot("restore"),
                  FakeTransport::Stdout(std::string("restored\t") + kConf +
                                        "\t/var/lib/pgpair/refused/20261201T113442Z" + kConf +
                                        "\nsame\t" + kHba + "\n"));
  f.pg1.OnCommand("main start", FakeTransport::Stdout(""));

  Status restarted = f.Restart();
  REQUIRE_FALSE(restarted.ok());
  const std::string& message = restarted.message();
  INFO(message);
  // What failed, which setting, the server's own line, what was done.
  // pg_ctlcluster's own message repeats the log: the log is quoted instead.
  CHECK(message.rfind("pg1 (198.18.0.11): the restart of the PostgreSQL server failed "
                      "(PGCTLTIMEOUT=135 pg_ctlcluster 15 main restart -m fast).",
                      0) == 0);
  CHECK(message.find("Please check the log output") == std::string::npos);
  CHECK(message.find("The server refused shared_preload_libraries = 'pgpair_missing' "
                     "(setting[pg1/shared_preload_libraries]).") != std::string::npos);
  CHECK(message.find("Its log (/var/log/postgresql/postgresql-15-main.log) says:\n    "
                     "2026-12-01 11:35:13.638 UTC [21887] FATAL:  could not access file "
                     "\"pgpair_missing\": No such file or directory\n") != std::string::npos);
  CHECK(message.find(std::string("pgpair put the previous version back: ") + kConf +
                     " (the refused version is kept as /var/lib/pgpair/refused/"
                     "20261201T113442Z" +
                     kConf + ").") != std::string::npos);
  CHECK(message.find("The server was started again with it and runs.") != std::string::npos);
  CHECK(message.find("Change shared_preload_libraries in the manifest") != std::string::npos);
  // The old server's shutdown lines are not quoted.
  CHECK(message.find("fast shutdown") == std::string::npos);

  // The record: this cluster's refused value, the other cluster's kept.
  std::vector<RefusedSetting> record = f.Recorded();
  REQUIRE(record.size() == 2);
  CHECK(record[0].data_dir == "/other/cluster");
  CHECK(record[1].data_dir == kData);
  CHECK(record[1].name == "shared_preload_libraries");
  CHECK(record[1].value == "pgpair_missing");
  CHECK(record[1].log_line ==
        "FATAL:  could not access file \"pgpair_missing\": No such file or directory");
  // Control, record (3 commands), restore, start: in that order.
  std::vector<std::string> commands = f.pg1.commands();
  REQUIRE(commands.size() == 6);
  CHECK(commands[0].find("main restart") != std::string::npos);
  CHECK(ScriptArgs(commands[4], "pgpair-config-snapshot") ==
        std::vector<std::string>{"restore", "/var/lib/pgpair/last-good",
                                 "/var/lib/pgpair/refused/20261201T113442Z", kConf, kHba, kAuto});
  CHECK(commands[5].find("main start") != std::string::npos);
  CHECK(f.pg1.calls()[0].timeout == std::chrono::seconds(300));
}

TEST_CASE("An uncertain blame records each value as one of several", "[restart_safety]") {
  Fixture f;
  // huge_pages and shared_buffers both size or back shared memory, which is
  // all the log says.
  f.changes = {SettingChange("huge_pages", "on", "on", Impact::kRestart),
               SettingChange("shared_buffers", "4GB", "4GB", Impact::kRestart),
               SettingChange("listen_addresses", "*", "'*'", Impact::kRestart)};
  f.pg1.OnCommand(
      "main restart",
      FakeTransport::Exit(1, "",
                          "\n@@MARK log /l\n" +
                              testing::ReadFixture("server_log/debian15_huge_pages_on.log") +
                              "\n@@MARK running\nno\n"));
  ScriptRecord(f.pg1);
  f.pg1.OnCommand(Snapshot("restore"),
                  FakeTransport::Stdout(std::string("restored\t") + kConf + "\t/aside\n"));
  f.pg1.OnCommand("main start", FakeTransport::Stdout(""));
  Status restarted = f.Restart();
  CHECK(restarted.message().find("The server refused one of huge_pages = on, shared_buffers = "
                                 "4GB (the log does not say which).") != std::string::npos);
  std::vector<RefusedSetting> record = f.Recorded();
  REQUIRE(record.size() == 2);
  CHECK(record[0].name == "huge_pages");
  CHECK(record[0].log_line ==
        "FATAL:  could not map anonymous shared memory: Cannot allocate memory (together with "
        "shared_buffers = 4GB; the log does not say which)");
  CHECK(record[1].name == "shared_buffers");
}

TEST_CASE("A start that succeeds proves the files and clears the record", "[restart_safety]") {
  Fixture f;
  f.pg1.OnCommand("main restart", FakeTransport::Stdout(""));
  f.pg1.OnCommand(Snapshot("save"), FakeTransport::Stdout(""));
  SECTION("no record: nothing more") {
    REQUIRE(f.Restart().ok());
    REQUIRE(f.pg1.commands().size() == 2);
    CHECK(f.pg1.commands()[1].find(Snapshot("save")) != std::string::npos);
  }
  SECTION("a record of this cluster is cleared, another's kept") {
    f.primary.refused_settings->push_back({"shared_buffers", "4TB", "t", "l"});
    ScriptRecord(f.pg1, FormatRefusedSettings({{"t", kData, "shared_buffers", "4TB", "l"},
                                               {"t", "/other", "port", "1", "l"}}));
    REQUIRE(f.Restart().ok());
    std::vector<RefusedSetting> record = f.Recorded();
    REQUIRE(record.size() == 1);
    CHECK(record[0].data_dir == "/other");
  }
}

TEST_CASE("When the restart cannot be undone, the error says what is left", "[restart_safety]") {
  Fixture f;
  f.pg1.OnCommand("main restart", RefusedRestart());
  ScriptRecord(f.pg1);
  SECTION("no copy differs from proven files: the failure was not theirs, one more start") {
    f.pg1.OnCommand(Snapshot("restore"), FakeTransport::Stdout("none\t/x\n"));
    f.pg1.OnCommand("main start", FakeTransport::Stdout(""));
    Status restarted = f.Restart();
    CHECK(restarted.message().find("and the server ran with them before the restart. The server "
                                   "was started again with it and runs.") != std::string::npos);
  }
  SECTION("no copy differs from unproven files: nothing to put back, no second start") {
    (*f.primary.settings)[0].pending_restart = true;
    f.pg1.OnCommand(Snapshot("restore"), FakeTransport::Stdout("none\t/x\n"));
    Status restarted = f.Restart();
    CHECK(restarted.message().find("so there was nothing to put back; the server is stopped.") !=
          std::string::npos);
    for (const std::string& command : f.pg1.commands()) {
      CHECK(command.find("main start") == std::string::npos);
    }
  }
  SECTION("the restored files are refused too") {
    f.pg1.OnCommand(Snapshot("restore"),
                    FakeTransport::Stdout(std::string("restored\t") + kConf + "\t/aside\n"));
    f.pg1.OnCommand(
        "main start",
        FakeTransport::Exit(1, "Error: could not start\n",
                            "\n@@MARK log /l\nx [77] FATAL:  lock file \"postmaster.pid\" "
                            "already exists\n\n@@MARK running\nno\n"));
    Status restarted = f.Restart();
    CHECK(restarted.message().find(
              "The server did not start with it either (Error: could not start); its log "
              "says:\n    x [77] FATAL:  lock file \"postmaster.pid\" already exists\nThe server "
              "is stopped.") != std::string::npos);
  }
}

TEST_CASE("A server still starting, or in an unknown state, is left alone", "[restart_safety]") {
  Fixture f;
  SECTION("pg_ctl stopped waiting, the postmaster runs") {
    f.pg1.OnCommand("main restart",
                    FakeTransport::Exit(1, "pg_ctl: server did not start in time\n",
                                        "\n@@MARK log /l\nx [5] LOG:  redo starts at 0/1\n"
                                        "\n@@MARK running\nyes\n"));
    Status restarted = f.Restart();
    CHECK(restarted.message().find("main restart -m fast: pg_ctl: server did not start in "
                                   "time).") != std::string::npos);
    CHECK(restarted.message().find("The server runs but did not accept connections in time: "
                                   "pgpair leaves it as it is.") != std::string::npos);
    CHECK(f.pg1.commands().size() == 1);
  }
  SECTION("the command did not finish in time") {
    f.pg1.OnCommand("main restart", Status::Error("pg1 (198.18.0.11): command timed out"));
    Status restarted = f.Restart();
    CHECK(restarted.message().find("did not finish within 300 s (ssh.command_timeout): "
                                   "its state is unknown") != std::string::npos);
    CHECK(f.pg1.commands().size() == 1);
  }
}

TEST_CASE("A start with no setting to blame quotes the log and records nothing",
          "[restart_safety]") {
  Fixture f;
  f.primary.server.running = false;
  f.pg1.OnCommand(
      "main start",
      FakeTransport::Exit(1, "Error: failed\n",
                          "\n@@MARK log /var/log/postgresql/postgresql-15-main.log\n" +
                              testing::ReadFixture("server_log/debian15_max_connections_1.log") +
                              "\n@@MARK running\nno\n"));
  f.pg1.OnCommand(Snapshot("restore"), FakeTransport::Stdout(""));
  Status started = StartOrRestartSafely(f.context, "pg1", {}, ServerAction::kStart);
  const std::string& message = started.message();
  INFO(message);
  CHECK(message.find("says:\n    postgres: superuser_reserved_connections (3) must be less than "
                     "max_connections (1)\n") != std::string::npos);
  CHECK(message.find("Correct what the log names, then run pgpair again.") != std::string::npos);
  for (const std::string& command : f.pg1.commands()) {
    CHECK(command.find("refused-settings") == std::string::npos);
  }
}

}  // namespace
}  // namespace pgpair
