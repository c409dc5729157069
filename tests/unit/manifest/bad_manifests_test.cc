// The corpus of bad manifests (tests/fixtures/manifests/bad/): each one,
// given to `pgpair plan`, ends with exit status 1 and exactly the message of
// its .expected file (FILE standing for its path, DIR for the corpus
// directory), before any host is contacted.

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/cli/cli.h"
#include "engine/cli/pair_commands.h"
#include "engine/manifest/yaml_reader.h"

namespace pgpair {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = PGPAIR_FIXTURES_DIR "/manifests/bad";

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

struct Outcome {
  int status = 0;
  int connects = 0;
  std::string errors;
};

// `pgpair plan PATH` with a connector that counts instead of connecting.
Outcome Plan(const std::string& path) {
  PairCommandOptions options;
  options.manifest_paths = {path};
  std::atomic<int> connects{0};
  Connectors connectors;
  connectors.connect = [&connects](const HostSpec& host) -> Result<std::unique_ptr<Transport>> {
    ++connects;
    return Status::Error(host.name + ": not contacted in unit tests");
  };
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  Outcome outcome;
  outcome.status = RunPlanCommand(options, connectors);
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  outcome.connects = connects;
  outcome.errors = err.str();
  return outcome;
}

// The environment the corpus is written for: one secret set, one not.
void SetSecretEnvironment() {
  setenv("PGPAIR_TEST_PASSWORD", "not-a-real-password", 1);
  unsetenv("PGPAIR_TEST_UNSET_PASSWORD");
  // git keeps modes only as 644 or 755, and a umask may make it 600.
  REQUIRE(chmod((kCorpus / "world-readable-password").c_str(), 0644) == 0);
}

TEST_CASE("every bad manifest of the corpus: its message, status 1, no host contacted",
          "[manifest][corpus]") {
  SetSecretEnvironment();
  int count = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(kCorpus)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    const std::string path = entry.path().string();
    fs::path expected_path = entry.path();
    expected_path.replace_extension(".expected");
    INFO(path);
    REQUIRE(fs::exists(expected_path));
    Outcome outcome = Plan(path);
    CHECK(outcome.status == kExitError);
    CHECK(outcome.connects == 0);
    CHECK(outcome.errors ==
          Replace(Replace(ReadText(expected_path), "FILE", path), "DIR", kCorpus.string()));
  }
  CHECK(count >= 40);
}

TEST_CASE("the corpus's good twin plans: the bad ones fail for their own reason",
          "[manifest][corpus]") {
  SetSecretEnvironment();
  Outcome outcome = Plan(PGPAIR_FIXTURES_DIR "/manifests/corpus_base.yaml");
  CHECK(outcome.errors == "");
  CHECK(outcome.connects == 2);
}

TEST_CASE("a manifest larger than the limit is refused unread, no host contacted",
          "[manifest][corpus]") {
  char dir[] = "/tmp/pgpair-corpus-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string path = std::string(dir) + "/huge.yaml";
  std::ofstream(path) << std::string(kMaxYamlBytes + 1, '#');
  Outcome outcome = Plan(path);
  CHECK(outcome.status == kExitError);
  CHECK(outcome.connects == 0);
  CHECK(outcome.errors == path +
                              ": cannot read the manifest: it is 262145 bytes long; a manifest "
                              "may hold at most 256 KiB\n");
  std::remove(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace pgpair
