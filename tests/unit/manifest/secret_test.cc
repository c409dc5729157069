#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "engine/manifest/manifest.h"
#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ScratchDir;

const char kPassword[] = "s3cret-value";

// A fresh directory under /tmp, removed with everything in it.
SecretRef FileSecret(const std::string& path) {
  SecretRef secret;
  secret.file = path;
  secret.key = "replication.password";
  secret.mark = SourceMark{"pair.yaml", 9, 13};
  return secret;
}

SecretRef EnvSecret(const std::string& name) {
  SecretRef secret;
  secret.env = name;
  secret.key = "replication.password";
  secret.mark = SourceMark{"pair.yaml", 9, 13};
  return secret;
}

TEST_CASE("a secret file readable only by its owner is read, minus its newline", "[secret]") {
  ScratchDir dir("secret");
  // `echo value > file` leaves a newline that is not part of the password.
  Result<std::string> value = ResolveSecret(FileSecret(dir.Write("pw", "s3cret-value\n", 0600)));
  REQUIRE(value.ok());
  CHECK(*value == kPassword);
  // 0400 is as good as 0600.
  value = ResolveSecret(FileSecret(dir.Write("ro", "s3cret-value", 0400)));
  REQUIRE(value.ok());
  CHECK(*value == kPassword);
}

TEST_CASE("a secret file others can read is refused, with its mode and the fix", "[secret]") {
  ScratchDir dir("secret");
  std::string path = dir.Write("pw", kPassword, 0644);
  Result<std::string> value = ResolveSecret(FileSecret(path));
  REQUIRE_FALSE(value.ok());
  CHECK(value.status().message() ==
        "pair.yaml:9:13: replication.password: secret file " + path +
            " has mode 0644, so group or others can read or change it; run chmod 600 " + path);
  CHECK(value.status().message().find(kPassword) == std::string::npos);
}

TEST_CASE("a secret file the group can write is refused too", "[secret]") {
  ScratchDir dir("secret");
  // Whoever can write the password can choose it.
  Result<std::string> value = ResolveSecret(FileSecret(dir.Write("pw", kPassword, 0620)));
  REQUIRE_FALSE(value.ok());
  CHECK(value.status().message().find("has mode 0620") != std::string::npos);
}

TEST_CASE("a missing, empty or non-regular secret file is an error naming it", "[secret]") {
  ScratchDir dir("secret");
  Result<std::string> missing = ResolveSecret(FileSecret(dir.path() + "/absent"));
  CHECK(missing.status().message() ==
        "pair.yaml:9:13: replication.password: cannot open secret "
        "file " +
            dir.path() + "/absent: No such file or directory");
  Result<std::string> empty = ResolveSecret(FileSecret(dir.Write("empty", "\n", 0600)));
  CHECK(empty.status().message() ==
        "pair.yaml:9:13: replication.password: secret file " + dir.path() + "/empty is empty");
  Result<std::string> directory = ResolveSecret(FileSecret(dir.path()));
  CHECK(directory.status().message() == "pair.yaml:9:13: replication.password: secret file " +
                                            dir.path() + " is not a regular file");
}

TEST_CASE("an env secret is read from the environment", "[secret]") {
  setenv("PGPAIR_TEST_SECRET_SET", kPassword, 1);
  Result<std::string> value = ResolveSecret(EnvSecret("PGPAIR_TEST_SECRET_SET"));
  unsetenv("PGPAIR_TEST_SECRET_SET");
  REQUIRE(value.ok());
  CHECK(*value == kPassword);
}

TEST_CASE("a missing or empty env secret names the variable and the manifest place", "[secret]") {
  unsetenv("PGPAIR_TEST_SECRET_UNSET");
  Result<std::string> missing = ResolveSecret(EnvSecret("PGPAIR_TEST_SECRET_UNSET"));
  CHECK(missing.status().message() ==
        "pair.yaml:9:13: replication.password: environment variable PGPAIR_TEST_SECRET_UNSET is "
        "not set; export it before running pgpair");
  setenv("PGPAIR_TEST_SECRET_EMPTY", "", 1);
  Result<std::string> empty = ResolveSecret(EnvSecret("PGPAIR_TEST_SECRET_EMPTY"));
  unsetenv("PGPAIR_TEST_SECRET_EMPTY");
  CHECK(empty.status().message() ==
        "pair.yaml:9:13: replication.password: environment variable PGPAIR_TEST_SECRET_EMPTY is "
        "empty; export it before running pgpair");
}

TEST_CASE("a secret from a parsed manifest resolves against the manifest's directory", "[secret]") {
  ScratchDir dir("secret");
  dir.Write("replication-password", "s3cret-value\n", 0600);
  Result<Manifest> manifest = ParseManifest(R"(pair: t
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
primary: a
standby: b
replication: {password: {file: replication-password}}
)",
                                            dir.path() + "/pair.yaml");
  REQUIRE(manifest.status().message() == "");
  Result<std::string> value = ResolveSecret(*manifest->replication->password);
  REQUIRE(value.ok());
  CHECK(*value == kPassword);
}

TEST_CASE("a password pgpair cannot carry is refused before any host is contacted", "[secret]") {
  SecretRef secret = EnvSecret("PGPAIR_TEST_PASSWORD");
  struct Case {
    const char* proves;
    std::string password;
    const char* expected;  // part of the error; empty: accepted
  };
  const Case cases[] = {
      {"printable ASCII with quotes, colons and backslashes is fine", "a:b\\c'd\" e$f", ""},
      {"a second line from a secret file is a control character, named as a line break",
       "first\nsecond", "control character (character 6, a line break)"},
      {"a tab is a control character", "a\tb", "control character (character 2)"},
      {"DEL is a control character", std::string("ab\x7f"), "control character (character 3)"},
      {"non-ASCII would need SASLprep", "jos\xc3\xa9", "non-ASCII character (character 4)"},
  };
  for (const Case& c : cases) {
    SECTION(c.proves) {
      Status checked = CheckReplicationPassword(c.password, secret);
      if (std::string(c.expected).empty()) {
        CHECK(checked.ok());
      } else {
        REQUIRE_FALSE(checked.ok());
        CHECK(checked.message().find(c.expected) != std::string::npos);
        CHECK(checked.message().find(c.password) == std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace pgpair
