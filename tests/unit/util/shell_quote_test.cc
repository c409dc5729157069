#include "engine/util/shell_quote.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "tests/unit/fakes/local_shell.h"
#include "tests/unit/fakes/script_call.h"

namespace pgpair {
namespace {

TEST_CASE("ShellQuote leaves plain words bare and quotes everything else", "[shell_quote]") {
  // A path or option is readable in logs as it is.
  CHECK(ShellQuote("/var/lib/postgresql/15/main") == "/var/lib/postgresql/15/main");
  // The empty string must still be one word.
  CHECK(ShellQuote("") == "''");
  // Spaces, globs and variables are inert inside single quotes.
  CHECK(ShellQuote("a b*$HOME") == "'a b*$HOME'");
  // A single quote closes, escapes and reopens.
  CHECK(ShellQuote("it's") == "'it'\\''s'");
  // Command substitution and separators are not interpreted.
  CHECK(ShellQuote("$(reboot); rm -rf /") == "'$(reboot); rm -rf /'");
}

const std::vector<std::string> kAwkwardArgs = {
    "plain", "", "two words", "it's", "$(touch pwned)", "`id`", "line\nbreak", "-n", "*", "\\"};

TEST_CASE("ScriptCommand hands every argument to the script as it is", "[shell_quote]") {
  char pattern[] = "/tmp/pgpair-script-command-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  const std::string scratch = pattern;
  LocalShellTransport shell(scratch);
  // The script prints $0 and each argument between brackets.
  const std::string script = "printf '[%s]' \"$0\" \"$@\"\n";
  Result<ExecResult> run =
      shell.Exec(ScriptCommand(script, "pgpair-test", kAwkwardArgs), "", std::chrono::seconds(5));
  REQUIRE(run.ok());
  CHECK(run->exit_status == 0);
  CHECK(run->stdout_text ==
        "[pgpair-test][plain][][two words][it's][$(touch pwned)][`id`][line\nbreak][-n][*][\\]");
  // Nothing in an argument was run.
  CHECK(access((scratch + "/pwned").c_str(), F_OK) != 0);
  CHECK(access("pwned", F_OK) != 0);
  std::system(("rm -rf '" + scratch + "'").c_str());
}

TEST_CASE("ScriptCommand's shape: /bin/sh -c, the script, its name, the arguments",
          "[shell_quote]") {
  const std::string command = ScriptCommand("echo \"$1\"\n", "pgpair-echo", {"/var/lib/x", "a b"});
  CHECK(command == "/bin/sh -c 'echo \"$1\"\n' pgpair-echo /var/lib/x 'a b'");
  // The tests' reader gives back what went in.
  std::optional<ScriptCall> call =
      ParseScriptCommand(ScriptCommand("it's a script\n", "pgpair-x", kAwkwardArgs));
  REQUIRE(call.has_value());
  CHECK(call->script == "it's a script\n");
  CHECK(call->name == "pgpair-x");
  CHECK(call->args == kAwkwardArgs);
  CHECK_FALSE(ParseScriptCommand("cd / && runuser -u postgres -- psql").has_value());
}

}  // namespace
}  // namespace pgpair
