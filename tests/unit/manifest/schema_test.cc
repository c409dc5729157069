#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/manifest/manifest_keys.h"

namespace pgpair {
namespace {

using nlohmann::json;

json LoadSchema() {
  std::ifstream in(PGPAIR_SOURCE_DIR "/schemas/manifest.schema.json");
  REQUIRE(in);
  return json::parse(in);
}

// Where each block of the parser is described in the schema.
json::json_pointer SchemaLocation(ManifestBlock block) {
  switch (block) {
    case ManifestBlock::kTop:
      return json::json_pointer("");
    case ManifestBlock::kHost:
      return json::json_pointer("/$defs/host");
    case ManifestBlock::kSsh:
      return json::json_pointer("/$defs/ssh");
    case ManifestBlock::kPostgres:
      return json::json_pointer("/$defs/postgres");
    case ManifestBlock::kReplication:
      return json::json_pointer("/$defs/replication");
    case ManifestBlock::kSecret:
      return json::json_pointer("/$defs/secret");
    case ManifestBlock::kArchive:
      return json::json_pointer("/$defs/archive");
    case ManifestBlock::kHba:
      return json::json_pointer("/$defs/hba");
    case ManifestBlock::kSettings:
      return json::json_pointer("/$defs/settings");
  }
  return json::json_pointer("");
}

std::vector<std::string> Sorted(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  return words;
}

TEST_CASE("the schema lists exactly the keys the parser accepts", "[manifest][schema]") {
  json schema = LoadSchema();
  for (ManifestBlock block : AllManifestBlocks()) {
    INFO(ManifestBlockName(block));
    const json& object = schema.at(SchemaLocation(block));
    std::vector<std::string> properties;
    for (const auto& [name, value] : object.at("properties").items()) properties.push_back(name);
    CHECK(Sorted(properties) == Sorted(ManifestKeys(block)));
    // The parser refuses unknown keys; an editor should too.
    CHECK(object.at("additionalProperties") == false);
    std::vector<std::string> required = object.value("required", std::vector<std::string>{});
    CHECK(Sorted(required) == Sorted(RequiredManifestKeys(block)));
  }
}

TEST_CASE("the schema is draft 2020-12 and every object in it is closed", "[manifest][schema]") {
  json schema = LoadSchema();
  CHECK(schema.at("$schema") == "https://json-schema.org/draft/2020-12/schema");
  // A closed object everywhere the user picks no names: a new $defs entry
  // with properties but no additionalProperties would let typos through.
  for (const auto& [name, definition] : schema.at("$defs").items()) {
    if (definition.contains("properties")) {
      INFO(name);
      CHECK(definition.at("additionalProperties") == false);
    }
  }
}

}  // namespace
}  // namespace pgpair
