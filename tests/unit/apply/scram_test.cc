#include "engine/apply/scram.h"

#include <openssl/evp.h>

#include <catch2/catch.hpp>

namespace pgpair {
namespace {

std::string FromBase64(const std::string& text) {
  std::string out(text.size(), '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(&out[0]),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  REQUIRE(length >= 0);
  // EVP_DecodeBlock counts the bytes that "=" padding stands for.
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  out.resize(length - padding);
  return out;
}

// The salt of a verifier, decoded.
std::string SaltOf(const std::string& verifier) {
  size_t colon = verifier.find(':');
  size_t dollar = verifier.find('$', colon);
  return FromBase64(verifier.substr(colon + 1, dollar - colon - 1));
}

// Verifiers PostgreSQL 15.18 itself stored (password_encryption =
// 'scram-sha-256'; CREATE ROLE ... PASSWORD '...'; SELECT rolpassword FROM
// pg_authid), on a throwaway cluster on this machine, 2026-11-26.
struct ServerVector {
  const char* password;
  const char* rolpassword;
};
const ServerVector kServerVectors[] = {
    {"secret",
     "SCRAM-SHA-256$4096:sMfxdRkTKinXDfDaqL8SsA==$RtqgLZOzgvY1W+zGHQv/pMX+ybHDsEIT20EjjKp0g0Q="
     ":xUbrSduKOPdAjs+FeqxVOqDwP2VQGn/29BCQ7MLasvU="},
    // Quotes, spaces and a backslash: bytes pass through untouched.
    {"correct horse 'battery' \\staple",
     "SCRAM-SHA-256$4096:1iFdpuWPLtbHZBOF+W0YQw==$uK6eQLtLz0tA5V4dADLggxUVvsb4H3K0O+dIyfZNYio="
     ":3gdohvRH8JpQ+4rEaJcItFr+yG9z5JsQj3Choyh8Aak="},
};

TEST_CASE("The verifier equals the one PostgreSQL stores, given its salt", "[scram]") {
  for (const ServerVector& vector : kServerVectors) {
    INFO(vector.rolpassword);
    Result<std::string> verifier =
        ScramSha256Verifier(vector.password, SaltOf(vector.rolpassword), 4096);
    REQUIRE(verifier.ok());
    CHECK(*verifier == vector.rolpassword);
  }
}

TEST_CASE("The random-salt verifier has PostgreSQL's shape and a fresh salt", "[scram]") {
  Result<std::string> first = ScramSha256Verifier("secret");
  Result<std::string> second = ScramSha256Verifier("secret");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->rfind("SCRAM-SHA-256$4096:", 0) == 0);
  CHECK(SaltOf(*first).size() == 16);
  CHECK(*first != *second);
  // The same salt gives the same verifier: the salt is all that varies.
  CHECK(*ScramSha256Verifier("secret", SaltOf(*first)) == *first);
  CHECK(first->find("secret") == std::string::npos);
}

TEST_CASE("What the server would normalize or refuse is refused, without the password", "[scram]") {
  // SASLprep maps U+00A0 (no-break space) to a space: a verifier of the raw
  // bytes would not match what the server derives at login.
  Result<std::string> non_ascii = ScramSha256Verifier("hunter\xC2\xA0two", "saltsaltsaltsalt");
  REQUIRE_FALSE(non_ascii.ok());
  CHECK(non_ascii.status().message().find("non-ASCII") != std::string::npos);
  CHECK(non_ascii.status().message().find("hunter") == std::string::npos);
  CHECK_FALSE(ScramSha256Verifier("", "saltsaltsaltsalt").ok());
  CHECK_FALSE(ScramSha256Verifier("secret", "").ok());
  CHECK_FALSE(ScramSha256Verifier("secret", "saltsaltsaltsalt", 0).ok());
  // A different iteration count is written into the verifier.
  Result<std::string> few = ScramSha256Verifier("secret", "saltsaltsaltsalt", 10);
  REQUIRE(few.ok());
  CHECK(few->rfind("SCRAM-SHA-256$10:", 0) == 0);
}

}  // namespace
}  // namespace pgpair
