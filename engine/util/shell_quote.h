#ifndef PGPAIR_ENGINE_UTIL_SHELL_QUOTE_H_
#define PGPAIR_ENGINE_UTIL_SHELL_QUOTE_H_

#include <string>
#include <string_view>

namespace pgpair {

// Quotes `value` for a POSIX shell so that it reaches the command as exactly
// one word, whatever it holds. This is the only function through which a value
// may reach a remote shell.
std::string ShellQuote(std::string_view value);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_SHELL_QUOTE_H_
