#include "resources/setting/wal_keep.h"

#include <optional>
#include <utility>

#include "engine/facts/parsers/postgresql_conf.h"

namespace pgpair {
namespace {

constexpr long long kMegabyte = 1LL << 20;

// The server's WAL segment size in bytes, when it is a whole number of MB
// (initdb --wal-segsize takes powers of two from 1MB to 1GB).
std::optional<long long> SegmentBytes(const HostFacts& facts) {
  const SettingFact* segment = facts.FindSetting("wal_segment_size");
  if (!segment || !segment->value) return std::nullopt;
  SettingType type = SettingTypeFor("wal_segment_size", segment);
  std::optional<long long> units = SettingInteger(type, QuoteConfValue(*segment->value));
  std::optional<long long> per_unit = SettingUnitBytes(type.unit);
  if (!units || !per_unit || *units <= 0) return std::nullopt;
  long long bytes = 0;
  if (__builtin_mul_overflow(*units, *per_unit, &bytes) || bytes % kMegabyte != 0) {
    return std::nullopt;
  }
  return bytes;
}

}  // namespace

bool TranslateWalKeep(const HostFacts& facts, const std::string& host,
                      std::vector<DesiredSetting>* desired, Plan* plan) {
  auto block = [&](const std::string& message) {
    plan->blockers.push_back({host, message});
    return false;
  };
  const DesiredSetting* segments = FindDesired(*desired, "wal_keep_segments");
  const DesiredSetting* size = FindDesired(*desired, "wal_keep_size");
  if (!segments && !size) return true;
  const DesiredSetting& given = segments ? *segments : *size;
  const std::string wanted = segments ? "wal_keep_size" : "wal_keep_segments";
  const std::string version = facts.server.version.value_or("");
  if (segments && size) {
    return block("the manifest sets both wal_keep_segments (" + segments->mark.ToString() +
                 ") and wal_keep_size (" + size->mark.ToString() +
                 "), one setting under two names (wal_keep_size since PostgreSQL 13): keep one");
  }
  if (facts.server.running != true) {
    const int major = facts.server.major.value_or(0);
    const bool has_size = major >= 13;
    if (major != 0 && (given.name == "wal_keep_size") == has_size) return true;
    return block(SettingSubject(given) + ": the server is stopped, so pgpair cannot " +
                 (major == 0 ? std::string("tell whether it has wal_keep_segments or wal_keep_size")
                             : "read its WAL segment size to translate it into " + wanted) +
                 "; start the server and plan again");
  }
  if (facts.FindSetting(given.name) || !facts.FindSetting(wanted)) return true;
  std::optional<long long> segment_bytes = SegmentBytes(facts);
  if (!segment_bytes) {
    return block(SettingSubject(given) + " must become " + wanted + " on PostgreSQL " + version +
                 ", but the server's wal_segment_size could not be read; declare " + wanted +
                 " instead");
  }
  const long long segment_mb = *segment_bytes / kMegabyte;
  SettingType type = SettingTypeFor(given.name, facts.FindSetting(given.name));
  if (given.name == "wal_keep_size") type.unit = "MB";
  if (std::optional<std::string> refused = RefusedValueMessage(given, type)) {
    return block(*refused);
  }
  std::optional<long long> number = SettingInteger(type, given.value);
  long long scaled = 0;
  if (!number || *number < 0 || __builtin_mul_overflow(*number, segment_mb, &scaled)) {
    return block(SettingSubject(given) + " = " + given.value + " cannot be translated into " +
                 wanted);
  }
  std::string value;
  std::string how;
  if (segments) {
    value = std::to_string(scaled) + "MB";
    how = std::to_string(*number) + " segments of " + std::to_string(segment_mb) + "MB";
  } else {
    value = std::to_string(*number / segment_mb + (*number % segment_mb != 0 ? 1 : 0));
    how = std::to_string(*number) + "MB in segments of " + std::to_string(segment_mb) + "MB" +
          (*number % segment_mb == 0 ? std::string("") : ", rounded up");
  }
  DesiredSetting translated = given;
  translated.name = wanted;
  translated.value = value;
  translated.why = "the manifest asks for " + given.name + " = " + given.value + " (" +
                   given.mark.ToString() + "), which PostgreSQL " + version + " calls " + wanted +
                   " (" + how + ")";
  for (DesiredSetting& setting : *desired) {
    if (&setting == &given) {
      setting = std::move(translated);
      break;
    }
  }
  return true;
}

}  // namespace pgpair
