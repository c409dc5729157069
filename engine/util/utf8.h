#ifndef PGPAIR_ENGINE_UTIL_UTF8_H_
#define PGPAIR_ENGINE_UTIL_UTF8_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace pgpair {

// The offset of the first byte of `text` that does not begin a well-formed
// UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), or empty when all of `text` is UTF-8.
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_UTF8_H_
