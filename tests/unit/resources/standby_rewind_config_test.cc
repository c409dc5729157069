// The rewind step's script, run by the local shell on a scratch directory
// with stand-ins for pg_rewind and pg_controldata that do what the real ones
// do to the files.
//
// pg_rewind removes the files of the target's data directory that its
// source lacks: rewound from a primary in Debian's layout (no configuration
// in its data directory), a pg_ctl-layout server would lose its
// postgresql.conf and pg_hba.conf and never start. The step puts them back
// from what it kept first.
//
// The dry run fetches what the rewind would copy and takes as long: its
// progress must reach pgpair as it comes (only a silence ends the command),
// and its messages still decide whether a WAL segment comes back from the
// archive.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "resources/standby_rewind.h"
#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ReadFile;
using testing::WriteFile;

struct LocalRewind {
  std::string scratch;
  std::string data;
  std::string bin;
  StandbyRewindDetails rewind;

  // `source_files`: what the stand-in pg_rewind leaves of the
  // configuration: "none" (the source keeps its own elsewhere) or "own"
  // (the source's copies replace the target's). `dry_run`: the stand-in's
  // dry run, a shell script body with $target set.
  explicit LocalRewind(const std::string& source_files, const std::string& dry_run = "exit 0") {
    char pattern[] = "/tmp/pgpair-rewind-config-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    scratch = pattern;
    data = scratch + "/data dir";
    bin = scratch + "/bin";
    REQUIRE(mkdir(data.c_str(), 0700) == 0);
    REQUIRE(mkdir((data + "/pg_wal").c_str(), 0700) == 0);
    REQUIRE(mkdir(bin.c_str(), 0755) == 0);
    WriteFile(bin + "/pg_controldata", "#!/bin/sh\necho 'Database cluster state:   shut down'\n",
              0755);
    const std::string replace =
        source_files == "none"
            ? "rm -f \"$target/postgresql.conf\" \"$target/pg_hba.conf\" \"$target/pg_ident.conf\""
            : "echo source > \"$target/postgresql.conf\"";
    WriteFile(bin + "/pg_rewind",
              "#!/bin/sh\nfor a in \"$@\"; do case $a in --dry-run) dry=1 ;; "
              "--target-pgdata=*) target=${a#--target-pgdata=} ;; esac; done\n"
              "if [ -n \"$dry\" ]; then\n" +
                  dry_run + "\nfi\n" + replace + "\necho 'pg_rewind: Done!'\n",
              0755);
    WriteFile(data + "/postgresql.conf", "own conf\n", 0640);
    WriteFile(data + "/pg_hba.conf", "own hba\n", 0600);
    rewind.data_dir = data;
    rewind.keep = data + ".pgpair-20261202T010000Z";
    rewind.bin_dir = bin;
    rewind.major = 15;
    rewind.primary.host = "198.18.0.12";
    rewind.primary.port = 5432;
    rewind.primary.user = "replicator";
  }
  ~LocalRewind() { std::system(("rm -rf '" + scratch + "'").c_str()); }

  // `environment`: assignments put before the command ("PATH=... ").
  ExecResult Run(const std::string& environment = "") {
    LocalShellTransport shell(scratch);
    // As root, runuser to root: the script runs pg_rewind as the server's user.
    Result<ExecResult> run =
        shell.Exec(environment + RewindStepScript(rewind, "root", "rewind"), "*:*:*:*:pw\n", {});
    REQUIRE(run.ok());
    return *run;
  }
};

TEST_CASE("Configuration files pg_rewind removed are put back from what was kept",
          "[standby_rewind][carried_config]") {
  if (!testing::AsRoot("the script runs pg_rewind with runuser")) return;
  SECTION("a source without configuration files: the target's own come back") {
    LocalRewind f("none");
    ExecResult run = f.Run();
    INFO(run.stdout_text << run.stderr_text);
    REQUIRE(run.exit_status == 0);
    CHECK(ReadFile(f.data + "/postgresql.conf") == "own conf\n");
    CHECK(ReadFile(f.data + "/pg_hba.conf") == "own hba\n");
    struct stat info {};
    REQUIRE(stat((f.data + "/postgresql.conf").c_str(), &info) == 0);
    CHECK((info.st_mode & 07777) == 0640);
    // Kept first, and the rewind's mark stays until pgpair configured it.
    CHECK(ReadFile(f.rewind.keep + "/pg_hba.conf") == "own hba\n");
    CHECK(access((f.data + ".pgpair-rewinding").c_str(), F_OK) == 0);
  }
  SECTION("a source with its own: they stay, as pg_basebackup's would") {
    LocalRewind f("own");
    ExecResult run = f.Run();
    INFO(run.stdout_text << run.stderr_text);
    REQUIRE(run.exit_status == 0);
    CHECK(ReadFile(f.data + "/postgresql.conf") == "source\n");
    CHECK(ReadFile(f.data + "/pg_hba.conf") == "own hba\n");
  }
}

