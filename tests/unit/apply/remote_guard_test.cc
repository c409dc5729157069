#include "engine/apply/remote_guard.h"

#include <catch2/catch.hpp>

#include "engine/util/shell_quote.h"

namespace pgpair {
namespace {

TEST_CASE("a guarded command runs the guard script with the lease pid and the command, quoted",
          "[apply][guard]") {
  const std::string command = "echo 'it''s' \"$HOME\"; pg_basebackup -D /var/lib/x";
  std::string guarded = GuardedCommand(command, 31337);
  CHECK_THAT(guarded, Catch::StartsWith("/bin/sh -c '"));
  // $0, the lease's pid, then the command as one word.
  CHECK_THAT(guarded, Catch::EndsWith("' pgpair-remote-guard 31337 " + ShellQuote(command)));
  // The script itself: it watches the lease by its marker and stops the
  // command's whole session.
  CHECK_THAT(guarded, Catch::Contains("grep -qx pgpair-apply-lease"));
  CHECK_THAT(guarded, Catch::Contains("setsid /bin/sh -c \"$command\""));
  CHECK_THAT(guarded, Catch::Contains("kill -KILL"));
  CHECK_THAT(guarded, Catch::Contains("exit 125"));
  CHECK(kGuardStoppedExitStatus == 125);
}

TEST_CASE("without a lease pid the command runs as it is", "[apply][guard]") {
  CHECK(GuardedCommand("pg_basebackup -D /x", std::nullopt) == "pg_basebackup -D /x");
}

}  // namespace
}  // namespace pgpair
