#ifndef PGPAIR_TESTS_UNIT_GATHERED_FACTS_H_
#define PGPAIR_TESTS_UNIT_GATHERED_FACTS_H_

#include <catch2/catch.hpp>
#include <string>

#include "engine/facts/interpret.h"
#include "tests/unit/fixture_file.h"

namespace pgpair::testing {

// Facts as pgpair reads them from a real host: one of the captured gather
// outputs of tests/fixtures/gather/ (Debian 12, PostgreSQL 15.18, fresh
// 15/main), asked for the sandbox's replication role and archive directory.
inline HostFacts GatheredFacts(const std::string& fixture, const std::string& name = "pg1",
                               const std::string& address = "198.18.0.11") {
  Result<GatherSections> sections = ParseGatherOutput(ReadFixture(fixture), "@@pgpair-fixture");
  REQUIRE(sections.ok());
  GatherRequest request;
  request.replication_role = "replicator";
  request.archive_dir = "/var/backups/pgsql/archive";
  HostFacts facts;
  facts.name = name;
  facts.address = address;
  InterpretGather(*sections, request, &facts);
  return facts;
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_GATHERED_FACTS_H_
