#include "engine/util/text.h"

#include <catch2/catch.hpp>

namespace pgpair {
namespace {

TEST_CASE("Trim drops blanks at both ends only", "[text]") {
  CHECK(Trim("  a b \t\r\n") == "a b");
  CHECK(Trim("\n\n") == "");
  CHECK(Trim("") == "");
  CHECK(Trim("x") == "x");
}

TEST_CASE("Lowercase folds ASCII letters only, as PostgreSQL folds names", "[text]") {
  CHECK(Lowercase("DateStyle") == "datestyle");
  CHECK(Lowercase("\xc3\x89t\xc3\xa9") == "\xc3\x89t\xc3\xa9");  // UTF-8 bytes are kept
  CHECK(EqualsIgnoringCase("TimeZone", "timezone"));
  CHECK_FALSE(EqualsIgnoringCase("port", "ports"));
}

TEST_CASE("Octal modes are read and written in one form", "[text]") {
  CHECK(ParseOctalMode("700") == 0700);
  CHECK(ParseOctalMode("0700") == 0700);
  CHECK(ParseOctalMode("2775") == 02775);
  CHECK(ParseOctalMode("00700") == 0700);
  CHECK(ParseOctalMode("0o750") == 0750);  // YAML 1.2's spelling
  CHECK_FALSE(ParseOctalMode("").has_value());
  CHECK_FALSE(ParseOctalMode("0800").has_value());
  CHECK_FALSE(ParseOctalMode("rwx").has_value());
  CHECK_FALSE(ParseOctalMode("77777").has_value());
  CHECK(FormatOctalMode(0700) == "0700");
  CHECK(FormatOctalMode(02770) == "2770");
  CHECK(FormatOctalMode(0100600) == "0600");  // st_mode: the file type is left out
}

}  // namespace
}  // namespace pgpair
