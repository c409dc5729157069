#ifndef PGPAIR_TESTS_UNIT_GATHERED_FACTS_H_
#define PGPAIR_TESTS_UNIT_GATHERED_FACTS_H_

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>

#include "engine/facts/interpret.h"
#include "tests/unit/fixture_file.h"

namespace pgpair::testing {

// Facts as pgpair reads them from a real host: one of the captured gather
// outputs of tests/fixtures/gather/ (Debian 12, PostgreSQL 15.18, fresh
// 15/main), asked for the sandbox's replication role and archive directory.
// `files` replaces the named files' sections ("/etc/postgresql/15/main/
// pg_hba.conf" -> its text; empty: cat failed with "Permission denied"), so
// that a test states a file as it would be on disk and gets facts the way
// the real parser and interpreter make them, never in a shape they cannot
// produce.
inline HostFacts GatheredFacts(
    const std::string& fixture, const std::string& name = "pg1",
    const std::string& address = "198.18.0.11",
    const std::map<std::string, std::optional<std::string>>& files = {}) {
  Result<GatherSections> sections = ParseGatherOutput(ReadFixture(fixture), "@@pgpair-fixture");
  REQUIRE(sections.ok());
  for (const auto& [path, text] : files) {
    GatherSection& file = (*sections)["file " + path];
    file.out = text.value_or("");
    file.err = text ? "" : "cat: " + path + ": Permission denied\n";
    file.exit_status = text ? 0 : 1;
  }
  GatherRequest request;
  request.replication_role = "replicator";
  request.archive_dir = "/var/backups/pgsql/archive";
  HostFacts facts;
  facts.name = name;
  facts.address = address;
  InterpretGather(*sections, request, &facts);
  return facts;
}

// The pg_hba.conf of the captured Debian 15/main cluster.
constexpr char kDebianHbaFile[] = "/etc/postgresql/15/main/pg_hba.conf";

// Facts of the captured Debian primary with `hba_text` as its pg_hba.conf:
// stopped (no pg_hba_file_rules, ssl unknown) or running (ssl off, and
// pg_hba_file_rules of Debian's own file, which report no error).
inline HostFacts DebianWithHba(const std::optional<std::string>& hba_text, bool running = false) {
  return GatheredFacts(
      running ? "gather/pg15_debian_running.txt" : "gather/pg15_debian_stopped.txt", "pg1",
      "198.18.0.11", {{kDebianHbaFile, hba_text}});
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_GATHERED_FACTS_H_
