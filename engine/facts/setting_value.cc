#include "engine/facts/setting_value.h"

#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>

#include "engine/facts/parsers/postgresql_conf.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// pg_strncasecmp(value, word, n) == 0 for n = max(len(value), min_length):
// value is a prefix of word, at least min_length long.
bool IsPrefixOf(std::string_view value, std::string_view word, size_t min_length) {
  if (value.size() < min_length || value.size() > word.size()) return false;
  return Lowercase(value) == word.substr(0, value.size());
}

// The units a value may carry, largest first, each with its size in the
// smallest unit of its kind (bytes, microseconds). The server rounds a
// fractional value to the next smaller unit of this order.
struct UnitSize {
  const char* name;
  double size;
};
constexpr UnitSize kMemoryUnits[] = {{"TB", 1024.0 * 1024 * 1024 * 1024},
                                     {"GB", 1024.0 * 1024 * 1024},
                                     {"MB", 1024.0 * 1024},
                                     {"kB", 1024.0},
                                     {"B", 1.0}};
constexpr UnitSize kTimeUnits[] = {{"d", 86400e6}, {"h", 3600e6}, {"min", 60e6},
                                   {"s", 1e6},     {"ms", 1e3},   {"us", 1.0}};

template <size_t N>
std::optional<size_t> FindUnit(const UnitSize (&units)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (name == units[i].name) return i;
  }
  return std::nullopt;
}

// A setting's own unit, as pg_settings.unit spells it: an optional count and
// a unit name ("8kB" is blocks of 8 kB, "16MB" WAL segments).
struct BaseUnit {
  bool is_memory;
  double size;  // in bytes or microseconds
};

Result<BaseUnit> ParseBaseUnit(const std::string& unit) {
  size_t digits = 0;
  while (digits < unit.size() && unit[digits] >= '0' && unit[digits] <= '9') ++digits;
  double count = digits == 0 ? 1.0 : std::stod(unit.substr(0, digits));
  std::string_view name = std::string_view(unit).substr(digits);
  if (auto i = FindUnit(kMemoryUnits, name)) return BaseUnit{true, count * kMemoryUnits[*i].size};
  if (auto i = FindUnit(kTimeUnits, name)) return BaseUnit{false, count * kTimeUnits[*i].size};
  return Status::Error("unknown unit \"" + unit + "\" in pg_settings");
}

// convert_to_base_unit() in guc.c: multiply into the setting's unit, then
// round a fraction to the next smaller unit. Dividing sizes gives the same
// doubles as the server's table because both are correctly rounded quotients
// of the same integers.
Result<double> ConvertToBaseUnit(double value, std::string_view unit,
                                 const std::string& setting_unit, const std::string& setting_name) {
  auto base = ParseBaseUnit(setting_unit);
  if (!base.ok()) return base.status();
  const UnitSize* units = base->is_memory ? kMemoryUnits : kTimeUnits;
  size_t count = base->is_memory ? std::size(kMemoryUnits) : std::size(kTimeUnits);
  for (size_t i = 0; i < count; ++i) {
    if (unit != units[i].name) continue;
    double converted = value * (units[i].size / base->size);
    if (i + 1 < count) {
      double next = units[i + 1].size / base->size;
      converted = std::rint(converted / next) * next;
    }
    return converted;
  }
  return Status::Error("invalid unit \"" + std::string(unit) + "\" for setting \"" + setting_name +
                       "\": valid units are " +
                       (base->is_memory ? "B, kB, MB, GB and TB" : "us, ms, s, min, h and d"));
}

// strtod() without its dependence on the C locale's decimal point. Returns the
// number of characters read, 0 when there is no number.
size_t ParseDouble(std::string_view s, double* out) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) return 0;
  double value = 0;
  auto [end, error] = std::from_chars(s.data() + i, s.data() + s.size(), value);
  if (error != std::errc()) return 0;
  *out = negative ? -value : value;
  return static_cast<size_t>(end - s.data());
}

