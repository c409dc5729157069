// --shard K/N (engine/cli/shard.h): a pair lands in exactly one shard, by its
// name alone, and many names spread about evenly.

#include "engine/cli/shard.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

namespace pgpair {
namespace {

TEST_CASE("FNV-1a 64 matches the published test vectors", "[shard]") {
  // From the FNV reference (Noll): the empty string is the offset basis.
  CHECK(Fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(Fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(Fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("a shard is K/N with 1 <= K <= N only", "[shard]") {
  Result<Shard> shard = ParseShard("2/4");
  REQUIRE(shard.ok());
  CHECK(shard->index == 2);
  CHECK(shard->count == 4);
  CHECK(ParseShard("1/1").ok());
  for (const char* bad :
       {"0/4", "5/4", "4", "/4", "2/", "2/0", "a/b", "-1/4", "2/4x", " 2/4", ""}) {
    INFO(bad);
    Result<Shard> refused = ParseShard(bad);
    REQUIRE(!refused.ok());
    CHECK_THAT(refused.status().message(), Catch::Contains(std::string("--shard ") + bad));
  }
}

std::vector<std::string> Names(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back("db-" + std::to_string(i) + ".eu-west");
  return names;
}

TEST_CASE("every pair lands in exactly one shard, whatever the number of shards", "[shard]") {
  for (uint64_t count : {1, 2, 3, 7, 16}) {
    for (const std::string& name : Names(500)) {
      int shards = 0;
      for (uint64_t k = 1; k <= count; ++k) shards += InShard(name, Shard{k, count}) ? 1 : 0;
      INFO(name << " over " << count);
      CHECK(shards == 1);
    }
  }
}

TEST_CASE("a pair's shard depends on its name only, not on the order of the others", "[shard]") {
  std::vector<std::string> names = Names(200);
  auto assign = [](const std::vector<std::string>& list) {
    std::map<std::string, uint64_t> shard_of;
    for (const std::string& name : list) {
      for (uint64_t k = 1; k <= 5; ++k) {
        if (InShard(name, Shard{k, 5})) shard_of[name] = k;
      }
    }
    return shard_of;
  };
  std::vector<std::string> reversed(names.rbegin(), names.rend());
  CHECK(assign(names) == assign(reversed));
  // A fixed value (computed apart, in Python), so that a change of the
  // hash, which would move pairs between machines, fails here.
  CHECK(Fnv1a64("pg-sandbox") == 0xb5f4013369539022ULL);
}

TEST_CASE("10000 names spread within 10% of even over 8 shards", "[shard]") {
  std::vector<int> sizes(8, 0);
  for (const std::string& name : Names(10000)) {
    for (uint64_t k = 1; k <= 8; ++k) {
      if (InShard(name, Shard{k, 8})) ++sizes[k - 1];
    }
  }
  for (int size : sizes) {
    CHECK(size > 1125);
    CHECK(size < 1375);
  }
}

}  // namespace
}  // namespace pgpair
