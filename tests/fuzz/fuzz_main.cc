// The libFuzzer entry point of one target of fuzz_targets.h, chosen when it
// is compiled (PGPAIR_FUZZ_TARGET, see tests/fuzz/CMakeLists.txt). A broken
// promise is a finding: it aborts, so libFuzzer keeps the input.

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const pgpair::fuzzing::FuzzTarget* target =
      pgpair::fuzzing::FindFuzzTarget(PGPAIR_FUZZ_TARGET);
  if (target == nullptr) {
    std::fprintf(stderr, "no fuzz target named %s\n", PGPAIR_FUZZ_TARGET);
    std::abort();
  }
  std::string problem = target->run(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!problem.empty()) {
    std::fprintf(stderr, "fuzz target %s: %s\n", target->name, problem.c_str());
    std::abort();
  }
  return 0;
}
