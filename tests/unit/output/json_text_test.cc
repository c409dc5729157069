#include "engine/output/json_text.h"

#include <catch2/catch.hpp>

#include "engine/facts/facts_json.h"
#include "engine/facts/interpret.h"
#include "engine/util/utf8.h"
#include "tests/unit/fixture_file.h"

namespace pgpair {
namespace {

using nlohmann::json;

const char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

TEST_CASE("ToJsonText replaces bytes that are not UTF-8 and keeps the rest", "[json_text]") {
  struct Case {
    const char* proves;
    std::string value;
    std::string shown;
  };
  const Case cases[] = {
      {"UTF-8 passes as written, not as \\u escapes", "caf\xC3\xA9", "caf\xC3\xA9"},
      {"a Latin-1 byte becomes U+FFFD", "jos\xE9", std::string("jos") + kReplacement},
      {"a sequence cut short becomes U+FFFD", "a\xE2\x82", std::string("a") + kReplacement},
      {"an overlong form is not UTF-8", "\xC0\xAF", std::string(kReplacement) + kReplacement},
      {"control characters are escaped by JSON itself", std::string("a\0b", 3), "a\\u0000b"},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    const std::string text = ToJsonText(json{{"v", c.value}}, -1);
    CHECK(text == "{\"v\":\"" + c.shown + "\"}");
    CHECK_FALSE(FirstInvalidUtf8(text).has_value());
  }
}

// The path `pgpair facts --json` takes, from a host whose pg_hba.conf holds
// a Latin-1 user name: it aborted with nlohmann's type_error.316 (issue 9).
TEST_CASE("facts JSON of a pg_hba.conf with a Latin-1 name is valid UTF-8", "[json_text]") {
  Result<GatherSections> sections =
      ParseGatherOutput(testing::ReadFixture("gather/pg15_debian_running.txt"), "@@pgpair-fixture");
  REQUIRE(sections.ok());
  auto hba = sections->find("file /etc/postgresql/15/main/pg_hba.conf");
  REQUIRE(hba != sections->end());
  hba->second.out += "host    all             jos\xE9            10.0.0.7/32    scram-sha-256\n";
  GatherRequest request;
  request.replication_role = "replicator";
  HostFacts host;
  host.name = "pg1";
  host.address = "198.18.0.11";
  InterpretGather(*sections, request, &host);
  PairFacts facts;
  facts.pair = "sandbox";
  facts.hosts.push_back(host);

  const std::string text = ToJsonText(FactsToJson(facts));
  CHECK_FALSE(FirstInvalidUtf8(text).has_value());
  json parsed = json::parse(text);  // throws, failing the test, if not JSON
  const json& lines = parsed["hosts"][0]["hba"]["lines"];
  REQUIRE(lines.is_array());
  REQUIRE_FALSE(lines.empty());
  const json& last = lines.back();
  CHECK(last["users"] == json::array({std::string("jos") + kReplacement}));
  CHECK(last["address"] == "10.0.0.7/32");
}

}  // namespace
}  // namespace pgpair
