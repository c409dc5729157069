#ifndef PGPAIR_ENGINE_APPLY_SCRAM_H_
#define PGPAIR_ENGINE_APPLY_SCRAM_H_

#include <string>

#include "engine/util/status.h"

namespace pgpair {

// PostgreSQL's defaults for a stored SCRAM-SHA-256 password.
inline constexpr int kScramIterations = 4096;
inline constexpr int kScramSaltLength = 16;

// The verifier PostgreSQL stores in pg_authid.rolpassword for `password`
// (RFC 5802 / RFC 7677, as the server's scram_build_secret writes it):
//   SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
// Given to CREATE/ALTER ROLE ... PASSWORD, the server stores it as is, so the
// plain password never reaches the server, its log or any process's argv.
//
// The server normalizes passwords with SASLprep before hashing; for ASCII
// that is the identity. Non-ASCII passwords are refused (SASLprep is not
// implemented here), as are empty passwords, an empty salt and iterations
// below 1. Error messages never contain the password.
Result<std::string> ScramSha256Verifier(const std::string& password, const std::string& salt,
                                        int iterations = kScramIterations);

// Same, with a fresh random salt of kScramSaltLength bytes from OpenSSL's
// CSPRNG and kScramIterations.
Result<std::string> ScramSha256Verifier(const std::string& password);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_SCRAM_H_
