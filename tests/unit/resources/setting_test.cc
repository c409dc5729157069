#include "resources/setting.h"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "engine/facts/interpret.h"
#include "resources/archive_dir.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/script_call.h"
#include "tests/unit/fixture_file.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

using testing::RequireDetails;

const char kMainConf[] = "/etc/postgresql/15/main/postgresql.conf";
const char kAutoConf[] = "/var/lib/postgresql/15/main/postgresql.auto.conf";
const char kConfD[] = "/etc/postgresql/15/main/conf.d/pgpair.conf";
const char kArchiveCommand[] =
    "test ! -f /var/backups/pgsql/archive/%f && cp %p /var/backups/pgsql/archive/%f";

// A pg_settings row as PostgreSQL 15 shows it for a value nobody set.
SettingFact Default(const std::string& name, const std::string& value, const std::string& vartype,
                    const std::string& context, const std::string& unit = "") {
  SettingFact s;
  s.name = name;
  s.value = value;
  s.vartype = vartype;
  s.context = context;
  if (!unit.empty()) s.unit = unit;
  s.source = "default";
  s.pending_restart = false;
  s.boot_value = value;
  return s;
}

// The same row when a configuration file line supplies the value.
SettingFact FromFile(SettingFact s, const std::string& file, int line) {
  s.source = "configuration file";
  s.source_file = file;
  s.source_line = line;
  return s;
}

FileSettingFact FileRow(const std::string& name, const std::string& value, const std::string& file,
                        int line) {
  FileSettingFact row;
  row.name = name;
  row.value = value;
  row.file = file;
  row.line = line;
  row.applied = true;
  return row;
}

// A fresh Debian 15/main cluster, running: the rows pgpair reads for the
// settings these tests use, spelled as in tests/fixtures/gather/.
HostFacts RunningHost(const std::string& name) {
  HostFacts f;
  f.name = name;
  f.server.running = true;
  f.server.major = 15;
  f.server.version = "15.18";
  f.layout.config_file = kMainConf;
  f.settings = std::vector<SettingFact>{
      Default("listen_addresses", "localhost", "string", "postmaster"),
      Default("wal_level", "replica", "enum", "postmaster"),
      Default("archive_mode", "off", "enum", "postmaster"),
      [] {
        SettingFact s = Default("archive_command", "(disabled)", "string", "sighup");
        s.boot_value = "";
        return s;
      }(),
      Default("max_wal_senders", "10", "integer", "postmaster"),
      FromFile(Default("max_connections", "100", "integer", "postmaster"), kMainConf, 65),
      FromFile(Default("shared_buffers", "16384", "integer", "postmaster", "8kB"), kMainConf, 127),
      Default("work_mem", "4096", "integer", "user", "kB"),
      Default("hot_standby", "on", "bool", "postmaster"),
      Default("hot_standby_feedback", "off", "bool", "sighup"),
      Default("checkpoint_timeout", "300", "integer", "sighup", "s"),
      [] {
        SettingFact s = Default("wal_buffers", "512", "integer", "postmaster", "8kB");
        s.boot_value = "-1";
        return s;
      }(),
      Default("block_size", "8192", "integer", "internal"),
      Default("max_worker_processes", "8", "integer", "postmaster"),
      Default("max_prepared_transactions", "0", "integer", "postmaster"),
      Default("max_locks_per_transaction", "64", "integer", "postmaster"),
      FromFile(Default("DateStyle", "ISO, MDY", "string", "user"), kMainConf, 711),
  };
  f.file_settings = std::vector<FileSettingFact>{
      FileRow("max_connections", "100", kMainConf, 65),
      FileRow("shared_buffers", "128MB", kMainConf, 127),
      FileRow("datestyle", "iso, mdy", kMainConf, 711),
  };
  return f;
}

// The same cluster stopped: pg_settings unknown, the files as pgpair parsed them.
HostFacts StoppedHost(const std::string& name) {
  HostFacts f = RunningHost(name);
  f.server.running = false;
  f.settings.reset();
  for (FileSettingFact& row : *f.file_settings) row.applied.reset();
  return f;
}

SettingFact& Server(HostFacts& f, const std::string& name) {
  for (SettingFact& s : *f.settings) {
    if (s.name == name) return s;
  }
  FAIL("no pg_settings row " << name);
  throw;
}

SettingSpec Spec(const std::string& name, const std::string& value, int line = 12) {
  return SettingSpec{name, value, SourceMark{"pair.yaml", line, 5}};
}

Manifest TwoHosts() {
  Manifest m = testing::SandboxPair();
  m.path = "pair.yaml";
  m.pair = "test";
  return m;
}

