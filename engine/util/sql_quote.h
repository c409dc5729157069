#ifndef PGPAIR_ENGINE_UTIL_SQL_QUOTE_H_
#define PGPAIR_ENGINE_UTIL_SQL_QUOTE_H_

#include <string>

namespace pgpair {

// SQL that pgpair sends through psql on a host's standard input cannot use
// bind parameters; every value in it goes through one of these.

// `name` as an SQL identifier: in double quotes, inner ones doubled.
std::string QuoteSqlIdentifier(const std::string& name);

// `value` as an SQL string literal: in single quotes, inner ones doubled;
// with a backslash in it, written E'...' with backslashes doubled, so that it
// reads the same whatever standard_conforming_strings says.
std::string QuoteSqlLiteral(const std::string& value);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_SQL_QUOTE_H_
