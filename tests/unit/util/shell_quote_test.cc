#include "engine/util/shell_quote.h"

#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace pgpair
