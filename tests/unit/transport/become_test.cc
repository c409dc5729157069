#include "engine/transport/become.h"

#include <catch2/catch.hpp>

namespace pgpair {
namespace {

const std::string kLabel = "pg1 (198.18.0.11)";

TEST_CASE("BecomeCommand wraps only a non-root login with become: sudo", "[become]") {
  const std::string command = "cat /etc/postgresql/15/main/pg_hba.conf | grep -v '^#'";
  // The whole command, pipe and quotes included, becomes one argument of sh -c.
  CHECK(BecomeCommand(command, Become::kSudo, "deploy") ==
        "sudo -n -- /bin/sh -c 'cat /etc/postgresql/15/main/pg_hba.conf | grep -v '\\''^#'\\'''");
  // root needs no sudo, whatever the manifest says.
  CHECK(BecomeCommand(command, Become::kSudo, "root") == command);
  // Without become, the command runs as the login user.
  CHECK(BecomeCommand(command, Become::kNone, "deploy") == command);
}

TEST_CASE("CheckSudoRefusal explains what sudo refused", "[become]") {
  struct Case {
    const char* proves;
    ExecResult result;
    const char* expected;  // a part of the message; empty: no error
  };
  const Case cases[] = {
      {"sudo -n wanting a password is the documented message",
       {1, "", "sudo: a password is required\n"},
       "pg1 (198.18.0.11): sudo needs a password for user deploy; pgpair needs passwordless "
       "sudo (NOPASSWD) or an ssh login as root"},
      {"a user sudo does not allow at all",
       {1, "", "Sorry, user deploy is not allowed to execute '/bin/sh -c id' as root on pg1.\n"},
       "sudo refuses user deploy"},
      {"sudo missing from the host",
       {127, "", "/bin/sh: 1: sudo: not found\n"},
       "sudo is not installed"},
      {"the command's own failure is no sudo refusal", {1, "", "grep: no match\n"}, ""},
      {"a command printing the phrase but exiting 0 ran fine",
       {0, "sudo: a password is required", ""},
       ""},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    Status status = CheckSudoRefusal(c.result, Become::kSudo, "deploy", kLabel);
    if (std::string(c.expected).empty()) {
      CHECK(status.ok());
    } else {
      REQUIRE_FALSE(status.ok());
      CHECK_THAT(status.message(), Catch::Contains(c.expected));
    }
  }
  // Without sudo in the way, the text means nothing.
  ExecResult password{1, "", "sudo: a password is required\n"};
  CHECK(CheckSudoRefusal(password, Become::kSudo, "root", kLabel).ok());
}

}  // namespace
}  // namespace pgpair