// parse_int() and parse_real() in guc.c: a number, optional whitespace, an
// optional unit, optional whitespace.
Result<double> ParseNumber(const SettingType& type, std::string_view value) {
  const std::string what =
      "invalid value \"" + std::string(value) + "\" for setting \"" + type.name + "\"";
  double number = 0;
  size_t used = 0;
  if (type.vartype == SettingVartype::kInteger) {
    // Integers may be written in octal or hex; a '.' or exponent makes the
    // server read the text again as a real.
    std::string text(value);
    char* end = nullptr;
    errno = 0;
    long integer = std::strtol(text.c_str(), &end, 0);
    used = static_cast<size_t>(end - text.c_str());
    bool reread =
        errno == ERANGE ||
        (used < text.size() && (text[used] == '.' || text[used] == 'e' || text[used] == 'E'));
    if (reread) {
      used = ParseDouble(value, &number);
    } else {
      number = static_cast<double>(integer);
    }
  } else {
    used = ParseDouble(value, &number);
  }
  if (used == 0 || std::isnan(number) || std::isinf(number)) {
    return Status::Error(what + ": not a number");
  }
  std::string_view rest = value.substr(used);
  while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && IsSpace(rest.back())) rest.remove_suffix(1);
  if (!rest.empty()) {
    if (type.unit.empty()) return Status::Error(what + ": this setting does not take a unit");
    auto converted = ConvertToBaseUnit(number, rest, type.unit, type.name);
    if (!converted.ok()) return converted.status();
    number = *converted;
  }
  if (type.vartype == SettingVartype::kInteger) {
    number = std::rint(number);
    if (number > INT_MAX || number < INT_MIN) {
      return Status::Error(what + ": out of range for an integer setting");
    }
  }
  return number;
}

