#include "engine/apply/scram.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <vector>

namespace pgpair {
namespace {

using Bytes = std::vector<unsigned char>;

std::string Base64(const Bytes& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&out[0]), data.data(),
                                static_cast<int>(data.size()));
  out.resize(written);
  return out;
}

Result<Bytes> Hmac(const Bytes& key, const std::string& message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(),
           &length) == nullptr) {
    return Status::Error("SCRAM: HMAC-SHA-256 failed in OpenSSL");
  }
  out.resize(length);
  return out;
}

bool IsAscii(const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

}  // namespace

Result<std::string> ScramSha256Verifier(const std::string& password, const std::string& salt,
                                        int iterations) {
  if (password.empty()) return Status::Error("SCRAM: the password is empty");
  if (!IsAscii(password)) {
    // The server would SASLprep-normalize it first; a verifier of the raw
    // bytes could then refuse the very password it was made from.
    return Status::Error(
        "SCRAM: the password contains non-ASCII characters; pgpair does not implement "
        "SASLprep, which PostgreSQL applies to them: use an ASCII password");
  }
  if (salt.empty()) return Status::Error("SCRAM: the salt is empty");
  if (iterations < 1) return Status::Error("SCRAM: the iteration count must be at least 1");

  Bytes salted(SHA256_DIGEST_LENGTH);
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(salted.size()), salted.data()) != 1) {
    return Status::Error("SCRAM: PBKDF2-HMAC-SHA-256 failed in OpenSSL");
  }
  Result<Bytes> client_key = Hmac(salted, "Client Key");
  if (!client_key.ok()) return client_key.status();
  Result<Bytes> server_key = Hmac(salted, "Server Key");
  if (!server_key.ok()) return server_key.status();
  Bytes stored_key(SHA256_DIGEST_LENGTH);
  SHA256(client_key->data(), client_key->size(), stored_key.data());

  return "SCRAM-SHA-256$" + std::to_string(iterations) + ":" +
         Base64(Bytes(salt.begin(), salt.end())) + "$" + Base64(stored_key) + ":" +
         Base64(*server_key);
}

Result<std::string> ScramSha256Verifier(const std::string& password) {
  std::string salt(kScramSaltLength, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&salt[0]), kScramSaltLength) != 1) {
    return Status::Error("SCRAM: OpenSSL could not produce a random salt");
  }
  return ScramSha256Verifier(password, salt, kScramIterations);
}

}  // namespace pgpair
