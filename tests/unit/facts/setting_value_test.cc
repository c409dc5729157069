#include "engine/facts/setting_value.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/facts/parsers/postgresql_conf.h"

namespace pgpair {
namespace {

std::string ReadFixture(const std::string& path) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/" + path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// pg_settings of a real PostgreSQL 15, by lowercased name.
const std::map<std::string, nlohmann::json>& Pg15Settings() {
  static const std::map<std::string, nlohmann::json> kRows = [] {
    std::map<std::string, nlohmann::json> rows;
    for (const auto& row : nlohmann::json::parse(ReadFixture("pg_settings/pg15.json"))) {
      rows[Lower(row["name"])] = row;
    }
    return rows;
  }();
  return kRows;
}

SettingType TypeFromRow(const nlohmann::json& row) {
  SettingType type;
  type.name = Lower(row["name"]);
  auto vartype = ParseSettingVartype(row["vartype"].get<std::string>());
  REQUIRE(vartype.ok());
  type.vartype = *vartype;
  if (!row["unit"].is_null()) type.unit = row["unit"];
  if (!row["enumvals"].is_null()) type.enumvals = row["enumvals"].get<std::vector<std::string>>();
  type.context = row["context"].get<std::string>();
  return type;
}

SettingType Type(const char* name, SettingVartype vartype, const char* unit,
                 std::vector<std::string> enumvals = {}) {
  return SettingType{name, vartype, unit, std::move(enumvals), std::nullopt};
}

struct Case {
  SettingType type;
  const char* value;
  const char* canonical;  // nullptr: the server rejects the value
};

void RunCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO(c.type.name << " (unit \"" << c.type.unit << "\") = " << c.value);
    auto canonical = CanonicalSettingValue(c.type, c.value);
    if (c.canonical == nullptr) {
      CHECK_FALSE(canonical.ok());
      CHECK_FALSE(canonical.status().message().empty());
    } else {
      REQUIRE(canonical.ok());
      CHECK(*canonical == c.canonical);
    }
  }
}

TEST_CASE("CanonicalSettingValue converts memory units as the server does", "[setting_value]") {
  const SettingType kb = Type("work_mem", SettingVartype::kInteger, "kB");
  const SettingType blocks = Type("shared_buffers", SettingVartype::kInteger, "8kB");
  const SettingType mb = Type("max_wal_size", SettingVartype::kInteger, "MB");
  const SettingType segments = Type("min_wal_size", SettingVartype::kInteger, "16MB");
  RunCases({
      // The canonical form is pg_settings.setting: a count of the setting's unit.
      {kb, "4MB", "4096"},
      {kb, "4096kB", "4096"},
      // A bare number is already in the setting's unit.
      {kb, "4096", "4096"},
      // Fractions round to the next smaller unit, then to the setting's unit
      // (4.5MB: ALTER SYSTEM on PG 15 read back 4608).
      {kb, "4.5MB", "4608"},
      {kb, "1GB", "1048576"},
      {kb, "1TB", "1073741824"},
      // Bytes below the unit round half to even, as rint() does.
      {kb, "1536B", "2"},
      {kb, "2560B", "2"},
      {kb, "512B", "0"},
      // Whitespace may separate the number and the unit, and may follow.
      {kb, "4 MB ", "4096"},
      // Quotes are how files write values; they do not change the value.
      {kb, "'4MB'", "4096"},
      // Integers may be hex or octal, as strtol(..., 0) reads them.
      {kb, "0x10", "16"},
      {kb, "010", "8"},
      // -1 ("use the default rule") is a plain number.
      {kb, "-1", "-1"},
      // An exponent makes the server read a real, then round.
      {kb, "1e3", "1000"},
      // Units are case-sensitive: "mb" and "KB" are rejected by the server.
      {kb, "4mb", nullptr},
      {kb, "4KB", nullptr},
      // A time unit on a memory setting is rejected.
      {kb, "4s", nullptr},
      // 2TB in kB does not fit an int.
      {kb, "2TB", nullptr},
      // Not a number at all.
      {kb, "lots", nullptr},
      {kb, "", nullptr},
      // 8kB blocks: 256MB is 32768 blocks (shared_buffers on PG 15).
      {blocks, "256MB", "32768"},
      {blocks, "128kB", "16"},
      // 1001kB is 125.125 blocks: the server stored 125 (wal_buffers on PG 15).
      {blocks, "1001kB", "125"},
      {blocks, "8192B", "1"},
      {blocks, "16384", "16384"},
      // MB settings: 1.5GB is 1536 (max_wal_size on PG 15).
      {mb, "1.5GB", "1536"},
      // 80.4MB rounds to 80 (min_wal_size on PG 15).
      {mb, "80.4MB", "80"},
      {mb, "1024kB", "1"},
      // 16MB WAL segments, the unit of min/max_wal_size before 11.
      {segments, "80MB", "5"},
      {segments, "1GB", "64"},
  });
}

