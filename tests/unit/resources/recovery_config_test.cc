#include "resources/recovery_config.h"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "engine/apply/standby_setup.h"
#include "engine/facts/parsers/postgresql_conf.h"
#include "engine/util/text.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/script_call.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

using testing::RequireDetails;

const char kId[] = "7712359091470470057";
const char kData[] = "/var/lib/postgresql/15/main";
const char kAutoConf[] = "/var/lib/postgresql/15/main/postgresql.auto.conf";
const char kPassword[] = "pw'with\\odd:chars";
const char kGoodConninfo[] =
    "user=replicator password=******** channel_binding=prefer host=198.18.0.11 port=5432 "
    "application_name=pg2 sslmode=prefer";

Manifest PairManifest() {
  Manifest m = testing::SandboxPair();
  m.replication = ReplicationSpec();
  return m;
}

HostFacts Primary() {
  HostFacts f;
  f.name = "pg1";
  f.os.architecture = "x86_64";
  f.layout.cluster = "15/main";
  f.layout.data_dir = kData;
  f.layout.bin_dir = "/usr/lib/postgresql/15/bin";
  f.layout.port = 5432;
  f.server.major = 15;
  f.server.running = true;
  f.server.in_recovery = false;
  f.server.system_identifier = kId;
  return f;
}

// A streaming standby of pg1 whose recovery configuration is right.
HostFacts Standby(int major = 15) {
  HostFacts f = Primary();
  f.name = "pg2";
  f.server.major = major;
  f.server.in_recovery = true;
  f.recovery.recovery_conf = major < 12;
  f.recovery.standby_signal = major >= 12;
  f.recovery.primary_conninfo = kGoodConninfo;
  if (major < 12) {
    f.recovery.recovery_conf_settings = std::map<std::string, std::string>{
        {"standby_mode", "on"}, {"primary_conninfo", kGoodConninfo}};
  }
  f.replication.receiver_present = true;
  WalReceiverFact receiver;
  receiver.status = "streaming";
  f.replication.receiver = receiver;
  return f;
}

struct Pair : testing::FakePair {
  Pair() {
    manifest = PairManifest();
    primary = Primary();
    standby = Standby();
    input.timestamp = "20261126T061500Z";
  }
};

