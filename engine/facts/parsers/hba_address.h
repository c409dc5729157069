#ifndef PGPAIR_ENGINE_FACTS_PARSERS_HBA_ADDRESS_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_HBA_ADDRESS_H_

#include <optional>
#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace pgpair {

// Whether `text` is a numeric IPv4 or IPv6 address (no "/bits"), decided as the
// server decides between an address and a host name in pg_hba.conf.
bool IsIpAddress(std::string_view text);

// The address column of a pg_hba.conf host line in one form, "ADDR/BITS":
// "10.0.0.0/8" stays so, "10.0.0.0" with the netmask column "255.0.0.0"
// becomes "10.0.0.0/8", and "::0/0" becomes "::/0". The address part is
// written as the system writes numeric addresses; host bits are kept.
// A netmask that is not contiguous (the server accepts 255.0.255.0) cannot be
// written with bits and is kept as "ADDR/MASK".
// Fails, with the server's wording, for a bad mask, a mask of the other
// family, or a missing mask. Not for host names or all/samehost/samenet.
Result<std::string> NormalizeHbaAddress(std::string_view address,
                                        std::optional<std::string_view> netmask);

// How much of a range of client addresses a pg_hba.conf address column takes.
enum class HbaCoverage {
  kNone,  // no address of the range
  kSome,  // some of them, not all
  kAll,   // every one
};

// How much of `client` (one address, "ADDR/BITS" or "ADDR/MASK") the
// pg_hba.conf address column `rule_address` covers, either family. The column
// is as NormalizeHbaAddress writes it, or a plain address meaning just that
// address. "all" covers everything; an IPv4 rule never covers an IPv6 client,
// as in the server; host bits of the rule are masked. Empty means "cannot
// tell here": samehost and samenet depend on the server's interfaces, a host
// name on DNS, and an unreadable address on nothing known.
std::optional<HbaCoverage> HbaAddressCoverage(std::string_view rule_address,
                                              std::string_view client);

// Whether two address columns name the same range, in any spelling
// ("198.18.0.12" and "198.18.0.12/32", "2001:0db8::12/128" and
// "2001:db8::12/128"). Textually equal columns (host names too) are the same.
bool SameHbaRange(std::string_view a, std::string_view b);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_HBA_ADDRESS_H_