TEST_CASE("CanonicalSettingValue converts time units as the server does", "[setting_value]") {
  const SettingType s = Type("checkpoint_timeout", SettingVartype::kInteger, "s");
  const SettingType ms = Type("statement_timeout", SettingVartype::kInteger, "ms");
  const SettingType min = Type("log_rotation_age", SettingVartype::kInteger, "min");
  const SettingType real_ms = Type("vacuum_cost_delay", SettingVartype::kReal, "ms");
  RunCases({
      // 1min is 60s.
      {s, "1min", "60"},
      {s, "60s", "60"},
      {s, "60", "60"},
      // 15min is 900 (checkpoint_timeout on PG 15).
      {s, "15min", "900"},
      // 1.5min is 90 (archive_timeout on PG 15).
      {s, "1.5min", "90"},
      {s, "1h", "3600"},
      {s, "1d", "86400"},
      // Sub-second values round half to even.
      {s, "1500ms", "2"},
      {s, "2500ms", "2"},
      {s, "500ms", "0"},
      // "m" and "sec" are not units.
      {s, "5m", nullptr},
      {s, "5sec", nullptr},
      // A memory unit on a time setting is rejected.
      {s, "5MB", nullptr},
      // 1.5s is 1500 (statement_timeout on PG 15).
      {ms, "1.5s", "1500"},
      {ms, "100us", "0"},
      {ms, "1min", "60000"},
      // Minutes: 90s is 1.5min, rounded to 2.
      {min, "1h", "60"},
      {min, "90s", "2"},
      {min, "30s", "0"},
      // A real keeps its fraction: 1500us is 1.5 (vacuum_cost_delay on PG 15).
      {real_ms, "1500us", "1.5"},
      {real_ms, "2", "2"},
      {real_ms, "1s", "1000"},
  });
}

TEST_CASE("CanonicalSettingValue reads reals, bools, enums and strings", "[setting_value]") {
  const SettingType real = Type("checkpoint_completion_target", SettingVartype::kReal, "");
  const SettingType boolean = Type("hot_standby", SettingVartype::kBool, "");
  const SettingType wal_level =
      Type("wal_level", SettingVartype::kEnum, "", {"minimal", "replica", "logical"});
  const SettingType sync_commit = Type("synchronous_commit", SettingVartype::kEnum, "",
                                       {"local", "remote_write", "remote_apply", "on", "off"});
  const SettingType archive_mode =
      Type("archive_mode", SettingVartype::kEnum, "", {"always", "on", "off"});
  const SettingType password =
      Type("password_encryption", SettingVartype::kEnum, "", {"md5", "scram-sha-256"});
  const SettingType unknown_enum = Type("some_enum", SettingVartype::kEnum, "");
  const SettingType string = Type("listen_addresses", SettingVartype::kString, "");
  RunCases({
      // Spellings of one real agree.
      {real, "0.9", "0.9"},
      {real, "0.90", "0.9"},
      {real, ".9", "0.9"},
      {real, "9e-1", "0.9"},
      {real, "1", "1"},
      // A unit on a unitless real is rejected.
      {real, "1kB", nullptr},
      // NaN is rejected by the server.
      {real, "nan", nullptr},
      // Every spelling of true, in any case, and unique prefixes.
      {boolean, "on", "on"},
      {boolean, "ON", "on"},
      {boolean, "true", "on"},
      {boolean, "t", "on"},
      {boolean, "TR", "on"},
      {boolean, "yes", "on"},
      {boolean, "y", "on"},
      {boolean, "1", "on"},
      {boolean, "'yes'", "on"},
      // Every spelling of false.
      {boolean, "off", "off"},
      {boolean, "of", "off"},
      {boolean, "FALSE", "off"},
      {boolean, "f", "off"},
      {boolean, "no", "off"},
      {boolean, "n", "off"},
      {boolean, "0", "off"},
      // "o" could be on or off, so the server rejects it.
      {boolean, "o", nullptr},
      // Neither a longer word nor another number is a bool.
      {boolean, "onn", nullptr},
      {boolean, "yess", nullptr},
      {boolean, "2", nullptr},
      {boolean, "", nullptr},
      // Enums compare case-insensitively.
      {wal_level, "REPLICA", "replica"},
      // ... and come back spelled as enumvals has them.
      {Type("ssl_min_protocol_version", SettingVartype::kEnum, "", {"TLSv1", "TLSv1.2"}), "tlsv1.2",
       "TLSv1.2"},
      {wal_level, "logical", "logical"},
      // hot_standby and archive are read back as replica (9.6 on).
      {wal_level, "hot_standby", "replica"},
      {wal_level, "Archive", "replica"},
      {wal_level, "'hot_standby'", "replica"},
      // A word outside enumvals is rejected.
      {wal_level, "full", nullptr},
      // synchronous_commit's hidden boolean spellings.
      {sync_commit, "true", "on"},
      {sync_commit, "0", "off"},
      {sync_commit, "Remote_Apply", "remote_apply"},
      // Enums take no prefixes.
      {sync_commit, "loc", nullptr},
      // archive_mode's hidden boolean spellings; "always" is its own value.
      {archive_mode, "yes", "on"},
      {archive_mode, "always", "always"},
      // password_encryption lost "on" in 14.
      {password, "SCRAM-SHA-256", "scram-sha-256"},
      {password, "on", nullptr},
      // Without enumvals any word is accepted, lowercased.
      {unknown_enum, "Whatever", "whatever"},
      // Strings are taken as written, quotes removed, case and spaces kept.
      {string, "'*'", "*"},
      {string, "localhost, 10.0.0.1", "localhost, 10.0.0.1"},
      {string, "''", ""},
      // A quote left open is not silently taken as text.
      {string, "'open", nullptr},
  });
}