Plan Diff(Pair& pair) {
  Plan plan;
  RecoveryConfigResource().Diff(pair.input, &plan);
  return plan;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("recovery_config plans by the standby's major version", "[recovery_config]") {
  struct Case {
    const char* proves;
    std::function<void(Pair&)> setup;
    bool change;            // whether a change is planned
    Impact impact;          // its impact
    const char* steps;      // its steps argument
    const char* in_reason;  // a part of its reason
  };
  // No ": " in these names: Catch2 v2's console reporter (-s) indents a
  // wrapped line after it and loops forever when a word does not fit.
  const Case cases[] = {
      {"a correct 15 standby needs nothing", [](Pair&) {}, false, Impact::kNone, "", ""},
      {"12+ without standby.signal while in recovery is planned with no impact, since the file is "
       "read at startup only",
       [](Pair& p) { p.standby.recovery.standby_signal = false; }, true, Impact::kNone,
       "create_standby_signal", "reads it at startup only"},
      {"a stopped standby (shut down in recovery) without standby.signal gets it back",
       [](Pair& p) {
         p.standby.server.running = false;
         p.standby.server.in_recovery.reset();
         p.standby.server.cluster_state = "shut down in recovery";
         p.standby.recovery.standby_signal = false;
       },
       true, Impact::kNone, "create_standby_signal", "the next start would come up as a primary"},
      {"no standby.signal and not in recovery is a promoted standby, standby_clone's and not ours",
       [](Pair& p) {
         p.standby.server.in_recovery = false;
         p.standby.recovery.standby_signal = false;
       },
       false, Impact::kNone, "", ""},
      {"15, a wrong host in primary_conninfo is rewritten and a reload reads it",
       [](Pair& p) {
         p.standby.recovery.primary_conninfo =
             "host=198.18.0.99 port=5432 user=replicator password=******** application_name=pg2";
       },
       true, Impact::kReload, "write_primary_conninfo", "host is 198.18.0.99, not 198.18.0.11"},
      {"12, the same change needs a restart",
       [](Pair& p) {
         p.standby = Standby(12);
         p.primary.server.major = 12;
         p.standby.recovery.primary_conninfo =
             "host=198.18.0.99 port=5432 user=replicator application_name=pg2";
       },
       true, Impact::kRestart, "write_primary_conninfo", "PostgreSQL 12 reads it only at start"},
      {"13, reload is enough (primary_conninfo became reloadable in 13)",
       [](Pair& p) {
         p.standby = Standby(13);
         p.primary.server.major = 13;
         p.standby.recovery.primary_conninfo = "host=198.18.0.11 user=replicator";
       },
       true, Impact::kReload, "write_primary_conninfo", "application_name is not set"},
      {"the port comes from the primary's facts, and an absent port means 5432",
       [](Pair& p) {
         p.primary.layout.port = 5433;
         p.standby.recovery.primary_conninfo =
             "host=198.18.0.11 user=replicator application_name=pg2";
       },
       true, Impact::kReload, "write_primary_conninfo", "port is 5432, not 5433"},
      {"the password is not compared (facts hold it redacted, and a different one is no change)",
       [](Pair& p) {
         p.standby.recovery.primary_conninfo =
             "host=198.18.0.11 port=5432 user=replicator password=other application_name=pg2";
       },
       false, Impact::kNone, "", ""},
      {"a recovery.conf in a 15 data directory is planned away (moved aside, 15 would not start)",
       [](Pair& p) { p.standby.recovery.recovery_conf = true; }, true, Impact::kNone,
       "move_recovery_conf",
       "PostgreSQL 15 refuses to start while /var/lib/postgresql/15/main/recovery.conf exists; it "
       "is moved to /var/lib/postgresql/15/main/recovery.conf.pgpair-20261126T061500Z, not "
       "deleted"},
      {"11, a correct recovery.conf needs nothing",
       [](Pair& p) {
         p.standby = Standby(11);
         p.primary.server.major = 11;
       },
       false, Impact::kNone, "", ""},
      {"11, a missing recovery.conf is written, and 11 reads it only at start",
       [](Pair& p) {
         p.standby = Standby(11);
         p.primary.server.major = 11;
         p.standby.recovery.recovery_conf = false;
         p.standby.recovery.recovery_conf_settings.reset();
       },
       true, Impact::kRestart, "write_recovery_conf", "recovery.conf does not exist"},
      {"10, standby_mode off is rewritten",
       [](Pair& p) {
         p.standby = Standby(10);
         p.primary.server.major = 10;
         (*p.standby.recovery.recovery_conf_settings)["standby_mode"] = "off";
       },
       true, Impact::kRestart, "write_recovery_conf", "standby_mode is off"},
      {"11, a standby.signal is ignored by 11 and removed",
       [](Pair& p) {
         p.standby = Standby(11);
         p.primary.server.major = 11;
         p.standby.recovery.standby_signal = true;
       },
       true, Impact::kNone, "remove_standby_signal", "ignores standby.signal"},
      {"a standby that standby_clone replaces is left to the clone",
       [](Pair& p) {
         p.standby.server.system_identifier = "1";
         p.standby.recovery.standby_signal = false;
       },
       false, Impact::kNone, "", ""},
  };
  for (const Case& c : cases) {
    SECTION(c.proves) {
      Pair pair;
      c.setup(pair);
      Plan plan = Diff(pair);
      CHECK(plan.blockers.empty());
      if (!c.change) {
        CHECK(plan.changes.empty());
        continue;
      }
      REQUIRE(plan.changes.size() == 1);
      const Change& change = plan.changes[0];
      CHECK(change.address == "recovery_config[pg2]");
      CHECK(change.host == "pg2");
      CHECK(change.impact == c.impact);
      CHECK(Join(RequireDetails<RecoveryConfigDetails>(change).steps, ",") == c.steps);
      CHECK(Contains(change.reason, c.in_reason));
    }
  }
}

TEST_CASE("The conninfo change shows before and after with the password redacted",
          "[recovery_config]") {
  Pair pair;
  pair.standby.recovery.primary_conninfo =
      "host=198.18.0.99 port=5432 user=replicator password=hunter2 application_name=pg2";
  pair.standby.recovery.standby_signal = false;
  Plan plan = Diff(pair);
  REQUIRE(plan.changes.size() == 1);
  const Change& c = plan.changes[0];
  CHECK(c.before ==
        "no standby.signal; primary_conninfo 'host=198.18.0.99 port=5432 user=replicator "
        "password=******** application_name=pg2'");
  CHECK(c.after ==
        "standby.signal; primary_conninfo 'host=198.18.0.11 port=5432 user=replicator "
        "password=******** application_name=pg2'");
  CHECK(RequireDetails<RecoveryConfigDetails>(c).conninfo_file == kAutoConf);
  CHECK(c.edited_files == std::vector<std::string>{kAutoConf});
  // The highest of the parts: the conninfo's reload.
  CHECK(c.impact == Impact::kReload);
}

TEST_CASE("The password never appears in any plan field", "[recovery_config]") {
  // Even facts that were not redacted must not carry a password into a plan.
  Pair pair;
  pair.standby.recovery.primary_conninfo =
      "host=198.18.0.99 port=5432 user=replicator password=hunter2 application_name=pg2";
  pair.standby.recovery.recovery_conf = true;
  Plan plan = Diff(pair);
  REQUIRE(plan.changes.size() == 1);
  const Change& c = plan.changes[0];
  std::string text = c.address + c.reason + c.before.value_or("") + c.after.value_or("");
  text += c.details->ToJson().dump();
  for (const std::string& note : plan.notes) text += note;
  CHECK_FALSE(Contains(text, "hunter2"));

  // A malformed string whose password has an unquoted space: the parser's
  // message would name the second half as a key.
  pair.standby.recovery.primary_conninfo = "host=198.18.0.11 password=hunter 2secret";
  plan = Diff(pair);
  REQUIRE(plan.changes.size() == 1);
  CHECK(Contains(plan.changes[0].reason, "it is not a valid connection string"));
  CHECK_FALSE(Contains(plan.changes[0].reason + plan.changes[0].before.value_or(""), "2secret"));

  // 11's recovery.conf settings, unredacted, likewise.
  pair.standby = Standby(11);
  pair.primary.server.major = 11;
  (*pair.standby.recovery.recovery_conf_settings)["primary_conninfo"] =
      "host=198.18.0.99 user=replicator password=hunter2";
  plan = Diff(pair);
  REQUIRE(plan.changes.size() == 1);
  CHECK_FALSE(Contains(plan.changes[0].before.value_or("") + plan.changes[0].reason, "hunter2"));
}

TEST_CASE("Unknown facts give a note, not a change", "[recovery_config]") {
  Pair pair;
  pair.standby.recovery.standby_signal.reset();
  Plan plan = Diff(pair);
  CHECK(plan.changes.empty());
  REQUIRE(plan.notes.size() == 1);
  CHECK(Contains(plan.notes[0], "pg2: whether standby.signal and recovery.conf exist"));

  pair.standby = Standby();
  pair.standby.recovery.primary_conninfo.reset();
  plan = Diff(pair);
  CHECK(plan.changes.empty());
  REQUIRE(plan.notes.size() == 1);
  CHECK(Contains(plan.notes[0], "primary_conninfo is unknown"));
}

TEST_CASE("primary_conninfo goes to the file that wins for it", "[recovery_config]") {
  HostFacts standby = Standby();
  // Nothing sets it: the data directory's postgresql.auto.conf.
  CHECK(ConninfoFile(standby, kData) == kAutoConf);
  // A line in conf.d that the server applies: that file.
  FileSettingFact conf_d{
      "primary_conninfo", "host=x", "/etc/postgresql/15/main/conf.d/r.conf", 3, true, std::nullopt};
  standby.file_settings = std::vector<FileSettingFact>{conf_d};
  CHECK(ConninfoFile(standby, kData) == "/etc/postgresql/15/main/conf.d/r.conf");
  // postgresql.auto.conf is read last and wins over it.
  FileSettingFact earlier = conf_d;
  earlier.applied = false;
  FileSettingFact auto_conf{"primary_conninfo", "host=y", kAutoConf, 3, true, std::nullopt};
  standby.file_settings = std::vector<FileSettingFact>{earlier, auto_conf};
  CHECK(ConninfoFile(standby, kData) == kAutoConf);
  // A stopped server's files (applied unknown): the last line read.
  conf_d.applied.reset();
  auto_conf.applied.reset();
  standby.file_settings = std::vector<FileSettingFact>{auto_conf, conf_d};
  CHECK(ConninfoFile(standby, kData) == "/etc/postgresql/15/main/conf.d/r.conf");
}

TEST_CASE("PrimaryConninfoMatches compares host, port, user and application_name only",
          "[recovery_config]") {
  StandbyConninfo want{"198.18.0.11", 5432, "replicator", "pg2"};
  struct Case {
    const char* proves;
    const char* actual;
    bool matches;
  };
  const Case cases[] = {
      {"what pgpair writes matches",
       "host=198.18.0.11 port=5432 user=replicator password=x "
       "application_name=pg2",
       true},
      {"libpq's extra keys (sslmode, channel_binding) do not matter", kGoodConninfo, true},
      {"quoted values are read as libpq reads them",
       "host='198.18.0.11' port='5432' user='replicator' application_name='pg2'", true},
      {"the last of a repeated key wins, as in libpq",
       "host=10.0.0.1 host=198.18.0.11 user=replicator application_name=pg2", true},
      {"another user does not match", "host=198.18.0.11 user=postgres application_name=pg2", false},
      {"no application_name does not match (the primary names the standby by it)",
       "host=198.18.0.11 user=replicator", false},
      {"an empty conninfo does not match", "", false},
      {"an unparsable conninfo does not match", "host='198.18.0.11", false},
  };
  for (const Case& c : cases) {
    SECTION(c.proves) { CHECK(PrimaryConninfoMatches(c.actual, want) == c.matches); }
  }
}

TEST_CASE("BuildPrimaryConninfo quotes the password so libpq reads it back", "[recovery_config]") {
  StandbyConninfo want{"198.18.0.11", 5432, "replicator", "pg2"};
  CHECK(BuildPrimaryConninfo(want, kPassword) ==
        "host=198.18.0.11 port=5432 user=replicator password='pw\\'with\\\\odd:chars' "
        "application_name=pg2");
  CHECK(DisplayPrimaryConninfo(want) ==
        "host=198.18.0.11 port=5432 user=replicator password=******** application_name=pg2");
}

// The pair's facts and its two fake transports, with the replication
// password apply reads from the manifest's source.
struct ApplyFixture : Pair {
  ApplyFixture() { context.replication_password = kPassword; }
};

TEST_CASE("Apply writes primary_conninfo via stdin, 0600 postgres, and checks the mode",
          "[recovery_config]") {
  ApplyFixture f;
  f.standby.recovery.primary_conninfo = "host=198.18.0.99 user=replicator";
  Plan plan = Diff(f);
  REQUIRE(plan.changes.size() == 1);
  f.pg2.OnCommand("LC_ALL=C cat -- /var/lib/postgresql/15/main/postgresql.auto.conf",
                  FakeTransport::Stdout("# Do not edit this file manually!\n"
                                        "primary_conninfo = 'host=198.18.0.99 user=replicator'\n"
                                        "wal_level = 'replica'\n"));
  f.pg2.OnCommand("mktemp", FakeTransport::Stdout(""));
  f.pg2.OnCommand("stat -L", FakeTransport::Stdout("postgres 600\n"));
  Status applied = RecoveryConfigResource().Apply(plan.changes[0], f.context);
  REQUIRE(applied.ok());
  const auto& calls = f.pg2.calls();
  REQUIRE(calls.size() == 3);
  CHECK(ScriptArgs(calls[1].command, "pgpair-write-file") ==
        std::vector<std::string>{"/var/lib/postgresql/15/main/postgresql.auto.conf", "postgres", "",
                                 "0600"});
  // The line is rewritten in place and the other lines are kept; the server
  // reads back exactly the conninfo with the password.
  Result<std::vector<ConfEntry>> written = ParseConfFile(calls[1].stdin_data);
  REQUIRE(written.ok());
  REQUIRE(written->size() == 2);
  CHECK((*written)[0].name == "primary_conninfo");
  CHECK((*written)[0].line_number == 2);
  CHECK((*written)[0].value ==
        BuildPrimaryConninfo({"198.18.0.11", 5432, "replicator", "pg2"}, kPassword));
  CHECK((*written)[1].name == "wal_level");
  for (const auto& call : calls) CHECK_FALSE(Contains(call.command, "odd:chars"));
  CHECK(f.pg1.calls().empty());
}

TEST_CASE("Apply fails when the written file is not 0600", "[recovery_config]") {
  ApplyFixture f;
  f.standby.recovery.primary_conninfo = "host=198.18.0.99 user=replicator";
  Plan plan = Diff(f);
  f.pg2.OnCommand("LC_ALL=C cat", FakeTransport::Stdout(""));
  f.pg2.OnCommand("mktemp", FakeTransport::Stdout(""));
  f.pg2.OnCommand("stat -L", FakeTransport::Stdout("postgres 644\n"));
  Status applied = RecoveryConfigResource().Apply(plan.changes[0], f.context);
  REQUIRE_FALSE(applied.ok());
  CHECK(Contains(applied.message(),
                 "holds the replication password but is not owned by "
                 "postgres with mode 600 after writing (stat: postgres 644)"));
}

TEST_CASE("Apply of a missing standby.signal only creates the file", "[recovery_config]") {
  ApplyFixture f;
  f.standby.recovery.standby_signal = false;
  f.standby.recovery.recovery_conf = true;
  Plan plan = Diff(f);
  REQUIRE(plan.changes.size() == 1);
  f.pg2.Then(FakeTransport::Stdout(""));
  f.context.replication_password.clear();  // not needed for these steps
  REQUIRE(RecoveryConfigResource().Apply(plan.changes[0], f.context).ok());
  REQUIRE(f.pg2.calls().size() == 1);
  // recovery.conf is moved aside before the signal appears.
  CHECK(
      ScriptArgs(f.pg2.calls()[0].command, "pgpair-standby-files") ==
      std::vector<std::string>{"/var/lib/postgresql/15/main", "postgres",
                               "/var/lib/postgresql/15/main/recovery.conf.pgpair-20261126T061500Z",
                               "move_recovery_conf", "create_standby_signal"});
}

TEST_CASE("WriteStandbyConfig for 11 writes recovery.conf and removes standby.signal",
          "[recovery_config]") {
  FakeTransport standby("pg2 (198.18.0.12)");
  HostSpec host;
  host.name = "pg2";
  standby.OnCommand(ScriptCalled("pgpair-standby-files"), FakeTransport::Stdout(""));
  standby.OnCommand("LC_ALL=C cat", FakeTransport::Exit(1, "cat: x: No such file or directory"));
  standby.OnCommand("mktemp", FakeTransport::Stdout(""));
  standby.OnCommand("stat -L", FakeTransport::Stdout("postgres 600\n"));
  Status written = WriteStandbyConfig(standby, host, 11, "/var/lib/postgresql/11/main", "",
                                      "host=198.18.0.11 password=x", "20261126T061500Z");
  REQUIRE(written.ok());
  const auto& calls = standby.calls();
  REQUIRE(calls.size() == 4);
  CHECK(
      ScriptArgs(calls[0].command, "pgpair-standby-files") ==
      std::vector<std::string>{"/var/lib/postgresql/11/main", "postgres",
                               "/var/lib/postgresql/11/main/recovery.conf.pgpair-20261126T061500Z",
                               "remove_standby_signal"});
  CHECK(calls[1].command == "LC_ALL=C cat -- /var/lib/postgresql/11/main/recovery.conf");
  CHECK(calls[2].stdin_data ==
        "standby_mode = 'on'\t# set by pgpair\n"
        "primary_conninfo = 'host=198.18.0.11 password=x'\t# set by pgpair\n"
        "recovery_target_timeline = 'latest'\t# set by pgpair\n");
  CHECK(calls[3].command == "stat -L -c '%U %a' -- /var/lib/postgresql/11/main/recovery.conf");
}

TEST_CASE("A configuration file that does not parse is not quoted in the error",
          "[recovery_config]") {
  ApplyFixture f;
  f.standby.recovery.primary_conninfo = "host=198.18.0.99 user=replicator";
  Plan plan = Diff(f);
  f.pg2.OnCommand("LC_ALL=C cat", FakeTransport::Stdout("primary_conninfo = 'password=hunter2\n"));
  Status applied = RecoveryConfigResource().Apply(plan.changes[0], f.context);
  REQUIRE_FALSE(applied.ok());
  CHECK(Contains(applied.message(), "does not parse as a configuration file"));
  CHECK_FALSE(Contains(applied.message(), "hunter2"));
}

}  // namespace
}  // namespace pgpair
