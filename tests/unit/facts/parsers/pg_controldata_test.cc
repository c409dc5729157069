#include "engine/facts/parsers/pg_controldata.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace pgpair {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/pg_controldata/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("ParsePgControldata reads real PG 15 output in each state", "[pg_controldata]") {
  struct Case {
    const char* file;
    const char* state;
    const char* checkpoint;
  };
  const Case cases[] = {
      // A cluster before its first start.
      {"pg15_shut_down.txt", "shut down", "0/1500718"},
      // The same cluster running as a primary.
      {"pg15_in_production.txt", "in production", "0/1500718"},
      // A standby cloned from it, running.
      {"pg15_standby_in_archive_recovery.txt", "in archive recovery", "0/2000060"},
      // The standby stopped cleanly: what tells a stopped standby from a
      // stopped primary.
      {"pg15_standby_shut_down_in_recovery.txt", "shut down in recovery", "0/2000060"},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    auto data = ParsePgControldata(ReadFixture(c.file));
    REQUIRE(data.ok());
    CHECK(data->cluster_state == c.state);
    CHECK(data->latest_checkpoint_location == c.checkpoint);
    // A standby shares its primary's identifier: the pair check relies on it.
    CHECK(data->system_identifier == "7712357927408447292");
    CHECK(data->pg_control_version == 1300u);
    CHECK(data->catalog_version == 202209061u);
    CHECK(data->timeline_id == 1u);
    CHECK(data->wal_level == "replica");
    CHECK(data->data_checksum_version == 0u);
    // Every line lands in the map, colons in values included.
    CHECK(data->fields.size() == 50);  // the output has 50 lines
    CHECK(data->fields.at("Bytes per WAL segment") == "16777216");
    CHECK(data->fields.at("pg_control last modified").find(':') != std::string::npos);
  }
}

TEST_CASE("ParsePgControldata handles edge cases", "[pg_controldata]") {
  // The largest 64-bit identifier is kept exactly (it does not fit int64).
  auto big = ParsePgControldata("Database system identifier:           18446744073709551615\n");
  REQUIRE(big.ok());
  CHECK(big->system_identifier == "18446744073709551615");
  // Missing lines stay unknown rather than 0 or "".
  CHECK_FALSE(big->timeline_id.has_value());
  CHECK_FALSE(big->cluster_state.has_value());
  // A label without a space before the value (oldestCommitTsXid:0).
  auto tight = ParsePgControldata(
      "Latest checkpoint's oldestCommitTsXid:0\n"
      "Database cluster state: in production\n");
  REQUIRE(tight.ok());
  CHECK(tight->fields.at("Latest checkpoint's oldestCommitTsXid") == "0");
  // 9.4's spelling of the wal_level line.
  auto old = ParsePgControldata("Current wal_level setting:            hot_standby\n");
  REQUIRE(old.ok());
  CHECK(old->wal_level == "hot_standby");
  // Translated output (no LC_ALL=C) has none of the labels.
  auto german = ParsePgControldata("Datenbanksystemidentifikation:        7712357927408447292\n");
  REQUIRE_FALSE(german.ok());
  CHECK_THAT(german.status().message(), Catch::Contains("LC_ALL=C"));
  // A garbled number is an error, not a zero.
  CHECK_FALSE(ParsePgControldata("Latest checkpoint's TimeLineID:       x\n").ok());
  // An identifier past 64 bits is an error.
  CHECK_FALSE(ParsePgControldata("Database system identifier: 18446744073709551616\n").ok());
  // Nothing at all.
  CHECK_FALSE(ParsePgControldata("").ok());
}

}  // namespace
}  // namespace pgpair
