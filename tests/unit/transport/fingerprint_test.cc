#include "engine/transport/fingerprint.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace pgpair {
namespace {

std::string Hex(const std::array<uint8_t, 32>& digest) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t byte : digest) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

std::string FixtureBlob(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/known_hosts/" + name);
  std::string type, base64;
  in >> type >> base64;
  return Base64Decode(base64).value_or("");
}

TEST_CASE("Sha256 matches the FIPS 180-2 test vectors", "[fingerprint]") {
  // The empty message: padding alone fills the block.
  CHECK(Hex(Sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // One short block.
  CHECK(Hex(Sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the length no longer fits, so padding spills into a second block.
  CHECK(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Many full blocks.
  CHECK(Hex(Sha256(std::string(1000000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("Base64 encodes and decodes as RFC 4648 says", "[fingerprint]") {
  // Each tail length: none, one and two bytes left over.
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode("fooba") == "Zm9vYmE=");
  CHECK(Base64Encode("foob") == "Zm9vYg==");
  // Fingerprints drop the padding.
  CHECK(Base64Encode("foob", /*pad=*/false) == "Zm9vYg");
  CHECK(Base64Decode("Zm9vYg==") == "foob");
  CHECK(Base64Decode("Zm9vYg") == "foob");
  // Bytes above 127 survive the round trip.
  std::string binary("\x00\xff\x80\x7f", 4);
  CHECK(Base64Decode(Base64Encode(binary)) == binary);
  // Not base64 at all.
  CHECK_FALSE(Base64Decode("not base64!").has_value());
  CHECK_FALSE(Base64Decode("Z").has_value());
}

TEST_CASE("Sha256Fingerprint prints what ssh-keygen -lf prints", "[fingerprint]") {
  // Expected values: `ssh-keygen -lf`, see tests/fixtures/known_hosts/README.md.
  CHECK(Sha256Fingerprint(FixtureBlob("host_ed25519.pub")) ==
        "SHA256:pVZjTrtJd8/b9Djlr9la4hkWYdRJDtCnxNDD1JVqsOw");
  CHECK(Sha256Fingerprint(FixtureBlob("host_rsa.pub")) ==
        "SHA256:RngCiImtlyBeQGNOaRbesjKzGK8K4RpY0NyXhGyJ/vA");
  CHECK(Sha256Fingerprint(FixtureBlob("host_ecdsa.pub")) ==
        "SHA256:i7W6cUFGVyn+UjjlsqecIUjaT5WhJDPBDXg8979IRYk");
}

TEST_CASE("KeyTypeOfBlob reads the type a key blob starts with", "[fingerprint]") {
  CHECK(KeyTypeOfBlob(FixtureBlob("host_ed25519.pub")) == "ssh-ed25519");
  CHECK(KeyTypeOfBlob(FixtureBlob("host_rsa.pub")) == "ssh-rsa");
  CHECK(KeyTypeOfBlob(FixtureBlob("host_ecdsa.pub")) == "ecdsa-sha2-nistp256");
  // Too short for the length prefix.
  CHECK_FALSE(KeyTypeOfBlob("ab").has_value());
  // A length beyond the end of the blob.
  CHECK_FALSE(KeyTypeOfBlob(std::string("\x00\x00\x00\x20ssh", 7)).has_value());
}

}  // namespace
}  // namespace pgpair
