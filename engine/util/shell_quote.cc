#include "engine/util/shell_quote.h"

namespace pgpair {

std::string ShellQuote(std::string_view value) {
  // Words made only of these characters need no quoting; leaving them bare
  // keeps commands readable in logs.
  static constexpr std::string_view kSafe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%";
  if (!value.empty() && value.find_first_not_of(kSafe) == std::string_view::npos) {
    return std::string(value);
  }
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += '\'';
  return quoted;
}

}  // namespace pgpair