TEST_CASE("The dry run reports as it runs and brings archived WAL back", "[standby_rewind]") {
  if (!testing::AsRoot("the script runs pg_rewind with runuser")) return;
  const std::string segment = "000000010000000000000003";
  // A dry run that needs segment 3, which the former primary archived and
  // removed, and reports its copy otherwise.
  const std::string needs_segment =
      "if [ ! -f \"$target/pg_wal/" + segment +
      "\" ]; then\n"
      "  echo \"pg_rewind: error: could not open file \\\"$target/pg_wal/" +
      segment +
      "\\\": No such file or directory\" >&2; exit 1\n"
      "fi\n"
      "echo 'pg_rewind: need to copy 99 MB' >&2; echo '101376/101376 kB (100%) copied' >&2; exit 0";

  SECTION("its progress is on the command's output, the segment copied back") {
    LocalRewind f("own", needs_segment);
    f.rewind.archive_dir = f.scratch + "/archive";
    REQUIRE(mkdir(f.rewind.archive_dir.c_str(), 0700) == 0);
    WriteFile(f.rewind.archive_dir + "/" + segment, "wal\n", 0600);
    ExecResult run = f.Run();
    INFO(run.stdout_text << run.stderr_text);
    REQUIRE(run.exit_status == 0);
    CHECK(ReadFile(f.data + "/pg_wal/" + segment) == "wal\n");
    CHECK(run.stdout_text.find("kB (100%) copied") != std::string::npos);
    CHECK(run.stderr_text.find("could not open file") == std::string::npos);
  }
  SECTION("a dry run that fails for good: its messages, and nothing changed") {
    LocalRewind f("own", needs_segment);  // no archive
    ExecResult run = f.Run();
    INFO(run.stdout_text << run.stderr_text);
    CHECK(run.exit_status == 1);
    CHECK(run.stderr_text.find("pg_rewind's dry run failed, nothing was changed: pg_rewind: "
                               "error: could not open file") != std::string::npos);
    CHECK(access(f.rewind.keep.c_str(), F_OK) != 0);
    CHECK(access((f.data + ".pgpair-rewinding").c_str(), F_OK) != 0);
    CHECK(ReadFile(f.data + "/postgresql.conf") == "own conf\n");
  }
}

TEST_CASE("The WAL is kept as files when pg_wal links elsewhere, as initdb --waldir makes it",
          "[standby_rewind]") {
  if (!testing::AsRoot("the script runs pg_rewind with runuser")) return;
  // The stand-in pg_rewind replaces the WAL with the source's, as the real
  // one does: only a copy of the files keeps the transactions after the fork.
  LocalRewind f("own", "exit 0");
  const std::string wal = f.scratch + "/wal disk";
  REQUIRE(std::system(("rmdir '" + f.data + "/pg_wal' && mkdir '" + wal + "' && ln -s '" + wal +
                       "' '" + f.data + "/pg_wal'")
                          .c_str()) == 0);
  WriteFile(wal + "/000000010000000000000007", "after the fork\n");
  ExecResult run = f.Run();
  INFO(run.stdout_text << run.stderr_text);
  REQUIRE(run.exit_status == 0);
  struct stat info {};
  REQUIRE(lstat((f.rewind.keep + "/pg_wal").c_str(), &info) == 0);
  CHECK(S_ISDIR(info.st_mode));
  CHECK(ReadFile(f.rewind.keep + "/pg_wal/000000010000000000000007") == "after the fork\n");
}

TEST_CASE("A rewind whose WAL does not fit beside the data directory changes nothing",
          "[standby_rewind]") {
  if (!testing::AsRoot("the script runs pg_rewind with runuser")) return;
  LocalRewind f("own", "exit 0");
  WriteFile(f.data + "/pg_wal/000000010000000000000007", std::string(64 * 1024, 'w'));
  // df as it would answer on a filesystem with 10 MB left; du is the real one.
  REQUIRE(mkdir((f.scratch + "/fake-bin").c_str(), 0755) == 0);
  WriteFile(f.scratch + "/fake-bin/df",
            "#!/bin/sh\necho 'Filesystem 1024-blocks Used Available Capacity Mounted on'\n"
            "echo '/dev/vdb1 1000000 990000 10240 99% /srv'\n",
            0755);
  ExecResult run = f.Run("PATH='" + f.scratch + "/fake-bin':\"$PATH\" ");
  INFO(run.stdout_text << run.stderr_text);
  CHECK(run.exit_status == 0);  // 64 KiB of WAL fit in 10 MB
  std::system(("rm -rf '" + f.rewind.keep + "' '" + f.data + ".pgpair-rewinding'").c_str());

  // Now 11 MB and more of WAL (12 MB, rounded up), so that 10 MB is too little.
  REQUIRE(std::system(("dd if=/dev/zero of='" + f.data +
                       "/pg_wal/000000010000000000000008' bs=1M count=11 status=none")
                          .c_str()) == 0);
  WriteFile(f.data + "/postgresql.conf", "own conf\n", 0640);
  run = f.Run("PATH='" + f.scratch + "/fake-bin':\"$PATH\" ");
  INFO(run.stdout_text << run.stderr_text);
  CHECK(run.exit_status == 1);
  CHECK_THAT(run.stderr_text,
             Catch::Contains(f.scratch + " has 10 MB free, and the WAL of " + f.data +
                             " to keep first takes 12 MB; nothing was "
                             "changed"));
  CHECK(access(f.rewind.keep.c_str(), F_OK) != 0);
  CHECK(access((f.data + ".pgpair-rewinding").c_str(), F_OK) != 0);
  CHECK(ReadFile(f.data + "/postgresql.conf") == "own conf\n");
}

}  // namespace
}  // namespace pgpair
