#ifndef PGPAIR_TESTS_UNIT_FACTS_EMBEDDED_PROGRAM_H_
#define PGPAIR_TESTS_UNIT_FACTS_EMBEDDED_PROGRAM_H_

// A program that engine/facts/gather.sh keeps in a shell variable
// (NAME='...', an awk program with no single quote in it), taken out of
// the compiled-in script so that a test runs exactly what the hosts run.

#include <catch2/catch.hpp>
#include <string>

#include "engine/facts/gather.sh.inc"

namespace pgpair::testing {

inline std::string GatherScriptProgram(const std::string& variable) {
  const std::string script = kGatherScript;
  const std::string start = variable + "='";
  size_t begin = script.find(start);
  REQUIRE(begin != std::string::npos);
  begin += start.size();
  size_t end = script.find('\'', begin);
  REQUIRE(end != std::string::npos);
  return script.substr(begin, end - begin);
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_FACTS_EMBEDDED_PROGRAM_H_
