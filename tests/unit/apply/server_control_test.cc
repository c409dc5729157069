#include "engine/apply/server_control.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "engine/apply/server_control.sh.inc"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/fakes/script_call.h"

namespace pgpair {
namespace {

HostSpec Host(int timeout_seconds) {
  HostSpec host;
  host.name = "pg1";
  host.address = "198.18.0.11";
  host.ssh.command_timeout_seconds = timeout_seconds;
  return host;
}

HostFacts DebianFacts() {
  HostFacts facts;
  facts.layout.cluster = "15/main";
  facts.layout.data_dir = "/var/lib/postgresql/15/main";
  return facts;
}

HostFacts SelfBuiltFacts() {
  HostFacts facts;
  facts.layout.bin_dir = "/opt/pgsql-17/bin";
  facts.layout.data_dir = "/var/lib/pgsql/17/data";
  return facts;
}

TEST_CASE("Server waits follow ssh.command_timeout_seconds", "[server_control]") {
  // The default 300 s: pg_ctl gives up 30 s before the connection does, and
  // a restart's two waits share the rest.
  CHECK(ServerWaitsFor(Host(300), ServerAction::kStart).exec == std::chrono::seconds(300));
  CHECK(ServerWaitsFor(Host(300), ServerAction::kStart).pg_ctl_seconds == 270);
  CHECK(ServerWaitsFor(Host(300), ServerAction::kStop).pg_ctl_seconds == 270);
  CHECK(ServerWaitsFor(Host(300), ServerAction::kRestart).pg_ctl_seconds == 135);
  // Short timeouts keep a margin of a tenth, at least a second.
  CHECK(ServerWaitsFor(Host(20), ServerAction::kStart).pg_ctl_seconds == 18);
  CHECK(ServerWaitsFor(Host(5), ServerAction::kStart).pg_ctl_seconds == 4);
  CHECK(ServerWaitsFor(Host(1), ServerAction::kRestart).pg_ctl_seconds == 1);
  // Long ones a margin of 30 s at most.
  CHECK(ServerWaitsFor(Host(3600), ServerAction::kStart).pg_ctl_seconds == 3570);
}

TEST_CASE("Each service manager gets the manifest's bound", "[server_control]") {
  HostSpec host = Host(60);
  // pg_ctl: -t, the -l file pgpair reads after a failure.
  CHECK(ServerControlCommand(host, SelfBuiltFacts(), ServerAction::kRestart) ==
        "cd / && runuser -u postgres -- /opt/pgsql-17/bin/pg_ctl restart -D "
        "/var/lib/pgsql/17/data -w -t 27 -m fast -l /var/lib/pgsql/17/data/pgpair-server.log");
  CHECK(ServerControlCommand(host, SelfBuiltFacts(), ServerAction::kReload) ==
        "cd / && runuser -u postgres -- /opt/pgsql-17/bin/pg_ctl reload -D "
        "/var/lib/pgsql/17/data");
  // pg_ctlcluster: no option of its own, and pg_ctl options after "--" would
  // bypass its systemd redirect: the environment carries the bound.
  CHECK(ServerControlCommand(host, DebianFacts(), ServerAction::kStop) ==
        "PGCTLTIMEOUT=54 pg_ctlcluster 15 main stop -m fast");
  CHECK(ServerControlCommand(host, DebianFacts(), ServerAction::kReload) ==
        "pg_ctlcluster 15 main reload");
  // promote (10 and 11 have no pg_promote()): pg_ctl waits for it.
  CHECK(ServerControlCommand(host, SelfBuiltFacts(), ServerAction::kPromote) ==
        "cd / && runuser -u postgres -- /opt/pgsql-17/bin/pg_ctl promote -D "
        "/var/lib/pgsql/17/data -w -t 54");
  CHECK(ServerControlCommand(host, DebianFacts(), ServerAction::kPromote) ==
        "pg_ctlcluster 15 main promote");
  // systemctl: the unit's own timeouts, and the Exec's.
  host.postgres.service = ServiceManager::kSystemctl;
  host.postgres.systemd_unit = "postgresql@15-main";
  CHECK(ServerControlCommand(host, DebianFacts(), ServerAction::kRestart) ==
        "systemctl restart postgresql@15-main");
}

TEST_CASE("The service manager: the manifest's, else Debian's for a cluster, else pg_ctl",
          "[server_control]") {
  HostSpec host = Host(60);
  CHECK(ChooseServiceManager(host, DebianFacts()) == ServiceManager::kPgCtlCluster);
  CHECK(ChooseServiceManager(host, SelfBuiltFacts()) == ServiceManager::kPgCtl);
  // A declared service wins over what the facts suggest.
  host.postgres.service = ServiceManager::kPgCtl;
  CHECK(ChooseServiceManager(host, DebianFacts()) == ServiceManager::kPgCtl);
  host.postgres.service = ServiceManager::kSystemctl;
  CHECK(ChooseServiceManager(host, SelfBuiltFacts()) == ServiceManager::kSystemctl);
}

TEST_CASE("What each service manager runs for start, stop, reload and restart",
          "[server_control]") {
  // 60 s: one wait of 54 s, or two of 27 s for a restart.
  HostSpec host = Host(60);
  struct Case {
    ServerAction action;
    const char* pg_ctlcluster;
    const char* pg_ctl;
    const char* systemctl;
  };
  const Case kCases[] = {
      // Starts wait for the server; pg_ctl logs where pgpair reads after a failure.
      {ServerAction::kStart, "PGCTLTIMEOUT=54 pg_ctlcluster 15 main start",
       "cd / && runuser -u postgres -- /opt/pgsql-17/bin/pg_ctl start -D /var/lib/pgsql/17/data "
       "-w -t 54 -l /var/lib/pgsql/17/data/pgpair-server.log",
       "systemctl start postgresql"},
      // Stops are fast shutdowns: clients are disconnected, not waited for.
      {ServerAction::kStop, "PGCTLTIMEOUT=54 pg_ctlcluster 15 main stop -m fast",
       "cd / && runuser -u postgres -- /opt/pgsql-17/bin/pg_ctl stop -D /var/lib/pgsql/17/data "
       "-w -t 54 -m fast",
       "systemctl stop postgresql"},
      // A reload signals the server and does not wait.
      {ServerAction::kReload, "pg_ctlcluster 15 main reload",
       "cd / && runuser -u postgres -- /opt/pgsql-17/bin/pg_ctl reload -D /var/lib/pgsql/17/data",
       "systemctl reload postgresql"},
      {ServerAction::kRestart, "PGCTLTIMEOUT=27 pg_ctlcluster 15 main restart -m fast",
       "cd / && runuser -u postgres -- /opt/pgsql-17/bin/pg_ctl restart -D "
       "/var/lib/pgsql/17/data -w -t 27 -m fast -l /var/lib/pgsql/17/data/pgpair-server.log",
       "systemctl restart postgresql"},
  };
  for (const Case& c : kCases) {
    INFO(c.pg_ctl);
    CHECK(ServerControlCommand(host, DebianFacts(), c.action) == c.pg_ctlcluster);
    CHECK(ServerControlCommand(host, SelfBuiltFacts(), c.action) == c.pg_ctl);
    // systemctl without a declared unit drives Debian's umbrella unit.
    HostSpec systemd = host;
    systemd.postgres.service = ServiceManager::kSystemctl;
    CHECK(ServerControlCommand(systemd, SelfBuiltFacts(), c.action) == c.systemctl);
  }
}

TEST_CASE("Every value in a server command is quoted", "[server_control]") {
  HostSpec host = Host(60);
  host.postgres.os_user = "pg admin";
  HostFacts facts;
  facts.layout.bin_dir = "/opt/it's pg/bin";
  facts.layout.data_dir = "/srv/pg data/$(reboot)";
  CHECK(ServerControlCommand(host, facts, ServerAction::kStart) ==
        "cd / && runuser -u 'pg admin' -- '/opt/it'\\''s pg/bin/pg_ctl' start -D '/srv/pg "
        "data/$(reboot)' -w -t 54 -l '/srv/pg data/$(reboot)/pgpair-server.log'");
  // No bin dir: the pg_ctl on the host's PATH.
  facts.layout.bin_dir.reset();
  CHECK(ServerControlCommand(host, facts, ServerAction::kReload) ==
        "cd / && runuser -u 'pg admin' -- pg_ctl reload -D '/srv/pg data/$(reboot)'");
  facts.layout.cluster = "15/my main";
  CHECK(ServerControlCommand(host, facts, ServerAction::kReload) ==
        "pg_ctlcluster 15 'my main' reload");
  host.postgres.service = ServiceManager::kSystemctl;
  host.postgres.systemd_unit = "postgresql@15-main; reboot";
  CHECK(ServerControlCommand(host, facts, ServerAction::kStop) ==
        "systemctl stop 'postgresql@15-main; reboot'");
}

TEST_CASE("ControlServer: success is quiet, failures name the host, the action and the output",
          "[server_control]") {
  SECTION("success") {
    FakeTransport pg1;
    pg1.Then(FakeTransport::Stdout("waiting for server to start.... done\n"));
    CHECK(ControlServer(pg1, Host(60), SelfBuiltFacts(), ServerAction::kStart).ok());
    REQUIRE(pg1.calls().size() == 1);
    CHECK(pg1.calls()[0].command ==
          ServerControlCommand(Host(60), SelfBuiltFacts(), ServerAction::kStart));
    CHECK(pg1.calls()[0].stdin_data.empty());
  }
  SECTION("a failure with only stdout quotes stdout") {
    FakeTransport pg1;
    pg1.Then(FakeTransport::Exit(1, "", "pg_ctl: PID file \"x\" does not exist\n"));
    Status reloaded = ControlServer(pg1, Host(60), SelfBuiltFacts(), ServerAction::kReload);
    CHECK(reloaded.message() ==
          "pg1 (198.18.0.11): reload of the PostgreSQL server failed (cd / && runuser -u postgres "
          "-- /opt/pgsql-17/bin/pg_ctl reload -D /var/lib/pgsql/17/data): pg_ctl: PID file \"x\" "
          "does not exist");
  }
  SECTION("a transport failure is the transport's message, which names the host") {
    FakeTransport pg1;
    pg1.Then(Status::Error("pg1 (198.18.0.11): connection lost"));
    CHECK(ControlServer(pg1, Host(60), DebianFacts(), ServerAction::kRestart).message() ==
          "pg1 (198.18.0.11): connection lost");
  }
}

TEST_CASE("RunServerControl runs the control script around the command, bounded",
          "[server_control]") {
  FakeTransport pg1;
  pg1.Then(FakeTransport::Stdout("server started\n"));
  Result<ServerControlOutcome> outcome =
      RunServerControl(pg1, Host(42), DebianFacts(), ServerAction::kStart);
  REQUIRE(outcome.ok());
  CHECK(outcome->succeeded);
  CHECK(outcome->command == "PGCTLTIMEOUT=38 pg_ctlcluster 15 main start");
  REQUIRE(pg1.calls().size() == 1);
  CHECK(pg1.calls()[0].timeout == std::chrono::seconds(42));
  std::optional<ScriptCall> call = ParseScriptCommand(pg1.calls()[0].command);
  REQUIRE(call.has_value());
  CHECK(call->script == kServerControlScript);
  CHECK(call->name == "pgpair-server-control");
  REQUIRE(call->args.size() == 6);
  // A fresh random marker frames the output.
  CHECK(call->args[0].rfind("@@pgpair-control-", 0) == 0);
  CHECK(std::vector<std::string>(call->args.begin() + 1, call->args.end()) ==
        std::vector<std::string>{"PGCTLTIMEOUT=38 pg_ctlcluster 15 main start",
                                 "/var/log/postgresql/postgresql-15-main.log", "15/main", "",
                                 "/var/lib/postgresql/15/main"});

  // A command that does not come back leaves the server's state unknown.
  FakeTransport cut;
  cut.Then(Status::Error("pg1 (198.18.0.11): command timed out after 42 s"));
  Result<ServerControlOutcome> timed_out =
      RunServerControl(cut, Host(42), DebianFacts(), ServerAction::kStart);
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.status().message() ==
        "pg1 (198.18.0.11): command timed out after 42 s; the start of the PostgreSQL server did "
        "not finish within 42 s (ssh.command_timeout): its state is unknown, so pgpair "
        "changed nothing more; look at the server, then run pgpair again");
}

TEST_CASE("The control script's output: the command's own words, the log, whether it runs",
          "[server_control]") {
  ExecResult failed = FakeTransport::Exit(1, "pg_ctl: could not start server\n",
                                          "waiting for server to start.... stopped waiting\n"
                                          "\n@@m log /var/lib/pgsql/17/data/pgpair-server.log\n"
                                          "FATAL:  invalid value for parameter \"port\": \"x\"\n"
                                          "\n@@m running\nno\n");
  ServerControlOutcome outcome = ParseServerControlOutput(failed, "@@m");
  CHECK_FALSE(outcome.succeeded);
  CHECK(outcome.message ==
        "waiting for server to start.... stopped waiting\npg_ctl: could not start server");
  CHECK(outcome.log_source == "/var/lib/pgsql/17/data/pgpair-server.log");
  CHECK(outcome.log == "FATAL:  invalid value for parameter \"port\": \"x\"\n");
  CHECK(outcome.running_after == false);
  // A marker that is not this run's frames nothing.
  ServerControlOutcome other = ParseServerControlOutput(failed, "@@other");
  CHECK(other.log_source.empty());
  CHECK_FALSE(other.running_after.has_value());
}

TEST_CASE("ControlServer's Exec is bounded by the manifest, not a constant", "[server_control]") {
  FakeTransport pg1;
  pg1.Then(FakeTransport::Exit(1, "pg_ctl: server does not shut down\n"));
  Status stopped = ControlServer(pg1, Host(42), DebianFacts(), ServerAction::kStop);
  CHECK(pg1.calls()[0].timeout == std::chrono::seconds(42));
  CHECK(stopped.message() ==
        "pg1 (198.18.0.11): stop of the PostgreSQL server failed (PGCTLTIMEOUT=38 pg_ctlcluster "
        "15 main stop -m fast): pg_ctl: server does not shut down");
}

TEST_CASE("The log is Debian's cluster log, pg_ctl's -l file, or the unit's journal",
          "[server_control]") {
  HostSpec host = Host(60);
  ServerLogSource debian = ServerLogFor(host, DebianFacts());
  CHECK(debian.file == "/var/log/postgresql/postgresql-15-main.log");
  CHECK(debian.cluster == "15/main");
  CHECK(debian.journal_unit.empty());
  ServerLogSource pg_ctl = ServerLogFor(host, SelfBuiltFacts());
  CHECK(pg_ctl.file == "/var/lib/pgsql/17/data/pgpair-server.log");
  CHECK(pg_ctl.cluster.empty());
  host.postgres.service = ServiceManager::kSystemctl;
  host.postgres.systemd_unit = "postgresql-17";
  ServerLogSource unit = ServerLogFor(host, SelfBuiltFacts());
  CHECK(unit.file.empty());
  CHECK(unit.journal_unit == "postgresql-17");
}

struct Scratch {
  std::string path;
  Scratch() {
    char pattern[] = "/tmp/pgpair-control-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    path = pattern;
  }
  ~Scratch() { std::system(("rm -rf '" + path + "'").c_str()); }
};

// Runs the control script locally around a stand-in for pg_ctl.
ServerControlOutcome RunLocally(const Scratch& s, const std::string& control) {
  LocalShellTransport shell(s.path);
  ServerLogSource log;
  log.file = s.path + "/server.log";
  const std::string mark = "@@mark";
  Result<ExecResult> run = shell.Exec(ServerControlScriptCommand(control, log, s.path, mark), "",
                                      std::chrono::seconds(10));
  REQUIRE(run.ok());
  return ParseServerControlOutput(*run, mark);
}

TEST_CASE("The control script reads only what the server logged since it began",
          "[server_control]") {
  Scratch s;
  const std::string log = s.path + "/server.log";
  std::ofstream(log) << "2026-12-01 10:00:00 UTC [1] FATAL:  an old failure\n";

  SECTION("success: nothing but the command's output") {
    ServerControlOutcome outcome = RunLocally(s, "echo server started");
    CHECK(outcome.succeeded);
    CHECK(outcome.log.empty());
    CHECK_FALSE(outcome.running_after.has_value());
  }
  SECTION("failure: the log's growth, and whether a postmaster runs") {
    ServerControlOutcome outcome =
        RunLocally(s, "echo 'x [9] FATAL:  could not access file \"pgpair_missing\"' >> " + log +
                          "; echo 'pg_ctl: could not start server' >&2; exit 1");
    CHECK_FALSE(outcome.succeeded);
    CHECK(outcome.log == "x [9] FATAL:  could not access file \"pgpair_missing\"\n");
    CHECK(outcome.log_source == log);
    CHECK(outcome.message == "pg_ctl: could not start server");
    // No postmaster.pid in the data directory.
    CHECK(outcome.running_after == false);
  }
  SECTION("a postmaster still starting is seen") {
    std::ofstream(s.path + "/postmaster.pid") << getpid() << "\n";
    ServerControlOutcome outcome =
        RunLocally(s, "echo 'pg_ctl: server did not start in time'; exit 1");
    CHECK(outcome.running_after == true);
    CHECK(outcome.message == "pg_ctl: server did not start in time");
    CHECK(outcome.log.empty());
  }
  SECTION("a log rotated meanwhile is read from its end") {
    ServerControlOutcome outcome = RunLocally(s, "echo 'x [9] FATAL:  new' > " + log + "; exit 1");
    CHECK(outcome.log == "x [9] FATAL:  new\n");
  }
}

}  // namespace
}  // namespace pgpair