TEST_CASE("SettingValuesEqual compares what the server would read", "[setting_value]") {
  const SettingType kb = Type("work_mem", SettingVartype::kInteger, "kB");
  const SettingType wal_level =
      Type("wal_level", SettingVartype::kEnum, "", {"minimal", "replica", "logical"});
  // The lesson of community.postgresql: 4MB is 4096kB.
  CHECK(SettingValuesEqual(kb, "4MB", "4096kB"));
  CHECK(SettingValuesEqual(kb, "'4MB'", "4096"));
  CHECK_FALSE(SettingValuesEqual(kb, "4MB", "4097kB"));
  // hot_standby in a file is what a 15 server reports as replica.
  CHECK(SettingValuesEqual(wal_level, "hot_standby", "replica"));
  // A rejected value never equals a valid one.
  CHECK_FALSE(SettingValuesEqual(kb, "4mb", "4096"));
  // Two rejected values are equal only as the same text.
  CHECK(SettingValuesEqual(kb, "'4mb'", "4mb"));
  CHECK_FALSE(SettingValuesEqual(kb, "4mb", "4gb"));
}

TEST_CASE("DisplaySettingValue prints a value as SHOW does", "[setting_value]") {
  using V = SettingVartype;
  struct Shown {
    SettingType type;
    const char* server_value;  // as pg_settings.setting holds it
    const char* shown;
  };
  const std::vector<Shown> cases = {
      // Integers in the largest unit that holds them exactly.
      {Type("shared_buffers", V::kInteger, "8kB"), "16384", "128MB"},
      {Type("shared_buffers", V::kInteger, "8kB"), "16385", "131080kB"},
      {Type("work_mem", V::kInteger, "kB"), "4096", "4MB"},
      {Type("wal_segment_size", V::kInteger, "B"), "16777216", "16MB"},
      {Type("max_wal_size", V::kInteger, "MB"), "1024", "1GB"},
      {Type("checkpoint_timeout", V::kInteger, "s"), "900", "15min"},
      {Type("checkpoint_timeout", V::kInteger, "s"), "86400", "1d"},
      {Type("wal_sender_timeout", V::kInteger, "ms"), "1500", "1500ms"},
      // Off and automatic stay bare, as SHOW prints them.
      {Type("statement_timeout", V::kInteger, "ms"), "0", "0"},
      {Type("wal_buffers", V::kInteger, "8kB"), "-1", "-1"},
      {Type("max_connections", V::kInteger, ""), "100", "100"},
      // A size beyond 64 bits falls back to the setting's own unit.
      {Type("made_up", V::kInteger, "d"), "2147483647", "2147483647d"},
      {Type("checkpoint_completion_target", V::kReal, ""), "0.9", "0.9"},
      {Type("vacuum_cost_delay", V::kReal, "ms"), "2", "2ms"},
      {Type("listen_addresses", V::kString, ""), "*", "'*'"},
      {Type("archive_command", V::kString, ""), "cp %p '/a b'/%f", "'cp %p ''/a b''/%f'"},
      {Type("hot_standby", V::kBool, ""), "on", "on"},
      {Type("wal_level", V::kEnum, "", {"minimal", "replica", "logical"}), "replica", "replica"},
      // A value the type rejects is shown quoted, as it is.
      {Type("work_mem", V::kInteger, "kB"), "lots", "'lots'"},
  };
  for (const Shown& c : cases) {
    INFO(c.type.name << " = " << c.server_value);
    CHECK(DisplaySettingValue(c.type, c.server_value) == c.shown);
  }
}

