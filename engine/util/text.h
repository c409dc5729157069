#ifndef PGPAIR_ENGINE_UTIL_TEXT_H_
#define PGPAIR_ENGINE_UTIL_TEXT_H_

#include <string>

namespace pgpair {

// `text` without trailing newlines and blanks: command output as one value.
inline std::string TrimTrailing(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_TEXT_H_
