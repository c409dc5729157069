#ifndef PGPAIR_TESTS_UNIT_FAKES_SCRIPT_CALL_H_
#define PGPAIR_TESTS_UNIT_FAKES_SCRIPT_CALL_H_

#include <optional>
#include <string>
#include <vector>

namespace pgpair {

// The words of `command` as a POSIX shell splits them, for the subset that
// ShellQuote produces: bare words, '...' quoting, and \' between quoted
// parts. Empty when `command` holds anything else (a variable, a pipe, a
// double quote, an unclosed quote), so that a test reading it fails rather
// than guesses.
inline std::optional<std::vector<std::string>> ShellWords(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (c == '\'') {
      size_t end = command.find('\'', i + 1);
      if (end == std::string::npos) return std::nullopt;
      word += command.substr(i + 1, end - i - 1);
      in_word = true;
      i = end;
    } else if (c == '\\') {
      if (i + 1 >= command.size()) return std::nullopt;
      word += command[++i];
      in_word = true;
    } else if (c == ' ') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if (std::string("\"$`;&|<>()*?[]{}~#\n\t").find(c) != std::string::npos) {
      return std::nullopt;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

// A command made by ScriptCommand (engine/util/shell_quote.h), read back:
// the script's text, its $0 and its arguments.
struct ScriptCall {
  std::string script;
  std::string name;
  std::vector<std::string> args;
};

// Empty when `command` is not `/bin/sh -c SCRIPT NAME ARG...` in
// ShellQuote's words.
inline std::optional<ScriptCall> ParseScriptCommand(const std::string& command) {
  std::optional<std::vector<std::string>> words = ShellWords(command);
  if (!words || words->size() < 4 || (*words)[0] != "/bin/sh" || (*words)[1] != "-c") {
    return std::nullopt;
  }
  return ScriptCall{(*words)[2], (*words)[3],
                    std::vector<std::string>(words->begin() + 4, words->end())};
}

// The arguments of `command` when it runs the script named `name` (its $0);
// empty when it runs anything else.
inline std::optional<std::vector<std::string>> ScriptArgs(const std::string& command,
                                                          const std::string& name) {
  std::optional<ScriptCall> call = ParseScriptCommand(command);
  if (!call || call->name != name) return std::nullopt;
  return call->args;
}

// What FakeTransport::OnCommand can match to answer the script named `name`
// called with `first` as its first argument: the end of the quoted script,
// then $0 and $1. `first` must be a word ShellQuote leaves bare.
inline std::string ScriptCalled(const std::string& name, const std::string& first = "") {
  return "' " + name + " " + first;
}

}  // namespace pgpair

#endif  // PGPAIR_TESTS_UNIT_FAKES_SCRIPT_CALL_H_
