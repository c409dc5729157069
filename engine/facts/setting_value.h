#ifndef PGPAIR_ENGINE_FACTS_SETTING_VALUE_H_
#define PGPAIR_ENGINE_FACTS_SETTING_VALUE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace pgpair {

// pg_settings.vartype.
enum class SettingVartype { kBool, kInteger, kReal, kString, kEnum };

// What the server says about one setting in pg_settings, enough to compare
// two spellings of its value.
struct SettingType {
  std::string name;  // lowercased
  SettingVartype vartype = SettingVartype::kString;
  // pg_settings.unit: "B", "kB", "MB", "8kB", "16MB", "us", "ms", "s", "min",
  // or empty for a setting without a unit.
  std::string unit;
  // pg_settings.enumvals. Empty means "not known here": any word is accepted.
  std::vector<std::string> enumvals;
  // pg_settings.context ("postmaster" needs a restart, "sighup" a reload).
  std::optional<std::string> context;
};

// Reads pg_settings.vartype ("bool", "integer", "real", "string", "enum").
Result<SettingVartype> ParseSettingVartype(std::string_view text);

// The server's reading of a boolean (parse_bool): on, off, true, false, yes,
// no, 1, 0, any case, and any unique prefix of the words ("t", "of", "y").
// Empty when the server would reject the value.
std::optional<bool> ParseSettingBool(std::string_view value);

// The canonical spelling of `value` for a setting of `type`, so that two
// spellings the server reads alike compare equal as strings:
//   bool     "on" or "off";
//   integer  decimal in the setting's own unit, after the server's unit
//            conversion and rounding ("4MB" for a kB setting is "4096",
//            "256MB" for shared_buffers is "32768"), as pg_settings.setting;
//   real     the shortest decimal that reads back to the same double, in the
//            setting's own unit;
//   enum     the member of enumvals as the server spells it (lowercased
//            when enumvals is not known), with the server's hidden
//            aliases resolved (wal_level: archive and hot_standby are replica,
//            as from 9.6; synchronous_commit and archive_mode: true/yes/1 are
//            on, false/no/0 are off);
//   string   the value itself.
// `value` is written as a user or a config file writes it: a single-quoted
// value is unquoted first with the config file's rules.
// Fails, with a message fit for the operator, for a value the server would
// reject: an unknown unit, a unit on a unitless setting, a number out of the
// int range, a word that is not a bool or not a member of enumvals.
// It is not an error if an integer or real is outside the setting's own
// min/max: those bounds are not known here.
Result<std::string> CanonicalSettingValue(const SettingType& type, std::string_view value);

// True when the server reads `a` and `b` as the same value of a setting of
// `type`. Values the server would reject are equal only when they are the same
// text after unquoting.
bool SettingValuesEqual(const SettingType& type, std::string_view a, std::string_view b);

// A value as SHOW prints it, for plans and messages: an integer in the
// largest unit of its kind that holds it exactly ("16384" of an 8kB setting
// is "128MB"; zero and negative numbers, which mean off or automatic, without
// a unit), a real with its unit, a string quoted as in postgresql.conf
// ('*'), a bool or enum in its canonical spelling. `server_value` is the
// server's reading (pg_settings, pg_file_settings), not a written value; one
// the type rejects is shown quoted, as it is.
std::string DisplaySettingValue(const SettingType& type, std::string_view server_value);

// The integer the server reads from `written` (as a user or a file writes
// it), in the setting's own unit; empty when it is not an integer the server
// would accept.
std::optional<long long> SettingInteger(const SettingType& type, std::string_view written);

// Bytes in one unit of a memory setting as pg_settings.unit spells it ("8kB":
// 8192, "B": 1); empty for a time unit, no unit, or an unknown one.
std::optional<long long> SettingUnitBytes(const std::string& unit);

// The settings pgpair manages, with vartype, unit, enumvals and context as
// PostgreSQL 15 reports them, for use when the server is down. Differences in
// other majors: wal_keep_segments exists only up to 12 (wal_keep_size from
// 13); primary_conninfo and primary_slot_name are postmaster in 12 and live in
// recovery.conf up to 11; restore_command is postmaster up to 13. When the
// server is up, pg_settings is the authority.
const std::vector<SettingType>& KnownSettingTypes();

// The entry of KnownSettingTypes() for `name` (any case), or empty.
std::optional<SettingType> KnownSettingType(std::string_view name);

// The compiled-in default of a setting (pg_settings.boot_val, in the
// setting's own unit) in PostgreSQL `major`, for the settings of
// KnownSettingTypes() whose default pgpair knows for 10 to 18: what a
// stopped server runs with when no file sets the name. Empty for a setting
// the major lacks, one whose default pgpair does not know (shared_buffers
// changed in 16), and recovery settings.
std::optional<std::string> BuiltInDefault(std::string_view name, int major);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_SETTING_VALUE_H_
