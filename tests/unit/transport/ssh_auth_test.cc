#include "engine/transport/ssh_auth.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "engine/transport/fingerprint.h"

namespace pgpair {
namespace {

std::string SshString(const std::string& value) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(value.size() >> (24 - 8 * i));
  return out + value;
}

std::string FixturePublicKeyBlob(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/known_hosts/" + name);
  std::string type, base64;
  in >> type >> base64;
  return Base64Decode(base64).value();
}

// The clear part of an openssh-key-v1 private key (PROTOCOL.key), built here
// so that no private key sits in the repository; the encrypted part is a
// stand-in, InspectKeyFile never reads it.
std::string OpenSshPrivateKey(const std::string& cipher, const std::string& public_blob) {
  std::string data = std::string("openssh-key-v1\0", 15) + SshString(cipher) +
                     SshString(cipher == "none" ? "none" : "bcrypt") + SshString("") +
                     std::string("\0\0\0\1", 4) + SshString(public_blob) +
                     SshString("private part");
  std::string base64 = Base64Encode(data);
  std::string text = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
  for (size_t i = 0; i < base64.size(); i += 70) text += base64.substr(i, 70) + "\n";
  return text + "-----END OPENSSH PRIVATE KEY-----\n";
}

TEST_CASE("InspectKeyFile reads the key type and encryption without the passphrase", "[ssh_auth]") {
  const std::string ed25519 = FixturePublicKeyBlob("host_ed25519.pub");
  const std::string rsa = FixturePublicKeyBlob("host_rsa.pub");
  struct Case {
    const char* proves;
    std::string private_text;
    std::string public_text;
    std::string type;
    bool encrypted;
  };
  const Case cases[] = {
      {"openssh format: the type comes from the clear public section",
       OpenSshPrivateKey("none", ed25519), "", "ssh-ed25519", false},
      {"openssh format, RSA", OpenSshPrivateKey("none", rsa), "", "ssh-rsa", false},
      {"openssh format with a cipher is encrypted", OpenSshPrivateKey("aes256-ctr", ed25519), "",
       "ssh-ed25519", true},
      {"legacy PEM RSA, from its label",
       "-----BEGIN RSA PRIVATE KEY-----\nMIIG\n-----END RSA PRIVATE KEY-----\n", "", "ssh-rsa",
       false},
      {"legacy PEM with Proc-Type ENCRYPTED",
       "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIG\n"
       "-----END RSA PRIVATE KEY-----\n",
       "", "ssh-rsa", true},
      {"the .pub file, when present, names the type",
       "-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----\n",
       "ssh-rsa AAAAB3NzaC1yc2E user@host\n", "ssh-rsa", false},
      {"PKCS#8 without .pub: type unknown, encryption from the label",
       "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n", "", "",
       true},
      {"not a key at all", "hello", "", "", false},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    KeyFileInfo info = InspectKeyFile(c.private_text, c.public_text);
    CHECK(info.type == c.type);
    CHECK(info.encrypted == c.encrypted);
  }
}

TEST_CASE("AuthFailureMessage names host, user, every method and the RSA reason", "[ssh_auth]") {
  std::vector<AuthAttempt> attempts = {
      {"ssh-agent", "not used, SSH_AUTH_SOCK is not set", ""},
      {"key /var/lib/pgpair-sandbox/id_rsa (ssh-rsa)", "refused by the server",
       "/var/lib/pgpair-sandbox/id_rsa"},
      {"key /root/.ssh/id_ed25519", "cannot be read: No such file or directory", ""},
  };
  std::string message = AuthFailureMessage("pg1 (198.18.0.11)", "root", attempts);
  CHECK_THAT(message, Catch::StartsWith("pg1 (198.18.0.11): ssh login as root failed; tried "
                                        "ssh-agent: not used, SSH_AUTH_SOCK is not set; key "
                                        "/var/lib/pgpair-sandbox/id_rsa (ssh-rsa): refused by "
                                        "the server; key /root/.ssh/id_ed25519: cannot be read"));
  CHECK_THAT(message, Catch::EndsWith(". /var/lib/pgpair-sandbox/id_rsa is an RSA key: libssh2 "
                                      "1.10 signs RSA keys only with ssh-rsa (SHA-1), which "
                                      "OpenSSH 8.8 and later refuse by default; use an ed25519 "
                                      "key (ssh-keygen -t ed25519) instead"));
  // Nothing to try is also said plainly.
  CHECK_THAT(AuthFailureMessage("pg1 (198.18.0.11)", "root", {}),
             Catch::Contains("ssh.use_agent is off and ssh.keys is empty"));
}

TEST_CASE("KeyFilePermissionProblem refuses what OpenSSH refuses, with the fix",
          "[ssh_auth][key_permissions]") {
  const uid_t alice = 1000, bob = 1001, root = 0;
  struct Case {
    const char* proves;
    uid_t owner;
    mode_t mode;
    uid_t user;
    std::string problem;
  };
  const Case cases[] = {
      {"the user's own key, 0600", alice, 0100600, alice, ""},
      {"0400 is fine too", alice, 0100400, alice, ""},
      {"a root-owned key for a user (readable only if root lets it)", root, 0100600, alice, ""},
      {"root's own key", root, 0100600, root, ""},
      {"readable by others", alice, 0100644, alice,
       "has mode 0644, so group or others can use it; OpenSSH refuses such a key: chmod 600 "
       "/k"},
      {"readable by the group", alice, 0100640, alice,
       "has mode 0640, so group or others can use it; OpenSSH refuses such a key: chmod 600 "
       "/k"},
      {"writable by the group only, as OpenSSH checks 077", alice, 0100620, alice,
       "has mode 0620, so group or others can use it; OpenSSH refuses such a key: chmod 600 "
       "/k"},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    CHECK(KeyFilePermissionProblem("/k", c.owner, c.mode, c.user) == c.problem);
  }
  CHECK_THAT(KeyFilePermissionProblem("/k", bob, 0100600, alice),
             Catch::Contains(" who runs pgpair, nor by root; a private key must belong to its "
                             "user: chown "));
  // Another user's key, even 0600, is not this user's secret. (uid 1001 may
  // have a name on this machine; the message uses it when it has.)
  CHECK_THAT(KeyFilePermissionProblem("/k", bob, 0100600, root),
             Catch::StartsWith("is owned by ") &&
                 Catch::EndsWith(", not by root who runs pgpair; a private key must belong to "
                                 "its user: chown root /k"));
}

TEST_CASE("ReadPrivateKeyFile checks the file it opens before reading it",
          "[ssh_auth][key_permissions]") {
  char dir[] = "/tmp/pgpair-key-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string key = std::string(dir) + "/id_ed25519";
  std::ofstream(key) << "-----BEGIN OPENSSH PRIVATE KEY-----\n";
  REQUIRE(chmod(key.c_str(), 0600) == 0);
  Result<std::string> read = ReadPrivateKeyFile(key);
  REQUIRE(read.status().message() == "");
  CHECK(*read == "-----BEGIN OPENSSH PRIVATE KEY-----\n");

  REQUIRE(chmod(key.c_str(), 0644) == 0);
  CHECK(ReadPrivateKeyFile(key).status().message() ==
        "has mode 0644, so group or others can use it; OpenSSH refuses such a key: chmod 600 " +
            key);
  CHECK(ReadPrivateKeyFile(dir).status().message() == "is not a regular file");
  CHECK(ReadPrivateKeyFile(key + ".missing").status().message() ==
        "cannot be read: No such file or directory");
  std::remove(key.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace pgpair
