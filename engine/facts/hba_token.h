#ifndef PGPAIR_ENGINE_FACTS_HBA_TOKEN_H_
#define PGPAIR_ENGINE_FACTS_HBA_TOKEN_H_

#include <string>
#include <string_view>

namespace pgpair {

// Whether `word` is one of pg_hba.conf's keywords of the database and user
// columns (all, replication, sameuser, samerole, samegroup) when unquoted.
inline bool IsHbaKeyword(std::string_view word) {
  return word == "all" || word == "replication" || word == "sameuser" || word == "samerole" ||
         word == "samegroup";
}

// One name in the database or user column of pg_hba.conf, as the server's
// tokenizer reads it. A quoted name is never a keyword, a +group or an
// @file: "replication" in double quotes is a database called replication.
struct HbaToken {
  std::string value;    // quotes removed, "" read as "
  bool quoted = false;  // written with a leading double quote

  // True for the unquoted keyword `word` (all, replication, sameuser, ...).
  bool IsKeyword(std::string_view word) const { return !quoted && value == word; }
  // True for an unquoted token starting with `mark` ('+' a group, '@' a
  // file of names); a quoted "+admins" is the role called +admins.
  bool StartsWith(char mark) const { return !quoted && !value.empty() && value[0] == mark; }
  // The token as pg_hba.conf writes it: in double quotes (inner quotes
  // doubled) when it was quoted, else as is.
  std::string Written() const {
    if (!quoted) return value;
    std::string text = "\"";
    for (char c : value) text += c == '"' ? std::string("\"\"") : std::string(1, c);
    return text + "\"";
  }
  bool operator==(const HbaToken& other) const {
    return value == other.value && quoted == other.quoted;
  }
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_HBA_TOKEN_H_
