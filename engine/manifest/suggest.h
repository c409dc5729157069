#ifndef PGPAIR_ENGINE_MANIFEST_SUGGEST_H_
#define PGPAIR_ENGINE_MANIFEST_SUGGEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgpair {

// The candidate closest to `word` ("adress" -> "address"), for "did you mean"
// hints. Case is ignored. Empty when no candidate is close enough to be a
// likely typo: at most two edits, and fewer than half of the word's letters.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_MANIFEST_SUGGEST_H_
