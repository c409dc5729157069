#include "engine/facts/parsers/pg_lsclusters.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace pgpair {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/pg_lsclusters/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("ParsePgLsclusters reads real output with and without header", "[pg_lsclusters]") {
  struct Case {
    const char* stem;
    size_t count;
    const char* last_status;
    bool last_online;
    bool last_recovery;
  };
  const Case cases[] = {
      // Two clusters, both down.
      {"two_down", 2, "down", false, false},
      // The second one started.
      {"one_online", 2, "online", true, false},
      // A standby that did not start still says recovery.
      {"standby_down_recovery", 3, "down,recovery", false, true},
      // A running standby.
      {"standby_online_recovery", 3, "online,recovery", true, true},
  };
  for (const Case& c : cases) {
    for (const char* form : {"_noheader.txt", "_headed.txt"}) {
      std::string file = std::string(c.stem) + form;
      INFO(file);
      auto clusters = ParsePgLsclusters(ReadFixture(file));
      REQUIRE(clusters.ok());
      REQUIRE(clusters->size() == c.count);
      const LsCluster& main = clusters->front();
      CHECK(main.version == "15");
      CHECK(main.cluster == "main");
      CHECK(main.port == 5432);
      CHECK(main.status == "down");
      CHECK(main.owner == "postgres");
      CHECK(main.data_directory == "/var/lib/postgresql/15/main");
      CHECK(main.log_file == "/var/log/postgresql/postgresql-15-main.log");
      const LsCluster& last = clusters->back();
      CHECK(last.status == c.last_status);
      CHECK(last.online == c.last_online);
      CHECK(last.in_recovery == c.last_recovery);
      CHECK(last.data_directory == "/var/lib/postgresql/15/" + last.cluster);
    }
  }
}

TEST_CASE("ParsePgLsclusters handles what the real output can also hold", "[pg_lsclusters]") {
  // With the header, a data directory with a space keeps it.
  auto spaced = ParsePgLsclusters(
      "Ver Cluster Port Status Owner    Data directory      Log file\n"
      "15  main    5432 online postgres /srv/pg data/main   syslog\n");
  REQUIRE(spaced.ok());
  CHECK((*spaced)[0].data_directory == "/srv/pg data/main");
  CHECK((*spaced)[0].log_file == "syslog");
  // Without it, that line cannot be split and says so.
  CHECK_FALSE(ParsePgLsclusters("15 main 5432 online postgres /srv/pg data/main syslog\n").ok());
  // "<unknown>" is unknown, not a value.
  auto unknown =
      ParsePgLsclusters("9.6 old <unknown> down,binaries_missing <unknown> <unknown> <unknown>\n");
  REQUIRE(unknown.ok());
  CHECK((*unknown)[0].version == "9.6");
  CHECK_FALSE((*unknown)[0].port.has_value());
  CHECK_FALSE((*unknown)[0].owner.has_value());
  CHECK_FALSE((*unknown)[0].data_directory.has_value());
  CHECK_FALSE((*unknown)[0].log_file.has_value());
  CHECK((*unknown)[0].status == "down,binaries_missing");
  CHECK_FALSE((*unknown)[0].in_recovery);
  // Colour codes (pg_lsclusters on a terminal) are ignored.
  auto coloured = ParsePgLsclusters(
      "\033[32m15 main 5432 online postgres /var/lib/postgresql/15/main /var/log/x.log\033[0m\n");
  REQUIRE(coloured.ok());
  CHECK((*coloured)[0].version == "15");
  CHECK((*coloured)[0].log_file == "/var/log/x.log");
  // No clusters is an empty list, with or without the header.
  CHECK(ParsePgLsclusters("")->empty());
  CHECK(ParsePgLsclusters("Ver Cluster Port Status Owner Data directory Log file\n")->empty());
  // A port that is not a number.
  CHECK_FALSE(ParsePgLsclusters("15 main 54x2 online postgres /d /l\n").ok());
  // Too few columns.
  CHECK_FALSE(ParsePgLsclusters("15 main 5432\n").ok());
}

}  // namespace
}  // namespace pgpair
