#ifndef PGPAIR_ENGINE_FACTS_PARSERS_PG_HBA_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_PG_HBA_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts/hba_token.h"

namespace pgpair {

// One record of pg_hba.conf (a line, or lines joined by a trailing backslash).
// A record is exactly one of:
//   a rule     error empty, type a connection type (local, host, hostssl,
//              hostnossl, hostgssenc, hostnogssenc);
//   a directive  error empty, type include, include_if_exists or include_dir
//              (PG 16), include_path set, nothing resolved;
//   an error   error set; the other fields hold what was read before it.
struct HbaLine {
  int line_number = 0;  // 1-based, of the record's first line
  std::string raw;      // the record as written, physical lines joined by '\n'
  std::string type;
  // Comma-separated lists, in order. Keywords (all, replication, sameuser,
  // samerole, samegroup) and "@file" references are kept as written; "+group"
  // stays in users.
  std::vector<HbaToken> databases;
  std::vector<HbaToken> users;
  // host* rules only: "ADDR/BITS" (see NormalizeHbaAddress; a separate netmask
  // column is folded in), a host name or ".suffix" as written, or one of the
  // keywords all, samehost, samenet.
  std::optional<std::string> address;
  std::string method;                          // trust, reject, md5, scram-sha-256, peer, ...
  std::map<std::string, std::string> options;  // name=value after the method
  std::optional<std::string> include_path;     // directives only
  std::optional<std::string> error;            // the server's wording where it has one
};

// Parses the text of a pg_hba.conf. Comments (# outside double quotes, also
// after a rule), blank lines and whitespace-only lines yield nothing; every
// other record yields one HbaLine, in file order.
// It never fails: a malformed record comes back with its error, so that the
// caller can report it with its line number and know the file is not loadable.
// Checks are those of the server's parser that need no configuration: the
// column count, connection types, methods, addresses and masks, and
// name=value options. Option names and their combinations with types are not
// checked; pg_hba_file_rules does that on a running server.
std::vector<HbaLine> ParsePgHba(std::string_view text);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_PG_HBA_H_
