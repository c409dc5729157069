#ifndef PGPAIR_ENGINE_UTIL_LSN_H_
#define PGPAIR_ENGINE_UTIL_LSN_H_

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pgpair {

// A WAL location as PostgreSQL prints it ("16/B374D848": the high and low
// 32 bits in hex) as one number; empty when `text` is not one.
inline std::optional<uint64_t> ParseLsn(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size()) return {};
  uint32_t high = 0, low = 0;
  const char* end = text.data() + slash;
  auto first = std::from_chars(text.data(), end, high, 16);
  if (first.ec != std::errc() || first.ptr != end) return {};
  const char* last = text.data() + text.size();
  auto second = std::from_chars(end + 1, last, low, 16);
  if (second.ec != std::errc() || second.ptr != last) return {};
  return (static_cast<uint64_t>(high) << 32) | low;
}

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_LSN_H_
