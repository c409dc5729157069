#include "engine/facts/parsers/pg_control_file.h"

#include <catch2/catch.hpp>

#include "engine/facts/parsers/pg_controldata.h"
#include "tests/unit/fixture_file.h"

namespace pgpair {
namespace {

std::string Fixture(const std::string& name) { return testing::ReadFixture("pg_control/" + name); }

TEST_CASE("ParsePgControlFile reads the leading fields of every layout", "[pg_control]") {
  struct Case {
    const char* file;
    const char* identifier;
    uint32_t version;
    const char* state;
  };
  const Case cases[] = {
      {"pg10_shut_down.txt", "7712401446212873168", 1002, "shut down"},
      {"pg12_in_production.txt", "7712401454351506416", 1201, "in production"},
      {"pg15_shut_down.txt", "7712401635325673025", 1300, "shut down"},
      {"pg18_shut_down.txt", "7712401462175452176", 1800, "shut down"},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    Result<ControlData> control = ParsePgControlFile(Fixture(c.file));
    REQUIRE(control.ok());
    CHECK(control->system_identifier == c.identifier);
    CHECK(control->pg_control_version == c.version);
    CHECK(control->cluster_state == c.state);
    // A fresh cluster is on its first timeline; 10's sits 8 bytes further
    // than the others' (prevCheckPoint), where they hold a zero or a one.
    CHECK(control->timeline_id == 1u);
  }
}

TEST_CASE("ParsePgControlFile agrees with pg_controldata on the same directory", "[pg_control]") {
  for (const char* major : {"15", "18"}) {
    INFO("PostgreSQL " << major);
    Result<ControlData> raw =
        ParsePgControlFile(Fixture(std::string("pg") + major + "_shut_down.txt"));
    Result<ControlData> tool =
        ParsePgControldata(Fixture(std::string("pg") + major + "_shut_down.pg_controldata.txt"));
    REQUIRE(raw.ok());
    REQUIRE(tool.ok());
    CHECK(raw->system_identifier == tool->system_identifier);
    CHECK(raw->pg_control_version == tool->pg_control_version);
    CHECK(raw->catalog_version == tool->catalog_version);
    CHECK(raw->cluster_state == tool->cluster_state);
    CHECK(raw->timeline_id == tool->timeline_id);
  }
}

TEST_CASE("ParsePgControlFile reads checkPoint from its third od line", "[pg_control]") {
  // The capture's checkPoint, bytes 32 to 39 (its words 6 and 7: 22021896
  // and 0), as `od -An -t u8 -j 32 -N 8` prints it on that x86_64 host.
  Result<ControlData> raw = ParsePgControlFile(Fixture("pg15_shut_down.txt") + "   22021896\n");
  Result<ControlData> tool = ParsePgControldata(Fixture("pg15_shut_down.pg_controldata.txt"));
  REQUIRE(raw.ok());
  REQUIRE(tool.ok());
  CHECK(raw->latest_checkpoint_location == "0/1500708");
  CHECK(raw->latest_checkpoint_location == tool->latest_checkpoint_location);
  // Above 4 GB of WAL: the high half goes before the slash.
  Result<ControlData> high = ParsePgControlFile(Fixture("pg15_shut_down.txt") + " 47244640296\n");
  REQUIRE(high.ok());
  CHECK(high->latest_checkpoint_location == "B/28");
  // Without the line (an older gather): unknown.
  CHECK_FALSE(ParsePgControlFile(Fixture("pg15_shut_down.txt"))->latest_checkpoint_location);
}

TEST_CASE("ParsePgControlFile refuses what it cannot read safely", "[pg_control]") {
  SECTION("a version outside 10..18 is not guessed at") {
    // 9.6's pg_control_version, with 9.6's field order.
    Result<ControlData> control =
        ParsePgControlFile("  6512345678901234567\n 960 201608131 1 0\n 0 0 0 0\n 0 0 0 0\n 1 1\n");
    REQUIRE_FALSE(control.ok());
    CHECK_THAT(control.status().message(), Catch::Contains("960"));
  }
  SECTION("a short file") {
    Result<ControlData> control = ParsePgControlFile("  6512345678901234567\n 1300 202209061 1\n");
    REQUIRE_FALSE(control.ok());
    CHECK_THAT(control.status().message(), Catch::Contains("shorter"));
  }
  SECTION("no identifier") {
    CHECK_FALSE(ParsePgControlFile("").ok());
    CHECK_FALSE(ParsePgControlFile("od: global/pg_control: No such file").ok());
  }
}

}  // namespace
}  // namespace pgpair