std::string FormatReal(double value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

// Values the server accepts for an enum without listing them in enumvals
// (hidden entries of the enum's options in guc.c).
struct EnumAlias {
  const char* setting;
  const char* alias;
  const char* canonical;
};
constexpr EnumAlias kEnumAliases[] = {
    {"wal_level", "archive", "replica"},  {"wal_level", "hot_standby", "replica"},
    {"synchronous_commit", "true", "on"}, {"synchronous_commit", "yes", "on"},
    {"synchronous_commit", "1", "on"},    {"synchronous_commit", "false", "off"},
    {"synchronous_commit", "no", "off"},  {"synchronous_commit", "0", "off"},
    {"archive_mode", "true", "on"},       {"archive_mode", "yes", "on"},
    {"archive_mode", "1", "on"},          {"archive_mode", "false", "off"},
    {"archive_mode", "no", "off"},        {"archive_mode", "0", "off"},
};

Result<std::string> CanonicalEnum(const SettingType& type, std::string_view value) {
  std::string lower = Lowercase(value);
  for (const EnumAlias& alias : kEnumAliases) {
    if (type.name == alias.setting && lower == alias.alias) return std::string(alias.canonical);
  }
  if (type.enumvals.empty()) return lower;
  // Members are spelled as the server lists them: most are lowercase, but
  // ssl_min_protocol_version has "TLSv1.2".
  for (const std::string& member : type.enumvals) {
    if (Lowercase(member) == lower) return member;
  }
  std::string valid;
  for (const std::string& member : type.enumvals) valid += (valid.empty() ? "" : ", ") + member;
  return Status::Error("invalid value \"" + std::string(value) + "\" for setting \"" + type.name +
                       "\": valid values are " + valid);
}

std::vector<SettingType> BuildKnownSettingTypes() {
  using V = SettingVartype;
  auto make = [](const char* name, V vartype, const char* unit, std::vector<std::string> enumvals,
                 const char* context) {
    return SettingType{name, vartype, unit, std::move(enumvals), std::string(context)};
  };
  return {
      make("archive_command", V::kString, "", {}, "sighup"),
      make("archive_mode", V::kEnum, "", {"always", "on", "off"}, "postmaster"),
      make("archive_timeout", V::kInteger, "s", {}, "sighup"),
      make("checkpoint_timeout", V::kInteger, "s", {}, "sighup"),
      make("hot_standby", V::kBool, "", {}, "postmaster"),
      make("hot_standby_feedback", V::kBool, "", {}, "sighup"),
      make("listen_addresses", V::kString, "", {}, "postmaster"),
      make("max_connections", V::kInteger, "", {}, "postmaster"),
      make("max_replication_slots", V::kInteger, "", {}, "postmaster"),
      make("max_wal_senders", V::kInteger, "", {}, "postmaster"),
      make("max_wal_size", V::kInteger, "MB", {}, "sighup"),
      make("min_wal_size", V::kInteger, "MB", {}, "sighup"),
      make("password_encryption", V::kEnum, "", {"md5", "scram-sha-256"}, "user"),
      make("port", V::kInteger, "", {}, "postmaster"),
      make("primary_conninfo", V::kString, "", {}, "sighup"),
      make("primary_slot_name", V::kString, "", {}, "sighup"),
      make("restore_command", V::kString, "", {}, "sighup"),
      make("shared_buffers", V::kInteger, "8kB", {}, "postmaster"),
      make("synchronous_commit", V::kEnum, "",
           {"local", "remote_write", "remote_apply", "on", "off"}, "user"),
      make("synchronous_standby_names", V::kString, "", {}, "sighup"),
      make("wal_buffers", V::kInteger, "8kB", {}, "postmaster"),
      make("wal_keep_segments", V::kInteger, "", {}, "sighup"),
      make("wal_keep_size", V::kInteger, "MB", {}, "sighup"),
      make("wal_level", V::kEnum, "", {"minimal", "replica", "logical"}, "postmaster"),
      make("wal_log_hints", V::kBool, "", {}, "postmaster"),
  };
}

// Read from pg_settings.boot_val of the sandbox's servers of 10 and 18.
struct BuiltIn {
  const char* name;
  const char* value;
  int first_major;
  int last_major;
};
constexpr BuiltIn kBuiltInDefaults[] = {
    {"archive_command", "", 10, 18},
    {"archive_mode", "off", 10, 18},
    {"archive_timeout", "0", 10, 18},
    {"checkpoint_timeout", "300", 10, 18},
    {"hot_standby", "on", 10, 18},
    {"hot_standby_feedback", "off", 10, 18},
    {"listen_addresses", "localhost", 10, 18},
    {"max_connections", "100", 10, 18},
    {"max_replication_slots", "10", 10, 18},
    {"max_wal_senders", "10", 10, 18},
    {"max_wal_size", "1024", 10, 18},
    {"min_wal_size", "80", 10, 18},
    {"password_encryption", "md5", 10, 13},
    {"password_encryption", "scram-sha-256", 14, 18},
    {"port", "5432", 10, 18},
    {"synchronous_commit", "on", 10, 18},
    {"synchronous_standby_names", "", 10, 18},
    {"wal_buffers", "-1", 10, 18},
    {"wal_keep_segments", "0", 10, 12},
    {"wal_keep_size", "0", 13, 18},
    {"wal_level", "replica", 10, 18},
    {"wal_log_hints", "off", 10, 18},
};

// `number` of the setting's unit in the largest unit of the same kind that
// holds it exactly; empty when the unit is unknown or the size overflows.
std::optional<std::string> InLargestUnit(long long number, const std::string& unit) {
  Result<BaseUnit> base = ParseBaseUnit(unit);
  if (!base.ok()) return std::nullopt;
  const UnitSize* units = base->is_memory ? kMemoryUnits : kTimeUnits;
  size_t count = base->is_memory ? std::size(kMemoryUnits) : std::size(kTimeUnits);
  long long total = 0;
  if (__builtin_mul_overflow(number, static_cast<long long>(base->size), &total)) {
    return std::nullopt;
  }
  for (size_t i = 0; i < count; ++i) {
    long long size = static_cast<long long>(units[i].size);
    if (total % size == 0) return std::to_string(total / size) + units[i].name;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> BuiltInDefault(std::string_view name, int major) {
  for (const BuiltIn& entry : kBuiltInDefaults) {
    if (name == entry.name && major >= entry.first_major && major <= entry.last_major) {
      return std::string(entry.value);
    }
  }
  return std::nullopt;
}

Result<SettingVartype> ParseSettingVartype(std::string_view text) {
  if (text == "bool") return SettingVartype::kBool;
  if (text == "integer") return SettingVartype::kInteger;
  if (text == "real") return SettingVartype::kReal;
  if (text == "string") return SettingVartype::kString;
  if (text == "enum") return SettingVartype::kEnum;
  return Status::Error("unknown pg_settings vartype \"" + std::string(text) + "\"");
}

std::optional<bool> ParseSettingBool(std::string_view value) {
  if (value.empty()) return std::nullopt;
  switch (value[0]) {
    case 't':
    case 'T':
      if (IsPrefixOf(value, "true", 1)) return true;
      break;
    case 'f':
    case 'F':
      if (IsPrefixOf(value, "false", 1)) return false;
      break;
    case 'y':
    case 'Y':
      if (IsPrefixOf(value, "yes", 1)) return true;
      break;
    case 'n':
    case 'N':
      if (IsPrefixOf(value, "no", 1)) return false;
      break;
    // "o" alone could be on or off, so two letters are needed.
    case 'o':
    case 'O':
      if (IsPrefixOf(value, "on", 2)) return true;
      if (IsPrefixOf(value, "off", 2)) return false;
      break;
    case '1':
      if (value.size() == 1) return true;
      break;
    case '0':
      if (value.size() == 1) return false;
      break;
    default:
      break;
  }
  return std::nullopt;
}

Result<std::string> CanonicalSettingValue(const SettingType& type, std::string_view value) {
  auto unquoted = UnquoteConfValue(value);
  if (!unquoted.ok()) {
    return unquoted.status().WithContext("setting \"" + type.name + "\"");
  }
  const std::string& text = *unquoted;
  switch (type.vartype) {
    case SettingVartype::kBool: {
      std::optional<bool> b = ParseSettingBool(text);
      if (!b) {
        return Status::Error("invalid value \"" + text + "\" for setting \"" + type.name +
                             "\": expected a boolean (on, off, true, false, yes, no, 1, 0)");
      }
      return std::string(*b ? "on" : "off");
    }
    case SettingVartype::kInteger: {
      auto number = ParseNumber(type, text);
      if (!number.ok()) return number.status();
      return std::to_string(static_cast<long long>(*number));
    }
    case SettingVartype::kReal: {
      auto number = ParseNumber(type, text);
      if (!number.ok()) return number.status();
      return FormatReal(*number);
    }
    case SettingVartype::kEnum:
      return CanonicalEnum(type, text);
    case SettingVartype::kString:
      return text;
  }
  return text;
}

bool SettingValuesEqual(const SettingType& type, std::string_view a, std::string_view b) {
  auto canonical_a = CanonicalSettingValue(type, a);
  auto canonical_b = CanonicalSettingValue(type, b);
  if (canonical_a.ok() && canonical_b.ok()) return *canonical_a == *canonical_b;
  if (canonical_a.ok() || canonical_b.ok()) return false;
  auto unquoted_a = UnquoteConfValue(a);
  auto unquoted_b = UnquoteConfValue(b);
  std::string text_a = unquoted_a.ok() ? *unquoted_a : std::string(a);
  std::string text_b = unquoted_b.ok() ? *unquoted_b : std::string(b);
  return text_a == text_b;
}

const std::vector<SettingType>& KnownSettingTypes() {
  static const std::vector<SettingType> kTypes = BuildKnownSettingTypes();
  return kTypes;
}

std::optional<SettingType> KnownSettingType(std::string_view name) {
  std::string lower = Lowercase(name);
  for (const SettingType& type : KnownSettingTypes()) {
    if (type.name == lower) return type;
  }
  return std::nullopt;
}

std::string DisplaySettingValue(const SettingType& type, std::string_view server_value) {
  const std::string quoted = QuoteConfValue(std::string(server_value));
  Result<std::string> canonical = CanonicalSettingValue(type, quoted);
  if (!canonical.ok()) return quoted;
  switch (type.vartype) {
    case SettingVartype::kString:
      return QuoteConfValue(*canonical);
    case SettingVartype::kInteger: {
      long long number = std::strtoll(canonical->c_str(), nullptr, 10);
      if (type.unit.empty() || number <= 0) return *canonical;
      return InLargestUnit(number, type.unit).value_or(*canonical + type.unit);
    }
    case SettingVartype::kReal:
      if (type.unit.empty() || canonical->empty() || (*canonical)[0] == '-' || *canonical == "0") {
        return *canonical;
      }
      return *canonical + type.unit;
    case SettingVartype::kBool:
    case SettingVartype::kEnum:
      return *canonical;
  }
  return *canonical;
}

std::optional<long long> SettingInteger(const SettingType& type, std::string_view written) {
  Result<std::string> canonical = CanonicalSettingValue(type, written);
  if (!canonical.ok()) return std::nullopt;
  long long number = 0;
  const char* end = canonical->data() + canonical->size();
  auto [stop, error] = std::from_chars(canonical->data(), end, number);
  if (error != std::errc() || stop != end) return std::nullopt;
  return number;
}

std::optional<long long> SettingUnitBytes(const std::string& unit) {
  Result<BaseUnit> base = ParseBaseUnit(unit);
  if (!base.ok() || !base->is_memory) return std::nullopt;
  return static_cast<long long>(base->size);
}

}  // namespace pgpair
