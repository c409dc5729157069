#include "engine/facts/parsers/hba_address.h"

#include <catch2/catch.hpp>

namespace pgpair {
namespace {

TEST_CASE("NormalizeHbaAddress writes every address column as ADDR/BITS", "[hba_address]") {
  struct Case {
    const char* address;
    const char* netmask;     // nullptr: no netmask column
    const char* normalized;  // nullptr: the server rejects it
  };
  const Case cases[] = {
      // CIDR stays CIDR.
      {"198.18.0.12/32", nullptr, "198.18.0.12/32"},
      // A netmask column folds in.
      {"198.18.0.0", "255.255.255.0", "198.18.0.0/24"},
      {"127.0.0.1", "255.255.255.255", "127.0.0.1/32"},
      {"0.0.0.0", "0.0.0.0", "0.0.0.0/0"},
      // IPv6 in its shortest form, with both spellings.
      {"::0/0", nullptr, "::/0"},
      {"2001:DB8:0:0::/32", nullptr, "2001:db8::/32"},
      {"::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1/128"},
      // Host bits are kept: the server masks them when it compares.
      {"10.0.0.1/8", nullptr, "10.0.0.1/8"},
      // A mask with a hole cannot be bits; the server still accepts it.
      {"10.0.0.1", "255.0.255.0", "10.0.0.1/255.0.255.0"},
      // Too many bits for the family.
      {"10.0.0.0/33", nullptr, nullptr},
      {"::/129", nullptr, nullptr},
      // Bits must be a plain decimal number.
      {"10.0.0.0/", nullptr, nullptr},
      {"10.0.0.0/8x", nullptr, nullptr},
      // An address and a mask of different families.
      {"fe80::1", "255.255.255.255", nullptr},
      // No mask at all.
      {"10.0.0.1", nullptr, nullptr},
      // A host name is not an address.
      {"db.example.com", "255.255.255.255", nullptr},
  };
  for (const Case& c : cases) {
    INFO(c.address << " " << (c.netmask ? c.netmask : "(no netmask)"));
    std::optional<std::string_view> netmask;
    if (c.netmask) netmask = c.netmask;
    auto normalized = NormalizeHbaAddress(c.address, netmask);
    if (c.normalized) {
      REQUIRE(normalized.ok());
      CHECK(*normalized == c.normalized);
    } else {
      CHECK_FALSE(normalized.ok());
    }
  }
}

TEST_CASE("HbaAddressCoverage tells how much of a client range a rule covers", "[hba_address]") {
  struct Case {
    const char* rule;
    const char* ip;
    std::optional<HbaCoverage> covers;  // nullopt: cannot tell without the server
  };
  constexpr HbaCoverage kAll = HbaCoverage::kAll;
  constexpr HbaCoverage kSome = HbaCoverage::kSome;
  constexpr HbaCoverage kNone = HbaCoverage::kNone;
  const Case cases[] = {
      // The whole IPv4 space covers any IPv4 client...
      {"0.0.0.0/0", "198.18.0.12", kAll},
      // ... and no IPv6 client: the server never matches across families.
      {"0.0.0.0/0", "2001:db8::1", kNone},
      {"::/0", "198.18.0.12", kNone},
      {"::/0", "2001:db8::1", kAll},
      // "all" matches every address.
      {"all", "198.18.0.12", kAll},
      {"all", "::1", kAll},
      // samehost/samenet depend on the server's interfaces.
      {"samehost", "127.0.0.1", std::nullopt},
      {"samenet", "10.0.0.5", std::nullopt},
      // A host name depends on DNS.
      {"standby.example.com", "198.18.0.12", std::nullopt},
      {".example.com", "198.18.0.12", std::nullopt},
      // Inside and outside a /24.
      {"198.18.0.0/24", "198.18.0.12", kAll},
      {"198.18.0.0/24", "198.18.1.12", kNone},
      // A /32 is one address.
      {"198.18.0.12/32", "198.18.0.12", kAll},
      {"198.18.0.12/32", "198.18.0.13", kNone},
      // Host bits in the rule are masked, as in the server.
      {"10.1.2.3/8", "10.200.0.1", kAll},
      // A range is covered only when it lies wholly inside the rule (this is
      // how an earlier broad line shadows the rule the engine wants); a
      // rule inside the range takes some of it.
      {"198.18.0.0/16", "198.18.0.0/24", kAll},
      {"198.18.0.0/24", "198.18.0.0/16", kSome},
      // A range that shares no address with the rule.
      {"198.18.0.0/24", "10.0.0.0/8", kNone},
      // An IPv6 range partly inside a prefix.
      {"2001:db8::/64", "2001:db8::/32", kSome},
      {"0.0.0.0/0", "198.18.0.12/32", kAll},
      // A mask with a hole, as the server applies it.
      {"10.0.0.1/255.0.255.0", "10.9.0.77", kAll},
      {"10.0.0.1/255.0.255.0", "10.9.1.77", kNone},
      // IPv6 prefixes, including a mixed-case spelling.
      {"2001:DB8::/32", "2001:db8:ffff::1", kAll},
      {"2001:db8::/32", "2001:db9::1", kNone},
      {"::1/128", "::1", kAll},
      // A plain address as the rule means that address.
      {"198.18.0.12", "198.18.0.12", kAll},
      // An unreadable client address cannot be judged.
      {"0.0.0.0/0", "not-an-ip", std::nullopt},
      {"0.0.0.0/0", "198.18.0.300", std::nullopt},
  };
  for (const Case& c : cases) {
    INFO(c.rule << " covers " << c.ip);
    CHECK(HbaAddressCoverage(c.rule, c.ip) == c.covers);
  }
}

TEST_CASE("SameHbaRange compares address columns in any spelling", "[hba_address]") {
  CHECK(SameHbaRange("198.18.0.12/32", "198.18.0.12"));
  CHECK(SameHbaRange("2001:0db8:0::12/128", "2001:db8::12/128"));
  CHECK(SameHbaRange("10.1.2.3/8", "10.0.0.0/8"));  // host bits are masked
  CHECK(SameHbaRange(".example.com", ".example.com"));
  CHECK_FALSE(SameHbaRange("198.18.0.0/24", "198.18.0.0/16"));
  CHECK_FALSE(SameHbaRange("198.18.0.12/32", "198.18.0.13/32"));
  CHECK_FALSE(SameHbaRange("0.0.0.0/0", "::/0"));
  CHECK_FALSE(SameHbaRange("samenet", "198.18.0.0/24"));
}

TEST_CASE("IsIpAddress separates addresses from host names", "[hba_address]") {
  // Numeric addresses of both families.
  CHECK(IsIpAddress("10.0.0.1"));
  CHECK(IsIpAddress("::1"));
  CHECK(IsIpAddress("fe80::1%lo"));
  // Names, an out-of-range octet and bits are not addresses.
  CHECK_FALSE(IsIpAddress("localhost"));
  CHECK_FALSE(IsIpAddress("10.0.0.300"));
  CHECK_FALSE(IsIpAddress("10.0.0.0/8"));
  CHECK_FALSE(IsIpAddress(""));
}

}  // namespace
}  // namespace pgpair
