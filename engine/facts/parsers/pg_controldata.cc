#include "engine/facts/parsers/pg_controldata.h"

#include <charconv>

#include "engine/util/text.h"

namespace pgpair {
namespace {

template <typename T>
bool ReadUnsigned(const std::string& text, T* out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// The first of `keys` present in `fields`.
const std::string* Find(const std::map<std::string, std::string>& fields,
                        std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = fields.find(key);
    if (it != fields.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace

Result<ControlData> ParsePgControldata(std::string_view text) {
  ControlData data;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    // Values may hold colons (times), labels never do.
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = Trim(line.substr(0, colon));
    if (key.empty()) continue;
    data.fields[std::string(key)] = std::string(Trim(line.substr(colon + 1)));
  }

  bool known = false;
  auto text_field = [&](std::initializer_list<const char*> keys, std::optional<std::string>* out) {
    if (const std::string* v = Find(data.fields, keys)) {
      *out = *v;
      known = true;
    }
  };
  std::string bad_number;
  auto number_field = [&](std::initializer_list<const char*> keys, std::optional<uint32_t>* out) {
    if (const std::string* v = Find(data.fields, keys)) {
      known = true;
      uint32_t n = 0;
      if (ReadUnsigned(*v, &n)) {
        *out = n;
      } else if (bad_number.empty()) {
        bad_number = std::string(*keys.begin()) + ": \"" + *v + "\" is not a number";
      }
    }
  };

  text_field({"Database system identifier"}, &data.system_identifier);
  text_field({"Database cluster state"}, &data.cluster_state);
  text_field({"Latest checkpoint location"}, &data.latest_checkpoint_location);
  // 9.4 and older say "Current wal_level setting".
  text_field({"wal_level setting", "Current wal_level setting"}, &data.wal_level);
  text_field({"wal_log_hints setting", "Current wal_log_hints setting"}, &data.wal_log_hints);
  number_field({"pg_control version number"}, &data.pg_control_version);
  number_field({"Catalog version number"}, &data.catalog_version);
  number_field({"Latest checkpoint's TimeLineID"}, &data.timeline_id);
  number_field({"Data page checksum version"}, &data.data_checksum_version);

  if (!known) {
    return Status::Error(
        "pg_controldata output has none of the expected lines (was it run with LC_ALL=C?)");
  }
  if (!bad_number.empty()) return Status::Error("pg_controldata output: " + bad_number);
  if (data.system_identifier) {
    uint64_t id = 0;
    if (!ReadUnsigned(*data.system_identifier, &id)) {
      return Status::Error("pg_controldata output: Database system identifier \"" +
                           *data.system_identifier + "\" is not a 64-bit number");
    }
  }
  return data;
}

}  // namespace pgpair
