#include "engine/facts/parsers/os_release.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace pgpair {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/os_release/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("ParseOsRelease reads Debian 12's file", "[os_release]") {
  auto os = ParseOsRelease(ReadFixture("debian12.txt"));
  REQUIRE(os.ok());
  // The three fields the engine uses.
  CHECK(os->pretty_name == "Debian GNU/Linux 12 (bookworm)");
  CHECK(os->id == "debian");
  CHECK(os->version_id == "12");
  // Every line is in the map, quotes removed.
  CHECK(os->fields.size() == 9);
  CHECK(os->fields.at("VERSION_CODENAME") == "bookworm");
  CHECK(os->fields.at("HOME_URL") == "https://www.debian.org/");
}

TEST_CASE("ParseOsRelease follows os-release(5) quoting", "[os_release]") {
  auto os = ParseOsRelease(ReadFixture("quoting.txt"));
  REQUIRE(os.ok());
  // Single quotes.
  CHECK(os->fields.at("NAME") == "Example Linux");
  // Escapes inside double quotes.
  CHECK(os->pretty_name == R"(Example "Quoted" Linux $5 \ edition)");
  // Bare values.
  CHECK(os->id == "example");
  CHECK(os->version_id == "24.04");
  CHECK(os->fields.at("ID_LIKE") == "debian ubuntu");
  // A non-assignment and an unclosed quote are skipped, not guessed.
  CHECK(os->fields.count("BROKEN") == 0);
  CHECK(os->fields.size() == 5);
}

TEST_CASE("ParseOsRelease on sparse input", "[os_release]") {
  // A file without PRETTY_NAME leaves it unknown.
  auto minimal = ParseOsRelease("ID=alpine\n");
  REQUIRE(minimal.ok());
  CHECK(minimal->id == "alpine");
  CHECK_FALSE(minimal->pretty_name.has_value());
  CHECK_FALSE(minimal->version_id.has_value());
  // No assignment at all is an error: that is not an os-release.
  CHECK_FALSE(ParseOsRelease("").ok());
  CHECK_FALSE(ParseOsRelease("# only a comment\n").ok());
}

}  // namespace
}  // namespace pgpair
