#ifndef PGPAIR_ENGINE_FACTS_PARSERS_POSTGRESQL_CONF_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_POSTGRESQL_CONF_H_

#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace pgpair {

// One setting line of a file in postgresql.conf syntax (postgresql.conf,
// postgresql.auto.conf, conf.d/*.conf, and recovery.conf up to 11).
struct ConfEntry {
  std::string name;         // lowercased: the server matches names case-insensitively
  std::string value;        // as the server reads it: quotes removed, escapes applied
  std::string raw_value;    // the value token as written, quotes included
  int line_number = 0;      // 1-based
  bool is_include = false;  // include, include_if_exists or include_dir; value is the path
};

// Parses the text of a configuration file the way the server's lexer
// (guc-file.l) does. Entries come back in file order with duplicates kept: the
// server lets the last one win, and a caller that edits the file must see all.
// Include directives are recorded, not followed.
// It is not an error if the text is empty or holds only comments.
// A syntax error on any line fails the whole parse, and the message names every
// bad line: the server, too, applies nothing from such a file.
Result<std::vector<ConfEntry>> ParseConfFile(std::string_view text);

// The value the server reads from one value token: a single-quoted token loses
// its quotes and has '' and backslash escapes (\n \t \b \f \r, octal \ooo, and
// \x for any other x) applied; any other token is returned as written.
// Fails for a token that opens a quote and does not close it.
Result<std::string> UnquoteConfValue(std::string_view raw);

// What to write after "name = " so that the server reads back exactly `value`:
// always single-quoted, with quotes and backslashes escaped as ALTER SYSTEM
// does, and newline, carriage return, backspace and form feed written as
// escapes because a quoted value cannot span lines.
// A NUL byte cannot be represented (the server's values are C strings): it and
// everything after it is dropped.
std::string QuoteConfValue(std::string_view value);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_POSTGRESQL_CONF_H_
