#ifndef PGPAIR_TESTS_FUZZ_FUZZ_TARGETS_H_
#define PGPAIR_TESTS_FUZZ_FUZZ_TARGETS_H_

#include <string>
#include <string_view>
#include <vector>

namespace pgpair::fuzzing {

// One fuzz target: a parser (or editor) of text pgpair reads from people or
// hosts, run on any bytes. `run` returns "" or, when a promise of the code's
// contract does not hold for `data`, what broke; crashes, leaks, hangs and
// undefined behaviour are left to the sanitizers. The libFuzzer binaries
// (tests/fuzz/fuzz_main.cc, scripts/fuzz) and the unit test of the inputs
// they found (tests/fixtures/fuzz-regressions/<name>/) share these.
struct FuzzTarget {
  const char* name;
  std::string (*run)(std::string_view data);
};

// Every target, in the order scripts/fuzz runs them.
const std::vector<FuzzTarget>& FuzzTargets();

// The target named `name`, or null.
const FuzzTarget* FindFuzzTarget(std::string_view name);

}  // namespace pgpair::fuzzing

#endif  // PGPAIR_TESTS_FUZZ_FUZZ_TARGETS_H_
