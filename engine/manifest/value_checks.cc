#include "engine/manifest/value_checks.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

#include "engine/util/text.h"

namespace pgpair {
namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c); }

bool IsIdentifier(std::string_view text) {
  if (text.empty() || !(IsAsciiAlpha(text[0]) || text[0] == '_')) return false;
  for (char c : text) {
    if (!(IsAsciiAlnum(c) || c == '_')) return false;
  }
  return true;
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsAsciiDigit(c)) return false;
  }
  return true;
}

// std::from_chars accepts no sign or spaces, which is what we want: " 10" or
// "+10" in a manifest is a typo to report, not a number to guess at.
std::optional<long> ParseDecimal(std::string_view text) {
  if (!AllDigits(text)) return std::nullopt;
  long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<int> IpVersion(std::string_view text) {
  std::string copy(text);  // inet_pton needs a NUL-terminated string
  unsigned char buffer[16];
  if (inet_pton(AF_INET, copy.c_str(), buffer) == 1) return 4;
  if (inet_pton(AF_INET6, copy.c_str(), buffer) == 1) return 6;
  return std::nullopt;
}

bool IsHostName(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  if (text.back() == '.') text.remove_suffix(1);  // a fully qualified name
  bool all_numeric = true;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('.', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view label = text.substr(start, end - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!(IsAsciiAlnum(c) || c == '-')) return false;
    }
    if (!AllDigits(label)) all_numeric = false;
    start = end + 1;
  }
  return !all_numeric;
}

bool IsCidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::optional<int> version = IpVersion(text.substr(0, slash));
  std::optional<long> prefix = ParseDecimal(text.substr(slash + 1));
  if (!version || !prefix) return false;
  return *prefix <= (*version == 4 ? 32 : 128);
}

std::optional<int> ParseDurationSeconds(std::string_view text) {
  constexpr long kMaxSeconds = 24 * 60 * 60;
  long unit = 1;
  if (!text.empty() && !IsAsciiDigit(text.back())) {
    switch (text.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      default:
        return std::nullopt;
    }
    text.remove_suffix(1);
  }
  std::optional<long> count = ParseDecimal(text);
  if (!count || *count == 0 || *count > kMaxSeconds / unit) return std::nullopt;
  return static_cast<int>(*count * unit);
}

std::optional<std::string> NormalizeOctalMode(std::string_view text) {
  std::optional<int> mode = ParseOctalMode(text);
  if (!mode) return std::nullopt;
  return FormatOctalMode(static_cast<unsigned>(*mode));
}

std::optional<std::string> NormalizeSettingName(std::string_view text) {
  size_t dot = text.find('.');
  bool valid = dot == std::string_view::npos
                   ? IsIdentifier(text)
                   : IsIdentifier(text.substr(0, dot)) && IsIdentifier(text.substr(dot + 1));
  if (!valid) return std::nullopt;
  return Lowercase(text);
}

bool IsEnvVarName(std::string_view text) { return IsIdentifier(text); }

bool IsRoleName(std::string_view text) { return text.size() <= 63 && IsIdentifier(text); }

bool IsManifestName(std::string_view text) {
  if (text.empty() || text.size() > 63 || !IsAsciiAlnum(text[0])) return false;
  for (char c : text) {
    if (!(IsAsciiAlnum(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

bool IsClusterName(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view version = text.substr(0, slash);
  std::string_view name = text.substr(slash + 1);
  size_t dot = version.find('.');
  bool version_ok = dot == std::string_view::npos
                        ? AllDigits(version)
                        : AllDigits(version.substr(0, dot)) && AllDigits(version.substr(dot + 1));
  if (!version_ok || name.empty()) return false;
  for (char c : name) {
    if (!(IsAsciiAlnum(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

bool IsOsUserName(std::string_view text) {
  if (!text.empty() && text.back() == '$') text.remove_suffix(1);
  if (text.empty() || text.size() > 32) return false;
  if (!((text[0] >= 'a' && text[0] <= 'z') || text[0] == '_')) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || IsAsciiDigit(c) || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace pgpair
