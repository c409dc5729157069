#ifndef PGPAIR_ENGINE_CLI_SHARD_H_
#define PGPAIR_ENGINE_CLI_SHARD_H_

#include <cstdint>
#include <string>

#include "engine/util/status.h"

namespace pgpair {

// `--shard K/N`: the K-th of N shares of a fleet (K in 1..N), so that N
// machines each check their share without a coordinator.
struct Shard {
  uint64_t index = 1;  // K, 1-based
  uint64_t count = 1;  // N
};

// Parses "K/N" (decimal, 1 <= K <= N <= 1000000); the message names the text.
Result<Shard> ParseShard(const std::string& text);

// FNV-1a, 64 bits, of the bytes of `name`: the same number on every platform
// and whatever the order of the files.
uint64_t Fnv1a64(const std::string& name);

// Whether the pair named `name` belongs to `shard`: Fnv1a64(name) mod N is
// K - 1. Every name belongs to exactly one of the N shards.
bool InShard(const std::string& name, const Shard& shard);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_SHARD_H_
