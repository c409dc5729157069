#ifndef PGPAIR_ENGINE_UTIL_SHELL_QUOTE_H_
#define PGPAIR_ENGINE_UTIL_SHELL_QUOTE_H_

#include <string>
#include <string_view>
#include <vector>

namespace pgpair {

// Quotes `value` for a POSIX shell so that it reaches the command as exactly
// one word, whatever it holds. This is the only function through which a value
// may reach a remote shell.
std::string ShellQuote(std::string_view value);

// The command line that runs `script` (the text of a /bin/sh script, as
// compiled in from one of pgpair's .sh files) with `name` as its $0 (how ps
// and the shell's own messages name it) and `args` as $1, $2, ...:
//   /bin/sh -c SCRIPT NAME ARG...
// every word through ShellQuote, so that each argument reaches the script
// as it is, whatever it holds. This is how pgpair runs a remote script: the
// script's text never has a value pasted into it.
std::string ScriptCommand(std::string_view script, std::string_view name,
                          const std::vector<std::string>& args);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_SHELL_QUOTE_H_
