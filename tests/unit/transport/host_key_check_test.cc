#include "engine/transport/host_key_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ScratchDir;

const std::string kDir = std::string(PGPAIR_FIXTURES_DIR) + "/known_hosts/";
const std::string kKnownHosts = kDir + "known_hosts";

HostKey FixtureKey(const std::string& name) {
  std::ifstream in(kDir + name);
  std::string line;
  std::getline(in, line);
  std::optional<HostKey> key = HostKey::FromText(line);
  REQUIRE(key.has_value());
  return *key;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// A fresh directory under /tmp, removed with its content at scope exit.
TEST_CASE("CheckKnownHosts tells known, unknown, changed and revoked keys apart",
          "[host_key_check]") {
  const HostKey ed25519 = FixtureKey("host_ed25519.pub");
  const HostKey rsa = FixtureKey("host_rsa.pub");
  const HostKey ecdsa = FixtureKey("host_ecdsa.pub");
  const HostKey impostor = FixtureKey("impostor_ed25519.pub");
  const HostKey revoked = FixtureKey("revoked_ed25519.pub");

  struct Case {
    const char* proves;
    std::string host;
    int port;
    HostKey offered;
    HostKeyStatus expected;
  };
  const Case cases[] = {
      {"the stored key matches, despite the unparsable line before it", "198.18.0.11", 22, ed25519,
       HostKeyStatus::kKnown},
      {"another key of the same type is a change", "198.18.0.11", 22, impostor,
       HostKeyStatus::kChanged},
      {"a key of another type than the stored one is a change too", "198.18.0.11", 22, ecdsa,
       HostKeyStatus::kChanged},
      {"a host with no line at all is unknown", "198.18.0.50", 22, ed25519,
       HostKeyStatus::kUnknown},
      {"the second name of a comma list matches", "pg2", 22, rsa, HostKeyStatus::kKnown},
      {"the first name of a comma list matches", "198.18.0.12", 22, rsa, HostKeyStatus::kKnown},
      {"a [host]:port entry matches on its port", "198.18.0.13", 2222, ed25519,
       HostKeyStatus::kKnown},
      {"a [host]:port entry does not cover port 22", "198.18.0.13", 22, ed25519,
       HostKeyStatus::kUnknown},
      {"a hashed host name matches", "pg3.example", 22, ed25519, HostKeyStatus::kKnown},
      {"a hashed host name with another key is a change", "pg3.example", 22, impostor,
       HostKeyStatus::kChanged},
      {"a @revoked key is refused whatever the host", "198.18.0.50", 22, revoked,
       HostKeyStatus::kRevoked},
      {"a @cert-authority key is no host key", "www.example.com", 22, impostor,
       HostKeyStatus::kUnknown},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    Result<HostKeyVerdict> verdict = CheckKnownHosts(kKnownHosts, c.host, c.port, c.offered);
    REQUIRE(verdict.ok());
    CHECK(verdict->status == c.expected);
  }
}

TEST_CASE("A changed key comes with the key known_hosts expected", "[host_key_check]") {
  Result<HostKeyVerdict> verdict =
      CheckKnownHosts(kKnownHosts, "198.18.0.11", 22, FixtureKey("host_ecdsa.pub"));
  REQUIRE(verdict.ok());
  REQUIRE(verdict->known_key.has_value());
  CHECK(verdict->known_key->type == "ssh-ed25519");
  CHECK(verdict->known_key->Fingerprint() == "SHA256:pVZjTrtJd8/b9Djlr9la4hkWYdRJDtCnxNDD1JVqsOw");
}

TEST_CASE("A missing known_hosts knows nobody, an unreadable one is an error", "[host_key_check]") {
  Result<HostKeyVerdict> missing =
      CheckKnownHosts(kDir + "no-such-file", "198.18.0.11", 22, FixtureKey("host_ed25519.pub"));
  REQUIRE(missing.ok());
  CHECK(missing->status == HostKeyStatus::kUnknown);
  // A directory opens but cannot be read: the error names the file.
  Result<HostKeyVerdict> unreadable =
      CheckKnownHosts(kDir, "198.18.0.11", 22, FixtureKey("host_ed25519.pub"));
  REQUIRE_FALSE(unreadable.ok());
  CHECK_THAT(unreadable.status().message(), Catch::Contains(kDir));
}

TEST_CASE("KnownHostKeyTypes lists the types stored for a host", "[host_key_check]") {
  CHECK(KnownHostKeyTypes(kKnownHosts, "198.18.0.11", 22).value() ==
        std::vector<std::string>{"ssh-ed25519"});
  CHECK(KnownHostKeyTypes(kKnownHosts, "pg2", 22).value() == std::vector<std::string>{"ssh-rsa"});
  CHECK(KnownHostKeyTypes(kKnownHosts, "pg3.example", 22).value() ==
        std::vector<std::string>{"ssh-ed25519"});
  CHECK(KnownHostKeyTypes(kKnownHosts, "198.18.0.50", 22).value().empty());
}

TEST_CASE("AddKnownHost appends a line OpenSSH and libssh2 both read", "[host_key_check]") {
  ScratchDir dir("known-hosts");
  const HostKey key = FixtureKey("host_ed25519.pub");

  SECTION("a new file in a new directory is private to its owner") {
    std::string path = dir.path() + "/ssh/known_hosts";
    REQUIRE(AddKnownHost(path, "198.18.0.11", 22, key).ok());
    struct stat info;
    REQUIRE(stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(
        ReadFile(path) ==
        "198.18.0.11 " + key.type + " " +
            std::string("AAAAC3NzaC1lZDI1NTE5AAAAICbMSig9HDT1eZvApsjwd0E40Vb9iu+Ra9REhKOV1Kz0\n"));
    CHECK(CheckKnownHosts(path, "198.18.0.11", 22, key)->status == HostKeyStatus::kKnown);
  }
  SECTION("a port other than 22 is written as [host]:port") {
    std::string path = dir.path() + "/known_hosts";
    REQUIRE(AddKnownHost(path, "127.0.0.1", 2222, key).ok());
    CHECK(ReadFile(path).rfind("[127.0.0.1]:2222 ssh-ed25519 ", 0) == 0);
    CHECK(CheckKnownHosts(path, "127.0.0.1", 2222, key)->status == HostKeyStatus::kKnown);
  }
  SECTION("a last line without its newline is not glued to the new one") {
    std::string path = dir.path() + "/known_hosts";
    std::ofstream(path) << "# no newline at the end";
    REQUIRE(AddKnownHost(path, "198.18.0.11", 22, key).ok());
    CHECK(ReadFile(path).rfind("# no newline at the end\n198.18.0.11 ", 0) == 0);
  }
}

TEST_CASE("VerifyHostKey refuses unknown hosts under strict, with the fix", "[host_key_check]") {
  const HostKey key = FixtureKey("host_ed25519.pub");
  Status status = VerifyHostKey("pg9 (198.18.0.50)", "198.18.0.50", 22, kKnownHosts,
                                HostKeyPolicy::kStrict, key);
  REQUIRE_FALSE(status.ok());
  const std::string& message = status.message();
  CHECK_THAT(message, Catch::StartsWith("pg9 (198.18.0.50): host key not known"));
  CHECK_THAT(message,
             Catch::Contains("ssh-ed25519 key SHA256:pVZjTrtJd8/b9Djlr9la4hkWYdRJDtCnxNDD1JVqsOw"));
  CHECK_THAT(message, Catch::Contains("ssh-keyscan -t ed25519 198.18.0.50 >> " + kKnownHosts));
  CHECK_THAT(message, Catch::Contains("accept-new"));
}

TEST_CASE("VerifyHostKey names both fingerprints of a mismatch, whatever the policy",
          "[host_key_check]") {
  const HostKey impostor = FixtureKey("impostor_ed25519.pub");
  for (HostKeyPolicy policy : {HostKeyPolicy::kStrict, HostKeyPolicy::kAcceptNew}) {
    Status status =
        VerifyHostKey("pg1 (198.18.0.11)", "198.18.0.11", 22, kKnownHosts, policy, impostor);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::StartsWith("pg1 (198.18.0.11): HOST KEY MISMATCH"));
    // Expected, then offered.
    CHECK_THAT(status.message(),
               Catch::Contains(
                   "expects ssh-ed25519 key SHA256:pVZjTrtJd8/b9Djlr9la4hkWYdRJDtCnxNDD1JVqsOw"));
    CHECK_THAT(status.message(),
               Catch::Contains(
                   "offered ssh-ed25519 key SHA256:TUNwwqtEVzQSPsccaxOk1K/NhaHXMi2n0bYL/tbu4tY"));
    CHECK_THAT(status.message(), Catch::Contains("ssh-keygen -R 198.18.0.11"));
  }
}

TEST_CASE("VerifyHostKey under accept-new adds an unknown host once", "[host_key_check]") {
  ScratchDir dir("known-hosts");
  std::string path = dir.path() + "/known_hosts";
  std::ofstream(path) << ReadFile(kKnownHosts);
  const HostKey key = FixtureKey("host_ed25519.pub");
  REQUIRE(
      VerifyHostKey("pg9 (198.18.0.50)", "198.18.0.50", 22, path, HostKeyPolicy::kAcceptNew, key)
          .ok());
  CHECK(CheckKnownHosts(path, "198.18.0.50", 22, key)->status == HostKeyStatus::kKnown);
  // The second time the key is known: nothing more is written.
  std::string after_first = ReadFile(path);
  REQUIRE(
      VerifyHostKey("pg9 (198.18.0.50)", "198.18.0.50", 22, path, HostKeyPolicy::kAcceptNew, key)
          .ok());
  CHECK(ReadFile(path) == after_first);
  // The existing lines are kept as they were.
  CHECK(after_first.rfind(ReadFile(kKnownHosts), 0) == 0);
}

TEST_CASE("VerifyHostKey refuses a revoked key even under accept-new", "[host_key_check]") {
  Status status = VerifyHostKey("pg9 (198.18.0.50)", "198.18.0.50", 22, kKnownHosts,
                                HostKeyPolicy::kAcceptNew, FixtureKey("revoked_ed25519.pub"));
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains("@revoked"));
}

}  // namespace
}  // namespace pgpair
