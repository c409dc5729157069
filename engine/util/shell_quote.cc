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

std::string ScriptCommand(std::string_view script, std::string_view name,
                          const std::vector<std::string>& args) {
  std::string command = "/bin/sh -c " + ShellQuote(script) + " " + ShellQuote(name);
  for (const std::string& arg : args) command += " " + ShellQuote(arg);
  return command;
}

}  // namespace pgpair