TEST_CASE("SettingInteger and SettingUnitBytes read integers and memory units", "[setting_value]") {
  const SettingType blocks = Type("shared_buffers", SettingVartype::kInteger, "8kB");
  CHECK(SettingInteger(blocks, "128MB") == 16384);
  CHECK(SettingInteger(blocks, "'1GB'") == 131072);
  CHECK(SettingInteger(blocks, "16384") == 16384);
  CHECK_FALSE(SettingInteger(blocks, "lots"));
  CHECK_FALSE(SettingInteger(blocks, "128 parsecs"));
  CHECK_FALSE(SettingInteger(Type("listen_addresses", SettingVartype::kString, ""), "*"));

  CHECK(SettingUnitBytes("8kB") == 8192);
  CHECK(SettingUnitBytes("B") == 1);
  CHECK(SettingUnitBytes("16MB") == 16LL << 20);
  CHECK_FALSE(SettingUnitBytes("s"));
  CHECK_FALSE(SettingUnitBytes(""));
  CHECK_FALSE(SettingUnitBytes("parsec"));
}

TEST_CASE("ParseSettingVartype reads pg_settings.vartype", "[setting_value]") {
  // The five vartypes of pg_settings.
  CHECK(*ParseSettingVartype("bool") == SettingVartype::kBool);
  CHECK(*ParseSettingVartype("integer") == SettingVartype::kInteger);
  CHECK(*ParseSettingVartype("real") == SettingVartype::kReal);
  CHECK(*ParseSettingVartype("string") == SettingVartype::kString);
  CHECK(*ParseSettingVartype("enum") == SettingVartype::kEnum);
  // Anything else is an error, not a string.
  CHECK_FALSE(ParseSettingVartype("int").ok());
}

TEST_CASE("The built-in setting table matches pg_settings of PostgreSQL 15", "[setting_value]") {
  for (const SettingType& known : KnownSettingTypes()) {
    INFO(known.name);
    auto row = Pg15Settings().find(known.name);
    if (known.name == "wal_keep_segments") {
      // Removed in 13; the table keeps it for older servers.
      CHECK(row == Pg15Settings().end());
      continue;
    }
    REQUIRE(row != Pg15Settings().end());
    SettingType server = TypeFromRow(row->second);
    CHECK(known.vartype == server.vartype);
    CHECK(known.unit == server.unit);
    CHECK(known.enumvals == server.enumvals);
    CHECK(known.context == server.context);
  }
  // Lookup ignores case and says "unknown" plainly.
  REQUIRE(KnownSettingType("Shared_Buffers").has_value());
  CHECK(KnownSettingType("shared_buffers")->unit == "8kB");
  CHECK_FALSE(KnownSettingType("no_such_setting").has_value());
}

TEST_CASE("Every value a PG 15 server reports is already canonical", "[setting_value]") {
  for (const auto& [name, row] : Pg15Settings()) {
    INFO(name << " = " << row["setting"]);
    SettingType type = TypeFromRow(row);
    std::string setting = row["setting"];
    auto canonical = CanonicalSettingValue(type, setting);
    REQUIRE(canonical.ok());
    if (type.vartype == SettingVartype::kReal) {
      // Reals print through %g on the server; compare them as numbers.
      CHECK(std::stod(*canonical) == Approx(std::stod(setting)));
    } else if (type.vartype == SettingVartype::kInteger && setting.size() > 1 &&
               setting[0] == '0') {
      // File modes show in octal (data_directory_mode = 0700); read as octal
      // input, which the server accepts too, they are the same number.
      CHECK(*canonical == std::to_string(std::stoi(setting, nullptr, 8)));
    } else {
      CHECK(*canonical == setting);
    }
  }
}

TEST_CASE("Values written by ALTER SYSTEM equal what PG 15 then reported", "[setting_value]") {
  // Each line of the captured postgresql.auto.conf was applied by a restart
  // before pg_settings was captured: the file's spelling and the server's
  // must compare equal.
  auto file = ParseConfFile(ReadFixture("postgresql_conf/pg15_alter_system.auto.conf"));
  REQUIRE(file.ok());
  REQUIRE(file->size() == 21);
  for (const ConfEntry& entry : *file) {
    INFO(entry.name << " = " << entry.raw_value);
    const nlohmann::json& row = Pg15Settings().at(entry.name);
    SettingType type = TypeFromRow(row);
    CHECK(SettingValuesEqual(type, entry.raw_value, row["setting"].get<std::string>()));
    auto canonical = CanonicalSettingValue(type, entry.raw_value);
    REQUIRE(canonical.ok());
    if (type.vartype != SettingVartype::kReal) CHECK(*canonical == row["setting"]);
  }
}

}  // namespace
}  // namespace pgpair
