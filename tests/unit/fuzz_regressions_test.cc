// The inputs the fuzzers found (tests/fixtures/fuzz-regressions/<target>/,
// each once a crash, a hang or a broken promise) and the hand-made seeds
// (tests/fuzz/seeds/<target>/), run through the same target code as the
// fuzzers. Under build-asan the sanitizers watch them too.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/fuzz_targets.h"

namespace pgpair::fuzzing {
namespace {

namespace fs = std::filesystem;

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Runs every file under `root`/<target>/; returns how many.
int RunAll(const fs::path& root) {
  int count = 0;
  for (const fs::directory_entry& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    const FuzzTarget* target = FindFuzzTarget(dir.path().filename().string());
    INFO(dir.path() << " is named after no fuzz target");
    REQUIRE(target != nullptr);
    for (const fs::directory_entry& file : fs::directory_iterator(dir.path())) {
      if (!file.is_regular_file() || file.path().filename() == "README.md") continue;
      INFO(file.path());
      CHECK(target->run(ReadBytes(file.path())) == "");
      ++count;
    }
  }
  return count;
}

TEST_CASE("the inputs the fuzzers found stay fixed", "[fuzz]") {
  CHECK(RunAll(PGPAIR_FIXTURES_DIR "/fuzz-regressions") > 0);
}

TEST_CASE("the fuzzers' hand-made seeds pass their targets", "[fuzz]") {
  CHECK(RunAll(PGPAIR_SOURCE_DIR "/tests/fuzz/seeds") > 0);
}

}  // namespace
}  // namespace pgpair::fuzzing