struct Planned {
  Plan plan;
  std::vector<const Change*> For(const std::string& address) const {
    std::vector<const Change*> found;
    for (const Change& c : plan.changes) {
      if (c.address == address) found.push_back(&c);
    }
    return found;
  }
  bool NoteContains(const std::string& text) const {
    for (const std::string& note : plan.notes) {
      if (note.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::vector<Blocker> BlockersOn(const std::string& host) const {
    std::vector<Blocker> found;
    for (const Blocker& b : plan.blockers) {
      if (b.host == host) found.push_back(b);
    }
    return found;
  }
  bool BlockerContains(const std::string& text) const {
    for (const Blocker& b : plan.blockers) {
      if (b.message.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

Planned RunDiff(const Manifest& m, const HostFacts* primary, const HostFacts* standby) {
  return Planned{testing::DiffResource(SettingResource(), m, primary, standby)};
}

const SettingDetails& Details(const Change& c) { return RequireDetails<SettingDetails>(c); }

TEST_CASE("SettingResource is the setting kind", "[setting]") {
  CHECK(std::string(SettingResource().kind()) == "setting");
  CHECK(&SettingResource() == &SettingResource());
}

// One manifest setting on the primary against hand-built facts.
struct Case {
  const char* proves;
  SettingSpec spec;
  std::function<void(HostFacts&)> facts;  // changes to RunningHost("pg1")
  enum Outcome { kNothing, kChange, kBlocker } outcome;
  // For kChange:
  Action action = Action::kUpdate;
  Impact impact = Impact::kNone;
  std::optional<std::string> before = std::nullopt;
  std::string after = "";
  std::string file = "";
  std::string write = "yes";
  // A piece of the reason (kChange) or of the blocker (kBlocker).
  std::string message = "";
};

void Unchanged(HostFacts&) {}
HostFacts Stop(const HostFacts& f) { return StoppedHost(f.name); }

TEST_CASE("Diff plans one setting as pg_settings, pg_file_settings and the manifest say",
          "[setting]") {
  const Case cases[] = {
      // Normalization: two spellings the server reads alike are no change.
      {"128MB equals 16384 blocks of 8kB", Spec("shared_buffers", "128MB"), Unchanged,
       Case::kNothing},
      {"'4MB' equals 4096 kB, quotes and all", Spec("work_mem", "'4MB'"), Unchanged,
       Case::kNothing},
      {"4096kB equals 4096 kB", Spec("work_mem", "4096kB"), Unchanged, Case::kNothing},
      {"true equals on", Spec("hot_standby", "true"), Unchanged, Case::kNothing},
      {"yes equals on", Spec("hot_standby", "yes"), Unchanged, Case::kNothing},
      {"wal_level hot_standby is replica (from 9.6)", Spec("wal_level", "hot_standby"), Unchanged,
       Case::kNothing},
      {"wal_level archive is replica too", Spec("wal_level", "archive"), Unchanged, Case::kNothing},
      {"enums compare case-insensitively", Spec("wal_level", "REPLICA"), Unchanged, Case::kNothing},
      {"YAML's '*' (bare *) equals the server's *", Spec("listen_addresses", "*"),
       [](HostFacts& f) {
         Server(f, "listen_addresses") = FromFile(Server(f, "listen_addresses"), kMainConf, 60);
         Server(f, "listen_addresses").value = "*";
         f.file_settings->push_back(FileRow("listen_addresses", "*", kMainConf, 60));
       },
       Case::kNothing},
      {"a manifest value in conf quotes ('*') equals the server's *",
       Spec("listen_addresses", "'*'"),
       [](HostFacts& f) {
         Server(f, "listen_addresses").value = "*";
         Server(f, "listen_addresses").source = "configuration file";
         f.file_settings->push_back(FileRow("listen_addresses", "*", kMainConf, 60));
       },
       Case::kNothing},
      {"names match pg_settings' mixed case (DateStyle)", Spec("datestyle", "ISO, MDY"), Unchanged,
       Case::kNothing},
      {"the file's 'iso, mdy' runs as 'ISO, MDY': the server's spelling is no difference",
       Spec("datestyle", "iso, mdy"), Unchanged, Case::kNothing},

      // Changes, with the impact pg_settings.context gives.
      {"a default changes by a new line, and listen_addresses (postmaster) needs a restart",
       Spec("listen_addresses", "*"), Unchanged, Case::kChange, Action::kCreate, Impact::kRestart,
       "'localhost'", "'*'", kMainConf, "yes",
       "no configuration file sets it (the server runs with its default 'localhost'); the "
       "manifest asks for '*' (pair.yaml:12:5)"},
      {"a value from a file is updated there; postmaster means restart",
       Spec("max_connections", "200"), Unchanged, Case::kChange, Action::kUpdate, Impact::kRestart,
       "100", "200", kMainConf, "yes", "/etc/postgresql/15/main/postgresql.conf:65 sets 100"},
      {"sighup means reload; seconds are shown in the largest exact unit",
       Spec("checkpoint_timeout", "600"), Unchanged, Case::kChange, Action::kCreate,
       Impact::kReload, "5min", "10min", kMainConf},
      {"user context means reload", Spec("work_mem", "8MB"), Unchanged, Case::kChange,
       Action::kCreate, Impact::kReload, "4MB", "8MB", kMainConf},
      {"the classic max_wal_senders = 3 is written although below today's default",
       Spec("max_wal_senders", "3"), Unchanged, Case::kChange, Action::kCreate, Impact::kRestart,
       "10", "3", kMainConf},

      // Values written but not yet taken by the server: shown, never rewritten.
      {"pending restart (reloaded since the edit): waits for the restart",
       Spec("wal_level", "logical"),
       [](HostFacts& f) {
         Server(f, "wal_level").pending_restart = true;
         FileSettingFact row = FileRow("wal_level", "logical", kMainConf, 283);
         row.applied = false;
         row.error = "setting could not be applied";
         f.file_settings->push_back(row);
       },
       Case::kChange, Action::kUpdate, Impact::kRestart, "replica", "logical", kMainConf, "no",
       "already written in /etc/postgresql/15/main/postgresql.conf:283, waiting for a restart"},
      {"written but never reloaded: pending_restart is still false, the file decides",
       Spec("shared_buffers", "256MB"),
       [](HostFacts& f) { f.file_settings->at(1).value = "256MB"; }, Case::kChange, Action::kUpdate,
       Impact::kRestart, "128MB", "256MB", kMainConf, "no",
       "already written in /etc/postgresql/15/main/postgresql.conf:127, waiting for a restart"},
      {"a reloadable value written but not reloaded waits for a reload, not a restart",
       Spec("hot_standby_feedback", "on"),
       [](HostFacts& f) {
         f.file_settings->push_back(FileRow("hot_standby_feedback", "on", kMainConf, 400));
       },
       Case::kChange, Action::kUpdate, Impact::kReload, "off", "on", kMainConf, "no",
       "waiting for a reload"},

      // Which file: the one whose line wins.
      {"ALTER SYSTEM's postgresql.auto.conf wins over postgresql.conf, so it is edited",
       Spec("max_connections", "200"),
       [](HostFacts& f) {
         Server(f, "max_connections") =
             FromFile(Default("max_connections", "150", "integer", "postmaster"), kAutoConf, 3);
         f.file_settings->push_back(FileRow("max_connections", "150", kAutoConf, 3));
       },
       Case::kChange, Action::kUpdate, Impact::kRestart, "150", "200", kAutoConf, "yes",
       "postgresql.auto.conf:3 sets 150"},
      {"a conf.d file read after postgresql.conf wins, so it is edited",
       Spec("shared_buffers", "512MB"),
       [](HostFacts& f) {
         Server(f, "shared_buffers") = FromFile(Server(f, "shared_buffers"), kConfD, 1);
         Server(f, "shared_buffers").value = "32768";
         f.file_settings->push_back(FileRow("shared_buffers", "256MB", kConfD, 1));
       },
       Case::kChange, Action::kUpdate, Impact::kRestart, "256MB", "512MB", kConfD},
      {"the conf.d value is in force: postgresql.conf's older 128MB does not matter",
       Spec("shared_buffers", "256MB"),
       [](HostFacts& f) {
         Server(f, "shared_buffers") = FromFile(Server(f, "shared_buffers"), kConfD, 1);
         Server(f, "shared_buffers").value = "32768";
         f.file_settings->push_back(FileRow("shared_buffers", "256MB", kConfD, 1));
       },
       Case::kNothing},
      {"the server runs with the value but the winning line says otherwise: fix the file, "
       "no reload needed",
       Spec("max_connections", "100"), [](HostFacts& f) { f.file_settings->at(0).value = "300"; },
       Case::kChange, Action::kUpdate, Impact::kNone, "300", "100", kMainConf, "yes",
       "which it would take at the next reload or restart"},

      // Server quirks.
      {"archive_command reads (disabled) while archive_mode is off: the file decides",
       Spec("archive_command", kArchiveCommand),
       [](HostFacts& f) {
         Server(f, "archive_command").source = "configuration file";
         f.file_settings->push_back(FileRow("archive_command", kArchiveCommand, kMainConf, 330));
       },
       Case::kNothing},
      {"(disabled) with nothing in the files is the empty default, not a value",
       Spec("archive_command", kArchiveCommand), Unchanged, Case::kChange, Action::kCreate,
       Impact::kReload, "''", std::string("'") + kArchiveCommand + "'", kMainConf},
      {"wal_buffers = -1 runs as 512 blocks: asking for the default is no change",
       Spec("wal_buffers", "-1"), Unchanged, Case::kNothing},
      {"an extension's setting the server does not list is compared with the files",
       Spec("pgaudit.log", "ddl"), Unchanged, Case::kChange, Action::kCreate, Impact::kReload,
       std::nullopt, "'ddl'", kMainConf},
      {"a per-role value in pgpair's session is not the server's: the files decide",
       Spec("work_mem", "8MB"),
       [](HostFacts& f) {
         Server(f, "work_mem").value = "65536";
         Server(f, "work_mem").source = "user";
         f.file_settings->push_back(FileRow("work_mem", "8MB", kMainConf, 130));
       },
       Case::kNothing},

      // What PostgreSQL would refuse is a blocker naming the manifest line.
      {"a name PostgreSQL does not know", Spec("wal_levle", "replica", 17), Unchanged,
       Case::kBlocker, Action::kUpdate, Impact::kNone, std::nullopt, "", "", "",
       "setting wal_levle (pair.yaml:17:5) is not a parameter of PostgreSQL 15.18"},
      {"a value the enum does not have", Spec("wal_level", "hot", 18), Unchanged, Case::kBlocker,
       Action::kUpdate, Impact::kNone, std::nullopt, "", "", "",
       "setting wal_level (pair.yaml:18:5): invalid value \"hot\""},
      {"a unit on a unitless setting", Spec("max_connections", "100MB"), Unchanged, Case::kBlocker,
       Action::kUpdate, Impact::kNone, std::nullopt, "", "", "", "does not take a unit"},
      {"an internal setting cannot be set", Spec("block_size", "16384"), Unchanged, Case::kBlocker,
       Action::kUpdate, Impact::kNone, std::nullopt, "", "", "", "pg_settings.context is internal"},
      {"a value given on the command line overrides every file", Spec("listen_addresses", "*"),
       [](HostFacts& f) { Server(f, "listen_addresses").source = "command line"; }, Case::kBlocker,
       Action::kUpdate, Impact::kNone, std::nullopt, "", "", "",
       "overrides every configuration file"},

      // A stopped server: the files are all there is.
      {"stopped: equal to the file is no change", Spec("shared_buffers", "128MB"),
       [](HostFacts& f) { f = Stop(f); }, Case::kNothing},
      {"stopped: a file value is updated; the table says postmaster, so restart",
       Spec("shared_buffers", "256MB"), [](HostFacts& f) { f = Stop(f); }, Case::kChange,
       Action::kUpdate, Impact::kRestart, "128MB", "256MB", kMainConf, "yes",
       "the server is stopped; /etc/postgresql/15/main/postgresql.conf:127 sets 128MB"},
      {"stopped: a reloadable setting no file sets is a new line, impact reload",
       Spec("hot_standby_feedback", "on"), [](HostFacts& f) { f = Stop(f); }, Case::kChange,
       Action::kCreate, Impact::kReload, std::nullopt, "on", kMainConf, "yes",
       "no configuration file sets it"},
      {"stopped: values are still checked against pgpair's table", Spec("wal_level", "hot"),
       [](HostFacts& f) { f = Stop(f); }, Case::kBlocker, Action::kUpdate, Impact::kNone,
       std::nullopt, "", "", "", "invalid value \"hot\""},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    Manifest m = TwoHosts();
    m.primary_settings = {c.spec};
    HostFacts primary = RunningHost("pg1");
    c.facts(primary);
    HostFacts standby = RunningHost("pg2");
    Planned planned = RunDiff(m, &primary, &standby);
    std::vector<const Change*> changes = planned.For("setting[pg1/" + c.spec.name + "]");
    switch (c.outcome) {
      case Case::kNothing:
        CHECK(changes.empty());
        CHECK(planned.BlockersOn("pg1").empty());
        break;
      case Case::kBlocker: {
        CHECK(changes.empty());
        REQUIRE(planned.BlockersOn("pg1").size() == 1);
        INFO(planned.BlockersOn("pg1")[0].message);
        CHECK(planned.BlockersOn("pg1")[0].message.find(c.message) != std::string::npos);
        break;
      }
      case Case::kChange: {
        CHECK(planned.BlockersOn("pg1").empty());
        REQUIRE(changes.size() == 1);
        const Change& change = *changes[0];
        INFO(change.reason);
        CHECK(change.resource == "setting");
        CHECK(change.host == "pg1");
        CHECK(change.action == c.action);
        CHECK(change.impact == c.impact);
        CHECK(change.before == c.before);
        CHECK(change.after == c.after);
        CHECK(Details(change).file == c.file);
        CHECK(Details(change).write == (c.write == "yes"));
        CHECK(Details(change).name == c.spec.name);
        CHECK(change.reason.find(c.message) != std::string::npos);
        break;
      }
    }
  }
}

TEST_CASE("The value to write is the server's reading of the manifest's", "[setting]") {
  Manifest m = TwoHosts();
  // YAML's '*' arrives as *, and "'*'" as '*' in conf quoting: both write *.
  m.primary_settings = {Spec("listen_addresses", "'*'"), Spec("shared_buffers", "256MB")};
  HostFacts primary = RunningHost("pg1");
  HostFacts standby = RunningHost("pg2");
  Planned planned = RunDiff(m, &primary, &standby);
  REQUIRE(planned.For("setting[pg1/listen_addresses]").size() == 1);
  CHECK(Details(*planned.For("setting[pg1/listen_addresses]")[0]).value == "*");
  // Written as the user wrote it, not as the canonical 32768.
  REQUIRE(planned.For("setting[pg1/shared_buffers]").size() == 1);
  CHECK(Details(*planned.For("setting[pg1/shared_buffers]")[0]).value == "256MB");
  CHECK(planned.plan.HighestImpact("pg1") == Impact::kRestart);
  CHECK(planned.plan.HighestImpact("pg2") == Impact::kNone);
}

TEST_CASE("A stopped server's built-in default counts when no file sets the name", "[setting]") {
  Manifest m = TwoHosts();
  HostFacts primary = RunningHost("pg1");
  HostFacts standby = StoppedHost("pg2");
  SECTION("hot_standby and max_wal_senders as every major from 10 has them") {
    m.standby_settings = {Spec("hot_standby", "on"), Spec("max_wal_senders", "10")};
    for (int major : {10, 12, 18}) {
      standby.server.major = major;
      CHECK(RunDiff(m, &primary, &standby).plan.changes.empty());
    }
  }
  SECTION("a value other than the default is written") {
    m.standby_settings = {Spec("hot_standby_feedback", "on")};
    REQUIRE(RunDiff(m, &primary, &standby).For("setting[pg2/hot_standby_feedback]").size() == 1);
  }
  SECTION("password_encryption's default changed in 14") {
    m.standby_settings = {Spec("password_encryption", "scram-sha-256")};
    standby.server.major = 13;
    CHECK(RunDiff(m, &primary, &standby).For("setting[pg2/password_encryption]").size() == 1);
    standby.server.major = 14;
    CHECK(RunDiff(m, &primary, &standby).plan.changes.empty());
  }
  SECTION("an unknown major takes no default") {
    m.standby_settings = {Spec("hot_standby", "on")};
    standby.server.major.reset();
    CHECK(RunDiff(m, &primary, &standby).For("setting[pg2/hot_standby]").size() == 1);
  }
}

TEST_CASE("A stopped server gets a note for a name pgpair cannot check", "[setting]") {
  Manifest m = TwoHosts();
  m.primary_settings = {Spec("work_mem", "8MB")};
  HostFacts primary = StoppedHost("pg1");
  HostFacts standby = RunningHost("pg2");
  Planned planned = RunDiff(m, &primary, &standby);
  REQUIRE(planned.For("setting[pg1/work_mem]").size() == 1);
  CHECK(planned.For("setting[pg1/work_mem]")[0]->impact == Impact::kReload);
  CHECK(planned.NoteContains("pg1: setting work_mem (pair.yaml:12:5) is not in pgpair's table"));
}

TEST_CASE("Unknown facts block the settings of that host instead of guessing", "[setting]") {
  Manifest m = TwoHosts();
  m.primary_settings = {Spec("wal_level", "replica")};
  HostFacts standby = RunningHost("pg2");
  {
    // Running, but psql could not read pg_settings.
    HostFacts primary = RunningHost("pg1");
    primary.settings.reset();
    Planned planned = RunDiff(m, &primary, &standby);
    CHECK(planned.plan.changes.empty());
    CHECK(planned.BlockerContains("pg_settings could not be read"));
  }
  {
    // Stopped, and the files could not be read.
    HostFacts primary = StoppedHost("pg1");
    primary.file_settings.reset();
    Planned planned = RunDiff(m, &primary, &standby);
    CHECK(planned.BlockerContains("configuration files could not be read"));
  }
  {
    // Whether it runs is unknown.
    HostFacts primary = RunningHost("pg1");
    primary.server.running.reset();
    Planned planned = RunDiff(m, &primary, &standby);
    CHECK(planned.BlockerContains("cannot tell whether PostgreSQL runs"));
  }
  {
    // No line sets it and the main file is unknown: nowhere to write.
    HostFacts primary = RunningHost("pg1");
    primary.layout.config_file.reset();
    m.primary_settings = {Spec("listen_addresses", "*")};
    Planned planned = RunDiff(m, &primary, &standby);
    CHECK(planned.plan.changes.empty());
    CHECK(planned.BlockerContains("the main configuration file is unknown"));
  }
  {
    // pg_file_settings unreadable: the file pg_settings names is used, with a note.
    HostFacts primary = RunningHost("pg1");
    primary.file_settings.reset();
    m.primary_settings = {Spec("max_connections", "200")};
    Planned planned = RunDiff(m, &primary, &standby);
    REQUIRE(planned.For("setting[pg1/max_connections]").size() == 1);
    CHECK(Details(*planned.For("setting[pg1/max_connections]")[0]).file == kMainConf);
    CHECK(planned.NoteContains("pg1: pg_file_settings could not be read"));
  }
  {
    // A host without settings to manage needs no facts.
    Manifest empty = TwoHosts();
    HostFacts primary = RunningHost("pg1");
    primary.server.running.reset();
    CHECK(RunDiff(empty, &primary, nullptr).plan.empty());
  }
}

// The rows PostgreSQL 12 and 13 show for the renamed setting and the
// segment size (10 counts wal_segment_size in 8kB blocks, 11 on in bytes).
HostFacts WithWalKeep(HostFacts f, int major) {
  f.server.major = major;
  f.server.version = major == 10 ? "10.23" : major == 12 ? "12.22" : "13.23";
  if (major >= 13) {
    f.settings->push_back(Default("wal_keep_size", "0", "integer", "sighup", "MB"));
  } else {
    f.settings->push_back(Default("wal_keep_segments", "0", "integer", "sighup"));
  }
  if (major == 10) {
    f.settings->push_back(Default("wal_segment_size", "2048", "integer", "internal", "8kB"));
  } else {
    f.settings->push_back(Default("wal_segment_size", "16777216", "integer", "internal", "B"));
  }
  return f;
}

TEST_CASE("wal_keep_segments and wal_keep_size are translated for the server's major",
          "[setting]") {
  Manifest m = TwoHosts();
  HostFacts standby = RunningHost("pg2");

  SECTION("wal_keep_segments on 13: segments times the segment size") {
    m.primary_settings = {Spec("wal_keep_segments", "64")};
    HostFacts primary = WithWalKeep(RunningHost("pg1"), 13);
    Planned planned = RunDiff(m, &primary, &standby);
    CHECK(planned.For("setting[pg1/wal_keep_segments]").empty());
    REQUIRE(planned.For("setting[pg1/wal_keep_size]").size() == 1);
    const Change& change = *planned.For("setting[pg1/wal_keep_size]")[0];
    CHECK(Details(change).value == "1024MB");
    CHECK(change.after == "1GB");
    CHECK(change.impact == Impact::kReload);
    CHECK_THAT(change.reason, Catch::Contains("wal_keep_segments = 64 (pair.yaml:12:5)") &&
                                  Catch::Contains("calls wal_keep_size (64 segments of 16MB)"));
  }
  SECTION("wal_keep_size on 12: whole segments, rounded up") {
    m.primary_settings = {Spec("wal_keep_size", "1000MB")};
    HostFacts primary = WithWalKeep(RunningHost("pg1"), 12);
    Planned planned = RunDiff(m, &primary, &standby);
    REQUIRE(planned.For("setting[pg1/wal_keep_segments]").size() == 1);
    const Change& change = *planned.For("setting[pg1/wal_keep_segments]")[0];
    CHECK(Details(change).value == "63");
    CHECK_THAT(change.reason, Catch::Contains("1000MB in segments of 16MB, rounded up"));
  }
  SECTION("wal_keep_size on 10, whose segment size is in 8kB blocks") {
    m.primary_settings = {Spec("wal_keep_size", "1GB")};
    HostFacts primary = WithWalKeep(RunningHost("pg1"), 10);
    Planned planned = RunDiff(m, &primary, &standby);
    REQUIRE(planned.For("setting[pg1/wal_keep_segments]").size() == 1);
    CHECK(Details(*planned.For("setting[pg1/wal_keep_segments]")[0]).value == "64");
  }
  SECTION("the server's own name is kept as it is") {
    m.primary_settings = {Spec("wal_keep_size", "1GB")};
    HostFacts primary = WithWalKeep(RunningHost("pg1"), 13);
    Planned planned = RunDiff(m, &primary, &standby);
    REQUIRE(planned.For("setting[pg1/wal_keep_size]").size() == 1);
    CHECK(Details(*planned.For("setting[pg1/wal_keep_size]")[0]).value == "1GB");
  }
  SECTION("a translated value the server already runs with is no change") {
    m.primary_settings = {Spec("wal_keep_segments", "64")};
    HostFacts primary = WithWalKeep(RunningHost("pg1"), 13);
    Server(primary, "wal_keep_size") =
        FromFile(Default("wal_keep_size", "1024", "integer", "sighup", "MB"), kMainConf, 300);
    primary.file_settings->push_back(FileRow("wal_keep_size", "1024MB", kMainConf, 300));
    CHECK(RunDiff(m, &primary, &standby).plan.changes.empty());
  }
  SECTION("both names in the manifest") {
    m.primary_settings = {Spec("wal_keep_segments", "64", 12), Spec("wal_keep_size", "1GB", 13),
                          Spec("listen_addresses", "*", 14)};
    HostFacts primary = WithWalKeep(RunningHost("pg1"), 13);
    Planned planned = RunDiff(m, &primary, &standby);
    // Blocked; the other settings are still planned.
    REQUIRE(planned.plan.changes.size() == 1);
    CHECK(planned.plan.changes[0].address == "setting[pg1/listen_addresses]");
    CHECK(
        planned.BlockerContains("sets both wal_keep_segments (pair.yaml:12:5) and wal_keep_size"));
  }
  SECTION("a stopped 13 cannot say its segment size") {
    m.primary_settings = {Spec("wal_keep_segments", "64")};
    HostFacts primary = StoppedHost("pg1");
    primary.server.major = 13;
    Planned planned = RunDiff(m, &primary, &standby);
    CHECK(planned.plan.changes.empty());
    CHECK(
        planned.BlockerContains("the server is stopped, so pgpair cannot read its WAL segment "
                                "size to translate it into wal_keep_size"));
  }
  SECTION("a stopped 12 takes wal_keep_segments as it is") {
    m.primary_settings = {Spec("wal_keep_segments", "64")};
    HostFacts primary = StoppedHost("pg1");
    primary.server.major = 12;
    Planned planned = RunDiff(m, &primary, &standby);
    CHECK(planned.For("setting[pg1/wal_keep_segments]").size() == 1);
    CHECK(planned.plan.blockers.empty());
  }
}

TEST_CASE("Up to 11, WAL senders must leave room in max_connections", "[setting]") {
  Manifest m = TwoHosts();
  HostFacts standby = RunningHost("pg2");
  HostFacts primary = RunningHost("pg1");
  primary.settings->push_back(
      Default("superuser_reserved_connections", "3", "integer", "postmaster"));
  m.primary_settings = {Spec("max_wal_senders", "97", 14)};

  SECTION("11 would not start") {
    primary.server.major = 11;
    Planned planned = RunDiff(m, &primary, &standby);
    CHECK(planned.BlockerContains(
        "superuser_reserved_connections = 3 (running) plus max_wal_senders = 97 "
        "(pair.yaml:14:5) must be less than max_connections = 100 (running): PostgreSQL 11 "
        "counts WAL senders among its connections"));
  }
  SECTION("one fewer sender fits") {
    primary.server.major = 11;
    m.primary_settings = {Spec("max_wal_senders", "96", 14)};
    CHECK_FALSE(RunDiff(m, &primary, &standby).BlockerContains("must be less than"));
  }
  SECTION("12 counts them apart") {
    primary.server.major = 12;
    CHECK_FALSE(RunDiff(m, &primary, &standby).BlockerContains("must be less than"));
  }
}

TEST_CASE("The connections kept back must leave room in max_connections on every major",
          "[setting]") {
  Manifest m = TwoHosts();
  HostFacts standby = RunningHost("pg2");
  HostFacts primary = RunningHost("pg1");
  primary.settings->push_back(
      Default("superuser_reserved_connections", "3", "integer", "postmaster"));
  m.primary_settings = {Spec("max_connections", "1", 9)};
  m.standby_settings = {Spec("max_connections", "100", 20)};

  SECTION("15: max_connections 1 with the default 3 reserved is refused at plan time") {
    Planned planned = RunDiff(m, &primary, &standby);
    REQUIRE(planned.BlockersOn("pg1").size() == 1);
    CHECK(planned.BlockersOn("pg1")[0].message ==
          "superuser_reserved_connections = 3 (running) must be less than max_connections = 1 "
          "(pair.yaml:9:5): PostgreSQL 15 would not start (it keeps those connections back); "
          "raise max_connections in the manifest");
  }
  SECTION("4 leaves one: it starts") {
    m.primary_settings = {Spec("max_connections", "4", 9)};
    CHECK_FALSE(RunDiff(m, &primary, &standby).BlockerContains("must be less than"));
  }
  SECTION("16 adds reserved_connections") {
    primary.server.major = 16;
    primary.settings->push_back(Default("reserved_connections", "2", "integer", "postmaster"));
    m.primary_settings = {Spec("max_connections", "5", 9)};
    CHECK(RunDiff(m, &primary, &standby)
              .BlockerContains("superuser_reserved_connections = 3 (running) plus "
                               "reserved_connections = 2 (running) must be less than "
                               "max_connections = 5 (pair.yaml:9:5): PostgreSQL 16"));
    // On 15 the same numbers fit: it has no reserved_connections.
    primary.server.major = 15;
    CHECK_FALSE(RunDiff(m, &primary, &standby).BlockerContains("must be less than"));
  }
  SECTION("a declared superuser_reserved_connections counts too") {
    m.primary_settings = {Spec("superuser_reserved_connections", "100", 9)};
    CHECK(RunDiff(m, &primary, &standby)
              .BlockerContains("superuser_reserved_connections = 100 (pair.yaml:9:5) must be "
                               "less than max_connections = 100 (running)"));
  }
  SECTION("a stopped server: its files, else the built-in defaults") {
    HostFacts stopped = StoppedHost("pg1");
    // No file sets superuser_reserved_connections: 3 is the default.
    CHECK(RunDiff(m, &stopped, &standby)
              .BlockerContains("superuser_reserved_connections = 3 (files) must be less than "
                               "max_connections = 1 (pair.yaml:9:5)"));
    stopped.file_settings->push_back(FileRow("superuser_reserved_connections", "0", kMainConf, 66));
    CHECK_FALSE(RunDiff(m, &stopped, &standby).BlockerContains("must be less than"));
  }
  SECTION("nothing declared: the running server's business") {
    m.primary_settings = {};
    Server(primary, "max_connections").value = "2";
    CHECK_FALSE(RunDiff(m, &primary, &standby).BlockerContains("must be less than"));
  }
}

TEST_CASE("shared_buffers must be below the host's memory", "[setting]") {
  Manifest m = TwoHosts();
  HostFacts standby = RunningHost("pg2");
  HostFacts primary = RunningHost("pg1");
  primary.os.memory_bytes = 24683584LL * 1024;  // the sandbox machine's MemTotal
  m.primary_settings = {Spec("shared_buffers", "'4TB'", 8)};
  Planned planned = RunDiff(m, &primary, &standby);
  CHECK(
      planned.BlockerContains("setting shared_buffers (pair.yaml:8:5) = '4TB' is not below "
                              "this host's memory (24105MB, MemTotal in /proc/meminfo): "
                              "PostgreSQL would not start; lower it"));
  // Exactly the memory is refused; what fits is planned.
  m.primary_settings = {Spec("shared_buffers", "24683584kB", 8)};
  CHECK(RunDiff(m, &primary, &standby).BlockerContains("is not below this host's memory"));
  m.primary_settings = {Spec("shared_buffers", "4GB", 8)};
  Planned fits = RunDiff(m, &primary, &standby);
  CHECK_FALSE(fits.BlockerContains("memory"));
  CHECK(fits.For("setting[pg1/shared_buffers]").size() == 1);
  // Unknown memory: no guess.
  primary.os.memory_bytes.reset();
  m.primary_settings = {Spec("shared_buffers", "'4TB'", 8)};
  CHECK_FALSE(RunDiff(m, &primary, &standby).BlockerContains("memory"));
  // A stopped server is checked with the table's unit.
  HostFacts stopped = StoppedHost("pg1");
  stopped.os.memory_bytes = 1LL << 30;
  m.primary_settings = {Spec("shared_buffers", "2GB", 8)};
  CHECK(RunDiff(m, &stopped, &standby).BlockerContains("(1024MB, MemTotal"));
}

TEST_CASE("A value the server refused at its last start blocks while the manifest asks for it",
          "[setting]") {
  Manifest m = TwoHosts();
  HostFacts standby = RunningHost("pg2");
  HostFacts primary = RunningHost("pg1");
  primary.refused_settings = std::vector<RefusedSettingFact>{
      {"shared_buffers", "4TB", "2026-12-01T11:34:45Z",
       "FATAL:  could not map anonymous shared memory: Cannot allocate memory"}};
  SECTION("the same value, however it is spelled") {
    for (const char* spelling : {"'4TB'", "4TB", "4096GB"}) {
      m.primary_settings = {Spec("shared_buffers", spelling, 8)};
      Planned planned = RunDiff(m, &primary, &standby);
      INFO(spelling);
      REQUIRE(planned.BlockersOn("pg1").size() == 1);
      CHECK(planned.BlockersOn("pg1")[0].message ==
            "the server refused shared_buffers = 4TB at its last start (2026-12-01T11:34:45Z: "
            "FATAL:  could not map anonymous shared memory: Cannot allocate memory); change the "
            "manifest (pair.yaml:8:5)");
      CHECK(planned.For("setting[pg1/shared_buffers]").empty());
    }
  }
  SECTION("another value is planned as usual") {
    m.primary_settings = {Spec("shared_buffers", "256MB", 8)};
    Planned planned = RunDiff(m, &primary, &standby);
    CHECK(planned.plan.blockers.empty());
    CHECK(planned.For("setting[pg1/shared_buffers]").size() == 1);
  }
  SECTION("a stopped server is refused the same") {
    HostFacts stopped = StoppedHost("pg1");
    stopped.refused_settings = primary.refused_settings;
    m.primary_settings = {Spec("shared_buffers", "4TB", 8)};
    CHECK(RunDiff(m, &stopped, &standby).BlockerContains("the server refused shared_buffers"));
  }
  SECTION("the other host's record is its own") {
    m.standby_settings = {Spec("shared_buffers", "4TB", 8)};
    standby.os.memory_bytes.reset();
    CHECK(RunDiff(m, &primary, &standby).BlockersOn("pg2").empty());
  }
}

TEST_CASE("A pending ALTER SYSTEM value overwritten with the running one is reloaded",
          "[setting]") {
  Manifest m = TwoHosts();
  HostFacts standby = RunningHost("pg2");
  HostFacts primary = RunningHost("pg1");
  m.primary_settings = {Spec("max_connections", "100", 7)};
  // ALTER SYSTEM SET max_connections = 150, then a reload: the server read
  // 150 and waits for a restart to take it.
  Server(primary, "max_connections").pending_restart = true;
  FileSettingFact pending = FileRow("max_connections", "150", kAutoConf, 3);
  pending.applied = false;
  pending.error = "setting could not be applied";
  primary.file_settings->push_back(pending);

  SECTION("the edit is followed by a reload, which clears pending_restart") {
    Planned planned = RunDiff(m, &primary, &standby);
    std::vector<const Change*> changes = planned.For("setting[pg1/max_connections]");
    REQUIRE(changes.size() == 1);
    CHECK(changes[0]->impact == Impact::kReload);
    CHECK(Details(*changes[0]).file == kAutoConf);
    CHECK(Details(*changes[0]).write);
    CHECK(changes[0]->before == "150");
    CHECK(changes[0]->reason.find("waits for a restart to take (pending_restart): a reload "
                                  "after the edit clears that") != std::string::npos);
  }
  SECTION("never reloaded: nothing is pending, the edit alone is enough") {
    Server(primary, "max_connections").pending_restart = false;
    Planned planned = RunDiff(m, &primary, &standby);
    std::vector<const Change*> changes = planned.For("setting[pg1/max_connections]");
    REQUIRE(changes.size() == 1);
    CHECK(changes[0]->impact == Impact::kNone);
  }
  SECTION("the file holds the running value again, but the flag stays until a reload") {
    primary.file_settings->back().value = "100";
    Planned planned = RunDiff(m, &primary, &standby);
    std::vector<const Change*> changes = planned.For("setting[pg1/max_connections]");
    REQUIRE(changes.size() == 1);
    CHECK(changes[0]->impact == Impact::kReload);
    CHECK_FALSE(Details(*changes[0]).write);
    CHECK(changes[0]->reason.find("a reload clears it") != std::string::npos);
  }
  SECTION("no file sets it any more: the running value is written, then reloaded") {
    primary.file_settings->erase(primary.file_settings->begin());  // postgresql.conf:65
    primary.file_settings->pop_back();                             // postgresql.auto.conf:3
    Planned planned = RunDiff(m, &primary, &standby);
    std::vector<const Change*> changes = planned.For("setting[pg1/max_connections]");
    REQUIRE(changes.size() == 1);
    CHECK(changes[0]->action == Action::kCreate);
    CHECK(changes[0]->impact == Impact::kReload);
    CHECK(Details(*changes[0]).file == kMainConf);
    CHECK(Details(*changes[0]).write);
  }
}

TEST_CASE("A restart owed for a setting the manifest does not manage is noted", "[setting]") {
  Manifest m = TwoHosts();
  HostFacts standby = RunningHost("pg2");
  HostFacts primary = RunningHost("pg1");
  m.primary_settings = {Spec("work_mem", "8MB", 7)};
  Server(primary, "shared_buffers").pending_restart = true;
  Planned planned = RunDiff(m, &primary, &standby);
  CHECK(
      planned.NoteContains("pg1: the server waits for a restart to apply shared_buffers "
                           "(pg_settings.pending_restart), which the manifest does not manage"));
  // A managed one is planned instead of noted.
  m.primary_settings = {Spec("shared_buffers", "256MB", 7)};
  CHECK_FALSE(RunDiff(m, &primary, &standby).NoteContains("waits for a restart to apply"));
  // So is primary_conninfo (12: a restart), by the recovery config resource.
  Server(primary, "shared_buffers").pending_restart = false;
  SettingFact conninfo = Default("primary_conninfo", "host=x", "string", "postmaster");
  conninfo.pending_restart = true;
  primary.settings->push_back(conninfo);
  CHECK_FALSE(RunDiff(m, &primary, &standby).NoteContains("waits for a restart to apply"));
}

TEST_CASE("archive: implies archive_mode and archive_command on the primary", "[setting]") {
  Manifest m = TwoHosts();
  m.archive =
      ArchiveSpec{"/var/backups/pgsql/archive", "postgres", "0700", SourceMark{"pair.yaml", 30, 3}};

  std::vector<DesiredSetting> primary = DesiredSettings(m, "pg1");
  REQUIRE(primary.size() == 2);
  CHECK(primary[0].name == "archive_mode");
  CHECK(primary[0].value == "on");
  CHECK(primary[1].name == "archive_command");
  // The classic procedure's command, the path bare since it needs no quoting.
  CHECK(primary[1].value == kArchiveCommand);
  CHECK(primary[1].why.find("implied by archive: (pair.yaml:30:3)") != std::string::npos);
  // The standby archives nothing.
  CHECK(DesiredSettings(m, "pg2").empty());

  // On a fresh server: archive_mode needs a restart, archive_command a reload.
  HostFacts pg1 = RunningHost("pg1");
  HostFacts pg2 = RunningHost("pg2");
  Planned planned = RunDiff(m, &pg1, &pg2);
  REQUIRE(planned.For("setting[pg1/archive_mode]").size() == 1);
  const Change& mode = *planned.For("setting[pg1/archive_mode]")[0];
  CHECK(mode.impact == Impact::kRestart);
  CHECK(mode.before == "off");
  CHECK(mode.after == "on");
  CHECK(mode.reason.find("WAL archiving needs archive_mode = on") != std::string::npos);
  REQUIRE(planned.For("setting[pg1/archive_command]").size() == 1);
  CHECK(planned.For("setting[pg1/archive_command]")[0]->impact == Impact::kReload);
  CHECK(Details(*planned.For("setting[pg1/archive_command]")[0]).value == kArchiveCommand);

  // What the user declares is not overridden: only the missing one is implied.
  m.primary_settings = {Spec("archive_command", "'/usr/local/bin/archive %p'")};
  primary = DesiredSettings(m, "pg1");
  REQUIRE(primary.size() == 2);
  CHECK(primary[0].name == "archive_command");
  CHECK(primary[0].value == "'/usr/local/bin/archive %p'");
  CHECK(primary[0].why.empty());
  CHECK(primary[1].name == "archive_mode");
}

TEST_CASE("ArchiveCommandFor quotes the directory only when it must", "[setting]") {
  CHECK(ArchiveCommandFor("/var/backups/pgsql/archive") == kArchiveCommand);
  CHECK(ArchiveCommandFor("/srv/wal archive") ==
        "test ! -f '/srv/wal archive'/%f && cp %p '/srv/wal archive'/%f");
  CHECK(ArchiveCommandFor("/srv/it's") ==
        "test ! -f '/srv/it'\\''s'/%f && cp %p '/srv/it'\\''s'/%f");
  // The archiver expands %: a literal one is doubled.
  CHECK(ArchiveCommandFor("/srv/100%") == "test ! -f /srv/100%%/%f && cp %p /srv/100%%/%f");
}

TEST_CASE("The standby gets the primary's declared minimums for hot standby", "[setting]") {
  Manifest m = TwoHosts();
  m.primary_settings = {Spec("max_connections", "200", 20), Spec("max_wal_senders", "10", 21),
                        Spec("listen_addresses", "*", 22)};
  m.standby_settings = {Spec("hot_standby", "on", 25)};

  std::vector<DesiredSetting> standby = DesiredSettings(m, "pg2");
  REQUIRE(standby.size() == 3);
  CHECK(standby[0].name == "hot_standby");
  CHECK(standby[1].name == "max_connections");
  CHECK(standby[1].value == "200");
  CHECK(standby[1].mark.line == 20);
  CHECK(standby[2].name == "max_wal_senders");

  HostFacts pg1 = RunningHost("pg1");
  HostFacts pg2 = RunningHost("pg2");
  Planned planned = RunDiff(m, &pg1, &pg2);
  REQUIRE(planned.For("setting[pg2/max_connections]").size() == 1);
  const Change& change = *planned.For("setting[pg2/max_connections]")[0];
  CHECK(change.host == "pg2");
  CHECK(change.after == "200");
  CHECK(change.impact == Impact::kRestart);
  CHECK(change.reason.find("hot standby does not start with less max_connections than the "
                           "primary, which the manifest sets to 200 (pair.yaml:20:5)") !=
        std::string::npos);
  // 10 on both already; listen_addresses is not a minimum.
  CHECK(planned.For("setting[pg2/max_wal_senders]").empty());
  CHECK(planned.For("setting[pg2/listen_addresses]").empty());
  CHECK(planned.plan.blockers.empty());

  // The standby's own declaration wins; lower than the primary's is a blocker.
  m.standby_settings.push_back(Spec("max_connections", "50", 26));
  standby = DesiredSettings(m, "pg2");
  CHECK(standby.size() == 3);
  planned = RunDiff(m, &pg1, &pg2);
  CHECK(planned.plan.blockers.size() == 1);
  CHECK(
      planned.BlockerContains("setting max_connections (pair.yaml:26:5) = 50 is lower than "
                              "the primary's 200 (pair.yaml:20:5)"));

  // Unless the standby is not a hot standby at all.
  m.standby_settings[0] = Spec("hot_standby", "off", 25);
  CHECK(RunDiff(m, &pg1, &pg2).plan.blockers.empty());
}

TEST_CASE("A standby running below the primary's running value gets a note", "[setting]") {
  Manifest m = TwoHosts();
  m.primary_settings = {Spec("wal_level", "replica")};
  HostFacts pg1 = RunningHost("pg1");
  Server(pg1, "max_locks_per_transaction").value = "128";
  HostFacts pg2 = RunningHost("pg2");
  Planned planned = RunDiff(m, &pg1, &pg2);
  CHECK(planned.plan.changes.empty());
  CHECK(
      planned.NoteContains("pg2: max_locks_per_transaction runs as 64, lower than the "
                           "primary's 128 (running)"));
}

TEST_CASE("max_wal_senders below what a clone and a standby need gets a note", "[setting]") {
  HostFacts pg1 = RunningHost("pg1");
  HostFacts pg2 = RunningHost("pg2");
  Manifest m = TwoHosts();
  // 2 + one standby = 3: the classic procedure's 3 is just enough.
  m.primary_settings = {Spec("max_wal_senders", "3")};
  CHECK_FALSE(RunDiff(m, &pg1, &pg2).NoteContains("max_wal_senders"));
  m.primary_settings = {Spec("max_wal_senders", "2", 14)};
  Planned planned = RunDiff(m, &pg1, &pg2);
  CHECK(planned.NoteContains("pg1: max_wal_senders = 2 (pair.yaml:14:5) is below 3"));
  // Still written: the user asked for it.
  CHECK(planned.For("setting[pg1/max_wal_senders]").size() == 1);
}

TEST_CASE("Recovery settings are left to the recovery config resource", "[setting]") {
  Manifest m = TwoHosts();
  m.standby_settings = {Spec("restore_command", "cp /var/backups/pgsql/archive/%f %p"),
                        Spec("primary_slot_name", "pg2"), Spec("hot_standby", "on")};
  std::vector<DesiredSetting> standby = DesiredSettings(m, "pg2");
  REQUIRE(standby.size() == 1);
  CHECK(standby[0].name == "hot_standby");
}

TEST_CASE("Diff on the real gather of a fresh Debian cluster", "[setting]") {
  // tests/fixtures/gather/pg15_debian_running.txt, with the sandbox example's settings.
  Result<GatherSections> sections =
      ParseGatherOutput(testing::ReadFixture("gather/pg15_debian_running.txt"), "@@pgpair-fixture");
  REQUIRE(sections.ok());
  GatherRequest request;
  request.replication_role = "replicator";
  request.archive_dir = "/var/backups/pgsql/archive";
  HostFacts pg1;
  pg1.name = "pg1";
  InterpretGather(*sections, request, &pg1);
  HostFacts pg2 = pg1;
  pg2.name = "pg2";

  Manifest m = TwoHosts();
  m.primary_settings = {Spec("listen_addresses", "*"), Spec("wal_level", "replica"),
                        Spec("archive_mode", "on"), Spec("archive_command", kArchiveCommand),
                        Spec("max_wal_senders", "10")};
  m.standby_settings = {Spec("hot_standby", "on")};
  Planned planned = RunDiff(m, &pg1, &pg2);
  CHECK(planned.plan.blockers.empty());
  std::vector<std::string> addresses;
  for (const Change& c : planned.plan.changes) addresses.push_back(c.address);
  CHECK(addresses == std::vector<std::string>{"setting[pg1/listen_addresses]",
                                              "setting[pg1/archive_mode]",
                                              "setting[pg1/archive_command]"});
  for (const Change& c : planned.plan.changes) {
    CHECK(Details(c).file == kMainConf);
    CHECK(c.action == Action::kCreate);
  }
  CHECK(planned.plan.HighestImpact("pg1") == Impact::kRestart);
}

// Apply: one read, one atomic write, nothing for a pending value.
struct ApplyFixture : testing::FakePair {
  std::vector<std::string> progress;

  ApplyFixture() {
    manifest = TwoHosts();
    context.progress = [this](const std::string& line) { progress.push_back(line); };
  }
};

Change WalLevelChange(bool write = true) {
  Change change;
  change.resource = "setting";
  change.address = "setting[pg1/wal_level]";
  change.host = "pg1";
  change.after = "logical";
  SetDetails(change, SettingDetails{"wal_level", "logical", kMainConf, write});
  return change;
}

TEST_CASE("Apply edits the file in place through one read and one atomic write", "[setting]") {
  ApplyFixture f;
  const std::string before = "# comment\nwal_level = replica\t\t# minimal, replica, or logical\n";
  f.pg1.OnCommand("cat -- /etc/postgresql/15/main/postgresql.conf", FakeTransport::Stdout(before));
  f.pg1.OnCommand("mktemp", FakeTransport::Stdout(""));
  Status status = SettingResource().Apply(WalLevelChange(), f.context);
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(f.pg1.calls().size() == 2);
  CHECK(f.pg1.calls()[1].stdin_data ==
        "# comment\nwal_level = logical\t\t# minimal, replica, or logical\n");
  // Owner and mode are the file's own: no explicit chown or chmod value.
  CHECK(ScriptArgs(f.pg1.calls()[1].command, "pgpair-write-file") ==
        std::vector<std::string>{"/etc/postgresql/15/main/postgresql.conf", "", "", ""});
  CHECK(f.pg2.calls().empty());
  CHECK(f.progress.size() == 1);
}

TEST_CASE("Apply writes nothing for a value already written", "[setting]") {
  ApplyFixture f;
  REQUIRE(SettingResource().Apply(WalLevelChange(false), f.context).ok());
  CHECK(f.pg1.calls().empty());

  // Nor when the file already holds it (someone wrote it since the plan).
  f.pg1.OnCommand("cat --", FakeTransport::Stdout("wal_level = logical\n"));
  REQUIRE(SettingResource().Apply(WalLevelChange(), f.context).ok());
  CHECK(f.pg1.calls().size() == 1);
}

TEST_CASE("Apply reports what failed and that nothing was written", "[setting]") {
  {
    ApplyFixture f;
    f.pg1.OnCommand("cat --", FakeTransport::Exit(1, "cat: x: Permission denied\n"));
    Status status = SettingResource().Apply(WalLevelChange(), f.context);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() ==
          "pg1 (198.18.0.11): /etc/postgresql/15/main/postgresql.conf cannot be read: "
          "permission denied; wal_level was not written");
  }
  {
    ApplyFixture f;
    // A broken conninfo line: its text (and password) stays out of the error.
    f.pg1.OnCommand("cat --", FakeTransport::Stdout("wal_level = replica\n"
                                                    "primary_conninfo = 'password=hunter2\n"
                                                    "port = 5432 extra\n"));
    Status status = SettingResource().Apply(WalLevelChange(), f.context);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() ==
          "pg1 (198.18.0.11): /etc/postgresql/15/main/postgresql.conf does not parse (syntax "
          "error on line 2, line 3); wal_level was not written: correct the file first");
    CHECK(f.pg1.calls().size() == 1);
  }
  {
    ApplyFixture f;
    f.pg1.OnCommand("cat --", FakeTransport::Stdout("wal_level = replica\n"));
    f.pg1.OnCommand("mktemp", FakeTransport::Exit(1, "mv: cannot move: No space left on device"));
    Status status = SettingResource().Apply(WalLevelChange(), f.context);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message().find("the file is unchanged; wal_level was not written") !=
          std::string::npos);
  }
  {
    // A change another resource made (a planner bug) is refused unread.
    ApplyFixture f;
    Change foreign = WalLevelChange();
    SetDetails(foreign, ArchiveDirDetails{"/archive", "postgres", 0700, "postgres"});
    Status status = SettingResource().Apply(foreign, f.context);
    CHECK(status.message() == "setting[pg1/wal_level]: not a change of setting (a planner bug)");
    CHECK(f.pg1.calls().empty());
  }
}

}  // namespace
}  // namespace pgpair
