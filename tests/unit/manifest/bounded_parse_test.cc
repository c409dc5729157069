// Hostile and broken manifests: each ends in an error naming the place,
// never in a crash, an endless loop or unbounded memory (issue 9). The time
// bound itself is checked by the manifest fuzz target (tests/fuzz), whose
// corpus holds these inputs; tests here assert no timings.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "engine/manifest/manifest.h"
#include "engine/manifest/yaml_reader.h"

namespace pgpair {
namespace {

std::string Errors(const std::string& text) {
  Result<Manifest> manifest = ParseManifest(text, "m.yaml");
  return manifest.ok() ? "OK" : manifest.status().message();
}

// A file in a fresh directory under /tmp, removed with it.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char dir[] = "/tmp/pgpair-bounded-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    dir_ = dir;
    path_ = dir_ + "/m.yaml";
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() {
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

TEST_CASE("short inputs that made yaml-cpp's LoadAll loop are syntax errors",
          "[manifest][bounded]") {
  struct Case {
    const char* proves;
    std::string text;
    std::string errors;
  };
  const Case cases[] = {
      {"a lone comma (LoadAll allocated without end)", ",",
       R"(m.yaml:1:1: YAML syntax error: unexpected ",")"},
      {"the same with a newline", ",\n", R"(m.yaml:1:1: YAML syntax error: unexpected ",")"},
      {"a comma after a first document is named where it stands", "- a\n,\n",
       R"(m.yaml:2:1: YAML syntax error: unexpected ",")"},
      {"a comma after a flow list", "[a], ,\n",
       R"(m.yaml:1:4: YAML syntax error: unexpected ", ,")"},
      {"an unclosed list", "[", "m.yaml:1:1: YAML syntax error: end of sequence flow not found"},
      {"an unclosed mapping", "{", "m.yaml:1:1: YAML syntax error: end of map flow not found"},
      {"nested lists are a list, not a manifest", "- - -",
       "m.yaml:1:1: expected a mapping at the top level (pair:, hosts:, primary:, standby:, "
       "replication:), got a list"},
      {"a document with nothing in it", "---\n", "m.yaml:1:1: the file holds no YAML document"},
      {"a document that ends before it starts", "...\n",
       "m.yaml:1:1: the file holds no YAML document"},
      {"an empty second document is still a second document", "pair: a\n---\n",
       "m.yaml:2:1: a second YAML document starts here; the file must hold exactly one"},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    CHECK(Errors(c.text) == c.errors);
  }
}

TEST_CASE("nesting deeper than the limit is refused where it passes the limit",
          "[manifest][bounded]") {
  const std::string flow = std::string(10000, '[') + std::string(10000, ']');
  CHECK(Errors(flow) ==
        "m.yaml:1:33: mappings and lists are nested more than 32 levels deep here; a manifest "
        "needs five");
  std::string block;
  for (int i = 0; i < 100; ++i) block += std::string(i, ' ') + "a:\n";
  CHECK(Errors(block) ==
        "m.yaml:33:33: mappings and lists are nested more than 32 levels deep here; a manifest "
        "needs five");
  // Exactly at the limit the nesting itself is accepted (and the manifest
  // then refused for what it holds).
  const std::string at_limit = std::string(kMaxYamlDepth, '[') + std::string(kMaxYamlDepth, ']');
  CHECK(Errors(at_limit).find("nested") == std::string::npos);
}

TEST_CASE("more values than the limit are refused before a tree is built", "[manifest][bounded]") {
  std::string list = "[";
  for (int i = 0; i < kMaxYamlNodes + 10; ++i) list += "1,";
  list += "1]";
  CHECK(Errors(list) ==
        "m.yaml:1:20000: the file holds more than 10000 YAML values; a manifest needs a few "
        "hundred");
}

TEST_CASE("a text longer than the limit is refused unread", "[manifest][bounded]") {
  CHECK(Errors(std::string(kMaxYamlBytes + 1, 'a')) ==
        "m.yaml:1:1: the file is 262145 bytes long; a manifest may hold at most 256 KiB");
  // A file of 50 MB: refused from its size, before it is read.
  TempFile big(std::string(50 * 1024 * 1024, 'a'));
  Result<Manifest> manifest = LoadManifest(big.path());
  REQUIRE_FALSE(manifest.ok());
  CHECK(manifest.status().message() ==
        big.path() +
            ": cannot read the manifest: it is 52428800 bytes long; a manifest may hold at most "
            "256 KiB");
}

TEST_CASE("a device or pipe is read no further than the limit", "[manifest][bounded]") {
  Result<Manifest> manifest = LoadManifest("/dev/zero");
  REQUIRE_FALSE(manifest.ok());
  CHECK(manifest.status().message() ==
        "/dev/zero: cannot read the manifest: it is longer than 262144 bytes; a manifest may "
        "hold at most 256 KiB");
}

TEST_CASE("bytes that are not UTF-8 text are refused at their place", "[manifest][bounded]") {
  // A Latin-1 é, a binary file's header, a control character.
  CHECK(Errors("pair: jos\xE9\n") ==
        "m.yaml:1:10: byte 0xE9 is not UTF-8 text; save the manifest as UTF-8");
  CHECK(Errors(std::string("\x7f"
                           "ELF\x02\x01\x01\0\0\0",
                           10)) ==
        "m.yaml:1:1: control character 0x7F: this is not a text file; a manifest is UTF-8 YAML "
        "text");
  CHECK(Errors("pair: a\n  \x1b[0m\n") ==
        "m.yaml:2:3: control character 0x1B; a manifest is UTF-8 text (in a double-quoted "
        "string, write \\x1B)");
  // UTF-16 from an editor's "Unicode" setting.
  CHECK(Errors("\xFF\xFEp\0a\0") ==
        "m.yaml:1:1: byte 0xFF is not UTF-8 text; save the manifest as UTF-8");
  // UTF-8 itself, with its byte order mark, is read.
  CHECK(Errors("\xEF\xBB\xBFpair: caf\xC3\xA9\n").find("UTF-8") == std::string::npos);
}

TEST_CASE("a value written with escapes is shown readably in messages", "[manifest][bounded]") {
  CHECK(
      Errors("pair: \"a\\0b\\e\"\nhosts: {}\n")
          .find(
              R"(pair: expected a name of letters, digits, '_', '.' and '-', got "a\x00b\x1B")") !=
      std::string::npos);
}

TEST_CASE("an alias to its own list is a list, not an endless walk", "[manifest][bounded]") {
  CHECK(Errors("&a [*a]") ==
        "m.yaml:1:1: expected a mapping at the top level (pair:, hosts:, primary:, standby:, "
        "replication:), got a list");
  // Each host is the hosts mapping itself: read once per place, no deeper.
  CHECK(Errors("pair: t\nhosts: &h {a: *h, b: *h}\nprimary: a\nstandby: b\n"
               "replication: {password: {env: X}}\n") ==
        R"(m.yaml:2:12: unknown key "a" in hosts.a; expected one of: address, ssh, become, postgres
m.yaml:2:12: missing required key "address" in hosts.a: the IP address or host name pgpair reaches it at
m.yaml:2:12: unknown key "a" in hosts.b; expected one of: address, ssh, become, postgres
m.yaml:2:19: unknown key "b" in hosts.a; expected one of: address, ssh, become, postgres
m.yaml:2:19: unknown key "b" in hosts.b; expected one of: address, ssh, become, postgres
m.yaml:2:19: missing required key "address" in hosts.b: the IP address or host name pgpair reaches it at)");
}

}  // namespace
}  // namespace pgpair
