// schemas/manifest.schema.json and the parser agree on a corpus: every
// example and good fixture is accepted by both; every bad manifest of
// tests/fixtures/manifests/bad/ is refused by the parser and by the schema,
// except the ones listed below, which only the parser can refuse, each for
// the reason given. The schema is checked by a full validator
// (scripts/validate-json, Debian's python3-jsonschema), as editors use it.

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/manifest/manifest.h"
#include "engine/util/shell_quote.h"

namespace pgpair {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = PGPAIR_SOURCE_DIR;
const fs::path kFixtures = PGPAIR_FIXTURES_DIR "/manifests";

// What a JSON Schema cannot see, by bad manifest.
const std::map<std::string, std::string> kParserOnly = {
    {"address-bad-characters", "an address's grammar (host name labels) is the parser's"},
    {"address-bad-ipv4", "octet ranges are the parser's"},
    {"hba-address-bad-prefix", "prefix lengths by address family are the parser's"},
    {"password-env-unset", "the secret is read from the environment, outside the document"},
    {"password-file-missing", "the secret is read from a file, outside the document"},
    {"password-file-world-readable", "the secret file's mode is outside the document"},
    {"primary-is-standby", "a relation between two values"},
    {"primary-names-no-host", "a relation between two values"},
    {"same-host-twice", "a relation between two hosts' values"},
    {"standby-by-host-name", "a relation between the standby's address and hba"},
    {"setting-bad-unit", "PostgreSQL's settings and their units are the parser's table"},
    {"setting-not-a-boolean", "PostgreSQL's settings and their types are the parser's table"},
    {"setting-not-a-number", "PostgreSQL's settings and their types are the parser's table"},
    {"setting-unknown-typo", "PostgreSQL's setting names are the parser's table"},
    {"setting-twice", "setting names are compared without case, JSON Schema keys with it"},
    {"yaml-duplicate-key", "the schema sees the document once loaded, the duplicate gone"},
};

// Refused when the secret is resolved, after a successful parse.
const std::set<std::string> kRefusedAtSecret = {"password-env-unset", "password-file-missing",
                                                "password-file-world-readable"};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The files among `files` that the schema refuses, in one validator run.
std::set<std::string> SchemaRefuses(const std::vector<std::string>& files, std::string* output) {
  std::string command = "/usr/bin/python3 " +
                        ShellQuote((kSource / "scripts" / "validate-json").string()) + " " +
                        ShellQuote((kSource / "schemas" / "manifest.schema.json").string());
  for (const std::string& file : files) command += " " + ShellQuote(file);
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output->append(buffer, n);
  pclose(pipe);
  std::set<std::string> refused;
  std::istringstream lines(*output);
  for (std::string line; std::getline(lines, line);) {
    for (const std::string& file : files) {
      if (line.rfind(file + ": ", 0) == 0) refused.insert(file);
    }
  }
  return refused;
}

std::vector<std::string> Yaml(const fs::path& directory) {
  std::vector<std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_CASE("every example and good manifest passes the parser and the schema",
          "[manifest][schema]") {
  std::vector<std::string> good = Yaml(kSource / "examples");
  for (const char* name : {"minimal.yaml", "corpus_base.yaml", "relative_paths.yaml"}) {
    good.push_back((kFixtures / name).string());
  }
  REQUIRE(good.size() >= 6);
  for (const std::string& file : good) {
    Result<Manifest> parsed = ParseManifest(ReadText(file), file);
    INFO(file << ": " << parsed.status().message());
    CHECK(parsed.ok());
  }
  std::string output;
  CHECK(SchemaRefuses(good, &output).empty());
  INFO(output);
  CHECK(output == "valid\n");
}

TEST_CASE("every bad manifest is refused by the parser, and by the schema unless listed",
          "[manifest][schema]") {
  std::vector<std::string> bad = Yaml(kFixtures / "bad");
  for (const char* name : {"typo.yaml", "many_errors.yaml"}) {
    bad.push_back((kFixtures / name).string());
  }
  REQUIRE(bad.size() >= 50);
  std::string output;
  std::set<std::string> refused = SchemaRefuses(bad, &output);
  INFO(output);
  std::set<std::string> listed_seen;
  for (const std::string& file : bad) {
    const std::string name = fs::path(file).stem().string();
    INFO(file);
    if (kRefusedAtSecret.count(name) == 0) {
      CHECK_FALSE(ParseManifest(ReadText(file), file).ok());
    }
    if (kParserOnly.count(name) != 0) {
      listed_seen.insert(name);
      // When the schema learns to refuse one, it leaves the list.
      CHECK(refused.count(file) == 0);
    } else {
      CHECK(refused.count(file) == 1);
    }
  }
  // The list names only manifests of the corpus.
  CHECK(listed_seen.size() == kParserOnly.size());
}

}  // namespace
}  // namespace pgpair
