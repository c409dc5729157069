#include "engine/facts/parsers/hba_address.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace pgpair {
namespace {

struct Ip {
  int family = AF_UNSPEC;
  std::array<unsigned char, 16> bytes{};
  size_t size() const { return family == AF_INET ? 4 : 16; }
};

// The server reads addresses with getaddrinfo(AI_NUMERICHOST), which never
// touches DNS; using the same call accepts the same spellings (including
// IPv6 scope ids). Empty for anything that is not a numeric address.
std::optional<Ip> ParseIp(std::string_view text) {
  if (text.empty()) return std::nullopt;
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_family = AF_UNSPEC;
  addrinfo* result = nullptr;
  std::string host(text);
  if (getaddrinfo(host.c_str(), nullptr, &hints, &result) != 0 || result == nullptr) {
    return std::nullopt;
  }
  Ip ip;
  ip.family = result->ai_family;
  if (ip.family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(result->ai_addr);
    std::memcpy(ip.bytes.data(), &in->sin_addr, 4);
  } else if (ip.family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(result->ai_addr);
    std::memcpy(ip.bytes.data(), &in6->sin6_addr, 16);
  } else {
    freeaddrinfo(result);
    return std::nullopt;
  }
  freeaddrinfo(result);
  return ip;
}

// The numeric form the system writes, via getnameinfo as the server does for
// pg_hba_file_rules; the scope id of a link-local address is kept.
std::string FormatIp(std::string_view original) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* result = nullptr;
  std::string host(original);
  if (getaddrinfo(host.c_str(), nullptr, &hints, &result) != 0 || result == nullptr) return host;
  char buffer[NI_MAXHOST];
  int rc = getnameinfo(result->ai_addr, result->ai_addrlen, buffer, sizeof(buffer), nullptr, 0,
                       NI_NUMERICHOST);
  freeaddrinfo(result);
  return rc == 0 ? std::string(buffer) : host;
}

// pg_sockaddr_cidr_mask(): a decimal count of bits, within the family's size.
std::optional<int> ParseBits(std::string_view text, int family) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int bits = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    bits = bits * 10 + (c - '0');
  }
  if (bits > (family == AF_INET ? 32 : 128)) return std::nullopt;
  return bits;
}

Ip MaskFromBits(int family, int bits) {
  Ip mask;
  mask.family = family;
  for (size_t i = 0; i < mask.size(); ++i) {
    int take = bits > 8 ? 8 : (bits < 0 ? 0 : bits);
    mask.bytes[i] = static_cast<unsigned char>((0xff00 >> take) & 0xff);
    bits -= 8;
  }
  return mask;
}

// The number of leading one bits, or empty when ones follow a zero.
std::optional<int> ContiguousBits(const Ip& mask) {
  int bits = 0;
  bool seen_zero = false;
  for (size_t i = 0; i < mask.size(); ++i) {
    for (int b = 7; b >= 0; --b) {
      bool one = (mask.bytes[i] >> b) & 1;
      if (one && seen_zero) return std::nullopt;
      if (one)
        ++bits;
      else
        seen_zero = true;
    }
  }
  return bits;
}

struct Range {
  Ip address;
  Ip mask;
};

// "ADDR", "ADDR/BITS" or "ADDR/MASK".
std::optional<Range> ParseRange(std::string_view text) {
  size_t slash = text.find('/');
  std::optional<Ip> address = ParseIp(text.substr(0, slash));
  if (!address) return std::nullopt;
  if (slash == std::string_view::npos) {
    return Range{*address, MaskFromBits(address->family, address->family == AF_INET ? 32 : 128)};
  }
  std::string_view suffix = text.substr(slash + 1);
  if (auto bits = ParseBits(suffix, address->family)) {
    return Range{*address, MaskFromBits(address->family, *bits)};
  }
  std::optional<Ip> mask = ParseIp(suffix);
  if (!mask || mask->family != address->family) return std::nullopt;
  return Range{*address, *mask};
}

}  // namespace

bool IsIpAddress(std::string_view text) { return ParseIp(text).has_value(); }

Result<std::string> NormalizeHbaAddress(std::string_view address,
                                        std::optional<std::string_view> netmask) {
  size_t slash = address.find('/');
  std::string_view host = address.substr(0, slash);
  std::optional<Ip> ip = ParseIp(host);
  if (!ip) return Status::Error("invalid IP address \"" + std::string(host) + "\"");
  if (slash != std::string_view::npos) {
    std::optional<int> bits = ParseBits(address.substr(slash + 1), ip->family);
    if (!bits)
      return Status::Error("invalid CIDR mask in address \"" + std::string(address) + "\"");
    return FormatIp(host) + "/" + std::to_string(*bits);
  }
  if (!netmask) return Status::Error("end-of-line before netmask specification");
  std::optional<Ip> mask = ParseIp(*netmask);
  if (!mask) return Status::Error("invalid IP mask \"" + std::string(*netmask) + "\"");
  if (mask->family != ip->family) return Status::Error("IP address and mask do not match");
  std::optional<int> bits = ContiguousBits(*mask);
  if (!bits) return FormatIp(host) + "/" + FormatIp(*netmask);
  return FormatIp(host) + "/" + std::to_string(*bits);
}

std::optional<HbaCoverage> HbaAddressCoverage(std::string_view rule_address,
                                              std::string_view client) {
  std::optional<Range> from = ParseRange(client);
  if (!from) return std::nullopt;
  if (rule_address == "all") return HbaCoverage::kAll;
  std::optional<Range> rule = ParseRange(rule_address);
  if (!rule) return std::nullopt;  // samehost, samenet, a host name, or unreadable
  if (rule->address.family != from->address.family) return HbaCoverage::kNone;
  bool every = true;
  for (size_t i = 0; i < rule->address.size(); ++i) {
    // Bits both fix must agree, or no client of the range is in the rule.
    unsigned char common = rule->mask.bytes[i] & from->mask.bytes[i];
    if ((rule->address.bytes[i] ^ from->address.bytes[i]) & common) return HbaCoverage::kNone;
    // A bit the rule fixes and the range leaves free: only some clients match.
    if (rule->mask.bytes[i] & ~from->mask.bytes[i]) every = false;
  }
  return every ? HbaCoverage::kAll : HbaCoverage::kSome;
}

bool SameHbaRange(std::string_view a, std::string_view b) {
  if (a == b) return true;
  std::optional<Range> x = ParseRange(a);
  std::optional<Range> y = ParseRange(b);
  if (!x || !y || x->address.family != y->address.family) return false;
  for (size_t i = 0; i < x->address.size(); ++i) {
    if (x->mask.bytes[i] != y->mask.bytes[i]) return false;
  }
  return HbaAddressCoverage(a, b) == HbaCoverage::kAll;
}

}  // namespace pgpair
