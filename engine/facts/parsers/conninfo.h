#ifndef PGPAIR_ENGINE_FACTS_PARSERS_CONNINFO_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_CONNINFO_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/util/status.h"

namespace pgpair {

// Key/value pairs of a libpq connection string, in the order written.
using ConninfoPairs = std::vector<std::pair<std::string, std::string>>;

// Parses a libpq connection string as libpq does: either "key=value" pairs
// separated by whitespace (values bare or single-quoted, a backslash escapes
// the next character), or a URI "postgresql://user:password@host:port,host2/
// dbname?key=value&..." ("postgres://" too) whose parts are percent-decoded.
// A URI yields user, password, host, port, dbname, then its parameters; several
// hosts come back as one comma-separated host (and port) value, as libpq
// stores them. Key names are not checked against libpq's list.
// It is not an error if the string is empty: there are no pairs.
// Fails with libpq's wording (a key without "=", an unterminated quote, a bad
// percent escape, an unclosed "[" in a URI host).
Result<ConninfoPairs> ParseConninfo(std::string_view conninfo);

// `conninfo` with every password replaced by "********", for logs and
// messages: the values of keys containing "password" (password, sslpassword),
// the password of a URI, and the same inside a dbname that is itself a
// connection string. Everything else is kept as written.
// It never returns the secret, even for a string it cannot parse: then a URI
// keeps only its scheme, and other text is cut after the first "password".
std::string RedactConninfo(std::string_view conninfo);

// A "key=value ..." connection string that libpq reads back as `pairs`.
// Values are quoted as libpq's own tools quote them: bare when they hold only
// letters, digits, '_' and '.', otherwise single-quoted with ' and \ escaped.
std::string BuildConninfo(const ConninfoPairs& pairs);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_CONNINFO_H_
