#include "resources/archive_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "engine/facts/interpret.h"
#include "resources/archive_dir.sh.inc"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/fakes/script_call.h"
#include "tests/unit/gathered_facts.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

using testing::RequireDetails;

using testing::GatheredFacts;

const char kDir[] = "/var/backups/pgsql/archive";

Manifest PairManifest() {
  Manifest manifest = testing::SandboxPair();
  ArchiveSpec archive;
  archive.dir = kDir;
  manifest.archive = archive;
  return manifest;
}

ArchiveDirFacts Dir(std::optional<bool> exists, std::optional<bool> is_directory,
                    std::optional<std::string> owner, std::optional<std::string> group,
                    std::optional<std::string> mode) {
  return ArchiveDirFacts{kDir, exists, is_directory, owner, group, mode};
}

Plan DiffOf(const Manifest& manifest, std::optional<ArchiveDirFacts> archive) {
  HostFacts primary;
  primary.name = "pg1";
  primary.archive = std::move(archive);
  return testing::DiffResource(ArchiveDirResource(), manifest, primary, HostFacts{});
}

TEST_CASE("archive_dir: diff against hand-built facts", "[archive_dir]") {
  struct Case {
    const char* proves;
    std::optional<ArchiveDirFacts> facts;
    size_t changes, blockers, notes;
  };
  const Case cases[] = {
      {"converged: nothing to do", Dir(true, true, "postgres", "postgres", "700"), 0, 0, 0},
      {"modes compare as octal numbers: 0700 == 700",
       Dir(true, true, "postgres", "postgres", "0700"), 0, 0, 0},
      {"the group is not compared (chown OWNER: sets the owner's)",
       Dir(true, true, "postgres", "backup", "700"), 0, 0, 0},
      {"missing: create", Dir(false, std::nullopt, std::nullopt, std::nullopt, std::nullopt), 1, 0,
       0},
      {"wrong owner: update", Dir(true, true, "root", "root", "700"), 1, 0, 0},
      {"wrong mode: update", Dir(true, true, "postgres", "postgres", "755"), 1, 0, 0},
      {"a setgid bit is a different mode", Dir(true, true, "postgres", "postgres", "2700"), 1, 0,
       0},
      {"a file in the way: blocker, never replaced", Dir(true, false, "root", "root", "644"), 0, 1,
       0},
      {"archive facts unknown: note, no change", std::nullopt, 0, 0, 1},
      {"existence unknown: note",
       Dir(std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt), 0, 0, 1},
      {"mode unknown: note", Dir(true, true, "postgres", "postgres", std::nullopt), 0, 0, 1},
      {"facts about another path are not facts about this one",
       ArchiveDirFacts{"/srv/other", true, true, "postgres", "postgres", "700"}, 0, 0, 1},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    Plan plan = DiffOf(PairManifest(), c.facts);
    CHECK(plan.changes.size() == c.changes);
    CHECK(plan.blockers.size() == c.blockers);
    CHECK(plan.notes.size() == c.notes);
    for (const Change& change : plan.changes) {
      CHECK(change.address == "archive_dir[pg1:/var/backups/pgsql/archive]");
      CHECK(change.host == "pg1");
      CHECK(change.impact == Impact::kNone);
    }
  }
}

TEST_CASE("archive_dir: no archive in the manifest, no resource", "[archive_dir]") {
  Manifest manifest = PairManifest();
  manifest.archive.reset();
  Plan plan = DiffOf(manifest, std::nullopt);
  CHECK(plan.empty());
  CHECK(plan.notes.empty());
}

