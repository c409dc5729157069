// The server's lifecycle after a host's changes: one step per host, chosen
// from what the changes declare, with the checks they ask for in between.

#include "engine/apply/server_lifecycle.h"

#include <catch2/catch.hpp>

#include "tests/unit/resources/resource_support.h"

namespace pgpair::testing {
namespace {

Change Declaring(const std::string& host, ServerStep step, std::vector<ServerCheck> checks = {}) {
  Change change;
  change.address = "test[" + host + "]";
  change.host = host;
  change.server_step = step;
  change.checks = std::move(checks);
  return change;
}

HostFacts RunningDebian15(const std::string& name) {
  HostFacts facts;
  facts.name = name;
  facts.server.running = true;
  facts.server.major = 15;
  facts.layout.cluster = "15/main";
  facts.layout.data_dir = "/var/lib/postgresql/15/main";
  facts.layout.hba_file = "/etc/postgresql/15/main/pg_hba.conf";
  return facts;
}

// The index of the first call whose command or stdin holds `text`; -1 if none.
int FirstCall(const FakeTransport& host, const std::string& text) {
  for (size_t i = 0; i < host.calls().size(); ++i) {
    const FakeTransport::Call& call = host.calls()[i];
    if (call.command.find(text) != std::string::npos ||
        call.stdin_data.find(text) != std::string::npos) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

TEST_CASE("The step is the largest the changes declare, and a start for a stopped server",
          "[server_lifecycle]") {
  HostFacts running = RunningDebian15("pg1");
  HostFacts stopped = running;
  stopped.server.running = false;
  HostFacts unknown = running;
  unknown.server.running.reset();

  CHECK(StepFor({}, running) == ServerStep::kNone);
  CHECK(StepFor({Declaring("pg1", ServerStep::kNone)}, running) == ServerStep::kNone);
  CHECK(StepFor({Declaring("pg1", ServerStep::kReload), Declaring("pg1", ServerStep::kNone)},
                running) == ServerStep::kReload);
  CHECK(StepFor({Declaring("pg1", ServerStep::kReload), Declaring("pg1", ServerStep::kRestart)},
                running) == ServerStep::kRestart);
  // A re-clone leaves the server stopped: its start reads every file.
  CHECK(StepFor({Declaring("pg1", ServerStep::kStart), Declaring("pg1", ServerStep::kRestart)},
                running) == ServerStep::kStart);
  CHECK(StepFor({Declaring("pg1", ServerStep::kNone)}, stopped) == ServerStep::kStart);
  CHECK(StepFor({Declaring("pg1", ServerStep::kReload)}, unknown) == ServerStep::kStart);
  // No change, no step, whatever the server's state.
  CHECK(StepFor({}, stopped) == ServerStep::kNone);
}

TEST_CASE("Checks are asked once each, in a fixed order", "[server_lifecycle]") {
  CHECK(ChecksFor({}).empty());
  CHECK(ChecksFor({Declaring("pg1", ServerStep::kReload,
                             {ServerCheck::kFileSettings, ServerCheck::kHbaRules}),
                   Declaring("pg1", ServerStep::kReload, {ServerCheck::kFileSettings})}) ==
        std::vector<ServerCheck>{ServerCheck::kHbaRules, ServerCheck::kFileSettings});
}

TEST_CASE("A change that needs nothing of the server runs nothing", "[server_lifecycle]") {
  FakePair pair;
  pair.primary = RunningDebian15("pg1");
  REQUIRE(RunServerStep(pair.context, "pg1", {Declaring("pg1", ServerStep::kNone)}).ok());
  CHECK(pair.pg1.calls().empty());
}

TEST_CASE("The declared checks, then the one restart, with no reload before it",
          "[server_lifecycle]") {
  FakePair pair;
  pair.primary = RunningDebian15("pg1");
  pair.pg1.OnCommand("", FakeTransport::Stdout(""));
  // Whatever the restart's outcome with empty answers, the order is the point.
  (void)RunServerStep(pair.context, "pg1",
                      {Declaring("pg1", ServerStep::kReload, {ServerCheck::kHbaRules}),
                       Declaring("pg1", ServerStep::kRestart, {ServerCheck::kFileSettings}),
                       Declaring("pg1", ServerStep::kReload, {ServerCheck::kHbaRules})});
  const int hba = FirstCall(pair.pg1, "pg_hba_file_rules");
  const int files = FirstCall(pair.pg1, "pg_file_settings");
  const int restart = FirstCall(pair.pg1, "main restart");
  CHECK(hba >= 0);
  CHECK(hba < files);
  CHECK(files < restart);
  // The restart loads the reloadable changes too.
  CHECK(FirstCall(pair.pg1, "main reload") == -1);
  // Each once.
  int restarts = 0;
  for (const std::string& command : pair.pg1.commands()) {
    restarts += command.find("main restart") != std::string::npos;
  }
  CHECK(restarts == 1);
  CHECK(pair.pg2.calls().empty());
}

TEST_CASE("A reload only for a change that needs one: no check the changes did not ask for",
          "[server_lifecycle]") {
  FakePair pair;
  pair.primary = RunningDebian15("pg1");
  pair.pg1.OnCommand("main reload", FakeTransport::Stdout(""));
  pair.pg1.Then(FakeTransport::Stdout(""));  // pg_hba_file_rules: no error
  Status done = RunServerStep(pair.context, "pg1",
                              {Declaring("pg1", ServerStep::kReload, {ServerCheck::kHbaRules})});
  INFO(done.message());
  CHECK(done.ok());
  REQUIRE(pair.pg1.calls().size() == 2);
  CHECK(FirstCall(pair.pg1, "pg_hba_file_rules") == 1);
  CHECK(FirstCall(pair.pg1, "pg_file_settings") == -1);
}

TEST_CASE("A check that fails stops before the restart", "[server_lifecycle]") {
  FakePair pair;
  pair.primary = RunningDebian15("pg1");
  pair.pg1.OnCommand("main reload", FakeTransport::Stdout(""));
  pair.pg1.Then(FakeTransport::Stdout("95: invalid authentication method \"trusted\"\n"));
  Status done =
      RunServerStep(pair.context, "pg1",
                    {Declaring("pg1", ServerStep::kReload, {ServerCheck::kHbaRules}),
                     Declaring("pg1", ServerStep::kRestart, {ServerCheck::kFileSettings})});
  CHECK(done.message() ==
        "pg1 (198.18.0.11): the server rejects /etc/postgresql/15/main/pg_hba.conf (line 95: "
        "invalid authentication method \"trusted\"); it keeps its previous rules. Fix the "
        "file, then run pgpair again");
  CHECK(FirstCall(pair.pg1, "pg_file_settings") == -1);
  CHECK(FirstCall(pair.pg1, "restart") == -1);
  CHECK(FirstCall(pair.pg1, "main reload") == -1);
}

TEST_CASE("A standby without standby.signal is never started or restarted", "[server_lifecycle]") {
  for (ServerStep step : {ServerStep::kRestart, ServerStep::kStart}) {
    FakePair pair;
    pair.standby = RunningDebian15("pg2");
    pair.pg2.OnCommand("test -f", FakeTransport::Exit(1));
    pair.pg2.OnCommand("main reload", FakeTransport::Stdout(""));
    Status done = RunServerStep(pair.context, "pg2", {Declaring("pg2", step)});
    CHECK(done.message() ==
          "pg2 (198.18.0.12): /var/lib/postgresql/15/main has no standby.signal, so it would "
          "start as a second primary; pgpair does not start it");
    CHECK(pair.pg2.commands() ==
          std::vector<std::string>{"test -f /var/lib/postgresql/15/main/standby.signal"});
  }
}

TEST_CASE("The primary is started without the standby's mark", "[server_lifecycle]") {
  FakePair pair;
  pair.primary = RunningDebian15("pg1");
  pair.primary.server.running = false;
  pair.pg1.OnCommand("", FakeTransport::Stdout(""));
  (void)RunServerStep(pair.context, "pg1", {Declaring("pg1", ServerStep::kStart)});
  CHECK(FirstCall(pair.pg1, "test -f") == -1);
  CHECK(FirstCall(pair.pg1, "main start") >= 0);
  CHECK(FirstCall(pair.pg1, "main reload") == -1);
}

}  // namespace
}  // namespace pgpair::testing
