#include "engine/cli/shard.h"

#include <charconv>

namespace pgpair {
namespace {

constexpr uint64_t kMaxShards = 1000000;

bool ParseDecimal(const std::string& text, uint64_t* value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<Shard> ParseShard(const std::string& text) {
  size_t slash = text.find('/');
  Shard shard;
  if (slash == std::string::npos || !ParseDecimal(text.substr(0, slash), &shard.index) ||
      !ParseDecimal(text.substr(slash + 1), &shard.count) || shard.count == 0 ||
      shard.count > kMaxShards || shard.index == 0 || shard.index > shard.count) {
    return Status::Error("--shard " + text +
                         ": expected K/N with 1 <= K <= N (e.g. 2/4: the second of four "
                         "shares)");
  }
  return shard;
}

uint64_t Fnv1a64(const std::string& name) {
  uint64_t hash = 14695981039346656037ULL;  // the FNV-1a 64-bit offset basis
  for (unsigned char byte : name) {
    hash ^= byte;
    hash *= 1099511628211ULL;  // the FNV 64-bit prime
  }
  return hash;
}

bool InShard(const std::string& name, const Shard& shard) {
  return Fnv1a64(name) % shard.count == shard.index - 1;
}

}  // namespace pgpair
