#ifndef PGPAIR_ENGINE_UTIL_DIGEST_H_
#define PGPAIR_ENGINE_UTIL_DIGEST_H_

#include <string>

namespace pgpair {

// SHA-256 of `data`, as 64 lowercase hex digits.
std::string Sha256Hex(const std::string& data);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_DIGEST_H_
