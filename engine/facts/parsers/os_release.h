#ifndef PGPAIR_ENGINE_FACTS_PARSERS_OS_RELEASE_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_OS_RELEASE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace pgpair {

// /etc/os-release (os-release(5)).
struct OsRelease {
  std::map<std::string, std::string> fields;  // every KEY=value, unquoted
  std::optional<std::string> pretty_name;     // PRETTY_NAME: "Debian GNU/Linux 12 (bookworm)"
  std::optional<std::string> id;              // ID: "debian"
  std::optional<std::string> version_id;      // VERSION_ID: "12"
};

// Parses os-release text: KEY=value lines, values bare or in double or single
// quotes, with the shell escapes \" \\ \$ \` inside double quotes.
// It is not an error if a line is a comment, blank, or not an assignment:
// readers of this file must tolerate that, so such lines are skipped.
// Fails when the text holds no assignment at all.
Result<OsRelease> ParseOsRelease(std::string_view text);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_OS_RELEASE_H_
