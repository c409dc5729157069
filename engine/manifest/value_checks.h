#ifndef PGPAIR_ENGINE_MANIFEST_VALUE_CHECKS_H_
#define PGPAIR_ENGINE_MANIFEST_VALUE_CHECKS_H_

#include <optional>
#include <string>
#include <string_view>

namespace pgpair {

// Pure checks of the text of single manifest values. None of them does I/O;
// the manifest parser turns a failed check into a located message.

// 4 or 6 when `text` is an IPv4 or IPv6 literal (no zone id, no brackets).
std::optional<int> IpVersion(std::string_view text);

// True for a DNS host name (RFC 1123): dot-separated labels of letters, digits
// and hyphens, at most 253 characters. A name whose labels are all numbers is
// refused: it is a mistyped IPv4 address, not a host name.
bool IsHostName(std::string_view text);

// True for "address/prefix": an IPv4 literal with a prefix 0-32 or an IPv6
// literal with a prefix 0-128, as pg_hba.conf's address column takes it.
bool IsCidr(std::string_view text);

// Seconds in "10s", "5m", "1h" or a plain integer number of seconds. Empty
// for anything else, for zero and for more than a day (a typo, not a timeout).
std::optional<int> ParseDurationSeconds(std::string_view text);

// A file mode written in octal ("700", "0700", "0o700") as four digits
// ("0700"). Empty if a digit is not octal or the mode exceeds 07777.
std::optional<std::string> NormalizeOctalMode(std::string_view text);

// A PostgreSQL setting name, lowercased (names are case-insensitive): an
// identifier, or "prefix.identifier" for an extension's setting. Empty if the
// text is neither.
std::optional<std::string> NormalizeSettingName(std::string_view text);

// An environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool IsEnvVarName(std::string_view text);

// A role name pgpair can use unquoted in SQL and pg_hba.conf: a letter or
// underscore, then letters, digits and underscores; at most 63 bytes.
bool IsRoleName(std::string_view text);

// A name given in the manifest itself (the pair, a host): a letter or digit,
// then letters, digits, '_', '.', '-'; at most 63 characters. These names
// appear in addresses such as "hba_rule[primary/...]" and must stay readable.
bool IsManifestName(std::string_view text);

// A Debian cluster "VERSION/NAME", e.g. "15/main" or "9.6/main".
bool IsClusterName(std::string_view text);

// A POSIX login name as useradd accepts it: [a-z_][a-z0-9_-]*, optionally
// ending in '$', at most 32 characters.
bool IsOsUserName(std::string_view text);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_MANIFEST_VALUE_CHECKS_H_
