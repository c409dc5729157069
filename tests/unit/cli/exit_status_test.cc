// pgpair's exit statuses are 0, 1 and 2 only (engine/cli/cli.h): CLI11's own
// codes (105 for a file that is not there, 109 for an unknown option) are not
// let through. Only command lines that fail before any host is contacted.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/cli/cli_run.h"

namespace pgpair {
namespace {

using Run = testing::CliRun;

Run Cli(std::vector<std::string> args) { return testing::RunPgpair(std::move(args)); }

TEST_CASE("every error exits 1, with the reason on stderr", "[cli]") {
  struct Case {
    const char* proves;
    std::vector<std::string> args;
    std::string err;
  };
  const Case cases[] = {
      {"a manifest that is not there (CLI11 said 105)",
       {"plan", "/nonexistent"},
       "/nonexistent: cannot read the manifest: No such file or directory\n"},
      {"a directory as the manifest (CLI11 said 105)",
       {"facts", "/"},
       "/: cannot read the manifest: it is a directory\n"},
      {"a directory of no manifest, for the commands that read directories",
       {"check", "/"},
       "pgpair: /: no manifest in the directory (pgpair reads its *.yaml and *.yml files, not "
       "its subdirectories)\n"},
      {"a shard that is not K/N",
       {"check", "--shard", "5/4", "x.yaml"},
       "pgpair: --shard 5/4: expected K/N with 1 <= K <= N (e.g. 2/4: the second of four "
       "shares)\n"},
      {"the same for facts",
       {"facts", "/nonexistent"},
       "/nonexistent: cannot read the manifest: No such file or directory\n"},
      {"an unknown option (CLI11 said 109)",
       {"plan", "--bogus", "x.yaml"},
       "The following argument was not expected: --bogus\nRun with --help for more "
       "information.\n"},
      {"no command", {}, "A subcommand is required\nRun with --help for more information.\n"},
      {"an unknown command",
       {"deploy", "x.yaml"},
       "A subcommand is required\nRun with --help for more information.\n"},
      {"no manifest", {"plan"}, "manifest is required\nRun with --help for more information.\n"},
      {"a bad option value",
       {"--log-level", "loud", "plan", "x.yaml"},
       "--log-level: loud not in {trace,debug,info,warn,error,off}\nRun with --help for more "
       "information.\n"},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    Run run = Cli(c.args);
    CHECK(run.status == kExitError);
    CHECK(run.err == c.err);
  }
}

TEST_CASE("pgpair --help and --version exit 0, and the help states the exit statuses", "[cli]") {
  Run help = Cli({"--help"});
  CHECK(help.status == kExitOk);
  CHECK_THAT(help.out, Catch::Contains("Exit status: 0 success") &&
                           Catch::Contains("1 any\nerror, a wrong command line") &&
                           Catch::Contains("No other status is used."));
  CHECK(Cli({"plan", "--help"}).status == kExitOk);
  Run version = Cli({"--version"});
  CHECK(version.status == kExitOk);
  CHECK(version.out == std::string("pgpair ") + PGPAIR_VERSION + "\n");
}

TEST_CASE("every command's --help ends with examples of it", "[cli]") {
  for (const char* command : {"facts", "plan", "show", "apply", "check", "verify"}) {
    Run help = Cli({command, "--help"});
    INFO(command << ":\n" << help.out);
    CHECK(help.status == kExitOk);
    CHECK_THAT(help.out, Catch::Contains("\nExamples:\n  pgpair " + std::string(command) + " "));
  }
}

TEST_CASE("pgpair --log-file is created closed to group and others, and logs the command line",
          "[cli]") {
  char dir_pattern[] = "/tmp/pgpair-log-XXXXXX";
  REQUIRE(mkdtemp(dir_pattern) != nullptr);
  const std::string log = std::string(dir_pattern) + "/pgpair.log";
  Run run = Cli({"-q", "--log-file", log, "show", "/nonexistent/plan.json"});
  CHECK(run.status == kExitError);
  struct stat info {};
  REQUIRE(stat(log.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  CHECK_THAT(text.str(),
             Catch::Contains("show /nonexistent/plan.json") && Catch::Contains("exit status 1"));
  CHECK(Cli({"--log-file", "/nonexistent/dir/pgpair.log", "show", "x"}).status == kExitError);
  std::remove(log.c_str());
  rmdir(dir_pattern);
}

}  // namespace
}  // namespace pgpair