TEST_CASE("archive_dir: the update shows owner and mode before and after", "[archive_dir]") {
  Plan plan = DiffOf(PairManifest(), Dir(true, true, "root", "root", "755"));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.action == Action::kUpdate);
  CHECK(change.before == "root:root 755");
  CHECK(change.after == "postgres 0700");
  CHECK(change.reason ==
        "/var/backups/pgsql/archive on pg1 (198.18.0.11): it is owned by root, "
        "not postgres and its mode is 0755, not 0700");
  CHECK(RequireDetails<ArchiveDirDetails>(change).mode == 0700);
  CHECK(RequireDetails<ArchiveDirDetails>(change).owner == "postgres");
  CHECK(change.details->ToJson()["mode"] == "0700");

  Plan created =
      DiffOf(PairManifest(), Dir(false, std::nullopt, std::nullopt, std::nullopt, std::nullopt));
  REQUIRE(created.changes.size() == 1);
  CHECK(created.changes[0].action == Action::kCreate);
  CHECK_FALSE(created.changes[0].before.has_value());
  CHECK(created.changes[0].after == "directory, postgres 0700");
}

TEST_CASE("archive_dir: a declared owner and mode are what is compared", "[archive_dir]") {
  Manifest manifest = PairManifest();
  manifest.archive->owner = "barman";
  manifest.archive->mode = "0750";
  CHECK(DiffOf(manifest, Dir(true, true, "barman", "barman", "750")).empty());
  CHECK(DiffOf(manifest, Dir(true, true, "postgres", "postgres", "750")).changes.size() == 1);
}

TEST_CASE("archive_dir: the blocker says what is in the way", "[archive_dir]") {
  Plan plan = DiffOf(PairManifest(), Dir(true, false, "root", "root", "644"));
  REQUIRE(plan.blockers.size() == 1);
  CHECK(plan.blockers[0].host == "pg1");
  CHECK(plan.blockers[0].message ==
        "pg1 (198.18.0.11): /var/backups/pgsql/archive is a file, not a directory; pgpair will "
        "not replace it. Move it aside, or set archive.dir to another path");
}

TEST_CASE("archive_dir: the command passes every value to the script as it is", "[archive_dir]") {
  std::string command = ArchiveDirCommand("/srv/wal archive/it's", "post gres", 0700, "postgres");
  std::optional<ScriptCall> call = ParseScriptCommand(command);
  REQUIRE(call.has_value());
  CHECK(call->script == kArchiveDirScript);
  CHECK(call->name == "pgpair-archive-dir");
  // The mode as four digits: the script adds the zero that clears setgid.
  CHECK(call->args ==
        std::vector<std::string>{"/srv/wal archive/it's", "post gres", "0700", "postgres"});
}

// Runs the archive directory script locally (as root, like on the host).
struct LocalArchive {
  std::string scratch;
  LocalArchive() {
    char pattern[] = "/tmp/pgpair-archive-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    scratch = pattern;
  }
  ~LocalArchive() { std::system(("rm -rf '" + scratch + "'").c_str()); }
  ExecResult Run(const std::string& dir, int mode, const std::string& user) {
    LocalShellTransport shell(scratch);
    Result<ExecResult> run =
        shell.Exec(ArchiveDirCommand(dir, "root", mode, user), "", std::chrono::seconds(10));
    REQUIRE(run.ok());
    return *run;
  }
};

TEST_CASE("archive_dir: the script creates the directory and names what stops the user",
          "[archive_dir]") {
  LocalArchive local;
  const std::string dir = local.scratch + "/wal archive/it's";
  // mkdtemp's 0700 on the scratch directory keeps nobody out of it.
  ExecResult blocked = local.Run(dir, 0777, "nobody");
  CHECK(blocked.exit_status == 3);
  CHECK(blocked.stderr_text == "blocked-by: root:root 700 " + local.scratch + "\n");
  struct stat info {};
  REQUIRE(stat(dir.c_str(), &info) == 0);
  CHECK(S_ISDIR(info.st_mode));
  CHECK((info.st_mode & 07777) == 0777);

  REQUIRE(chmod(local.scratch.c_str(), 0755) == 0);
  REQUIRE(chmod((local.scratch + "/wal archive").c_str(), 0755) == 0);
  ExecResult unwritable = local.Run(dir, 0700, "nobody");
  CHECK(unwritable.exit_status == 3);
  CHECK(unwritable.stderr_text == "not-writable: owner root:root, mode 700\n");

  // A setgid bit left from before is cleared: the mode is exactly the one asked.
  REQUIRE(chmod(dir.c_str(), 02777) == 0);
  ExecResult ready = local.Run(dir, 0777, "nobody");
  CHECK(ready.exit_status == 0);
  CHECK(ready.stderr_text.empty());
  REQUIRE(stat(dir.c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0777);
}

struct ApplyFixture : testing::FakePair {
  Change change;

  ApplyFixture() {
    manifest = PairManifest();
    primary.archive = Dir(false, std::nullopt, std::nullopt, std::nullopt, std::nullopt);
    Plan plan;
    ArchiveDirResource().Diff(input, &plan);
    REQUIRE(plan.changes.size() == 1);
    change = plan.changes[0];
  }
};

TEST_CASE("archive_dir apply: one command on the primary", "[archive_dir]") {
  ApplyFixture f;
  f.pg1.OnCommand("mkdir -p", FakeTransport::Stdout(""));
  REQUIRE(ArchiveDirResource().Apply(f.change, f.context).ok());
  REQUIRE(f.pg1.calls().size() == 1);
  CHECK(f.pg2.calls().empty());
  CHECK(f.pg1.calls()[0].command ==
        ArchiveDirCommand("/var/backups/pgsql/archive", "postgres", 0700, "postgres"));
}

TEST_CASE("archive_dir apply: a parent postgres cannot enter is named", "[archive_dir]") {
  ApplyFixture f;
  f.pg1.OnCommand("mkdir -p", FakeTransport::Exit(3, "blocked-by: root:root 700 /var/backups\n"));
  Status status = ArchiveDirResource().Apply(f.change, f.context);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message() ==
        "pg1 (198.18.0.11): /var/backups/pgsql/archive is set up, but user postgres cannot "
        "reach it: /var/backups (owner root:root, mode 700) does not let postgres through; "
        "archive_command runs as postgres and would fail. Let it through (e.g. chmod o+x "
        "/var/backups) or set archive.dir to another path");
}

TEST_CASE("archive_dir apply: other failures carry the command's message", "[archive_dir]") {
  ApplyFixture f;
  f.pg1.OnCommand("mkdir -p",
                  FakeTransport::Exit(3, "not-writable: owner barman:barman, mode 700"));
  Status unwritable = ArchiveDirResource().Apply(f.change, f.context);
  REQUIRE_FALSE(unwritable.ok());
  CHECK(unwritable.message().find("user postgres cannot write to it (owner barman:barman, mode "
                                  "700)") != std::string::npos);

  ApplyFixture g;
  g.pg1.OnCommand("mkdir -p", FakeTransport::Exit(1, "chown: invalid user: 'nobody2:'\n"));
  Status bad_owner = ArchiveDirResource().Apply(g.change, g.context);
  REQUIRE_FALSE(bad_owner.ok());
  CHECK(bad_owner.message() ==
        "pg1 (198.18.0.11): /var/backups/pgsql/archive could not be set "
        "up (exit 1): chown: invalid user: 'nobody2:'");
}

TEST_CASE("archive_dir: real facts of a host without the directory", "[archive_dir]") {
  HostFacts facts = GatheredFacts("gather/pg15_debian_running.txt");
  HostFacts standby;
  Manifest manifest = PairManifest();
  PlanInput input;
  input.manifest = &manifest;
  input.primary = &facts;
  input.standby = &standby;
  Plan plan;
  ArchiveDirResource().Diff(input, &plan);
  REQUIRE(plan.changes.size() == 1);
  CHECK(plan.changes[0].action == Action::kCreate);
}

}  // namespace
}  // namespace pgpair
