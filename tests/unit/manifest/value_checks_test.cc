#include "engine/manifest/value_checks.h"

#include <catch2/catch.hpp>

#include "engine/manifest/suggest.h"

namespace pgpair {
namespace {

TEST_CASE("IpVersion and IsHostName tell addresses from names", "[manifest][value_checks]") {
  struct Case {
    const char* text;
    std::optional<int> ip;
    bool host_name;
  };
  const Case cases[] = {
      {"198.18.0.11", 4, false},                 // dotted quad; all-numeric labels are not a name
      {"::1", 6, false},                         // IPv6 literal
      {"fd00::12", 6, false},                    // IPv6 with hex digits
      {"db1", std::nullopt, true},               // a short name
      {"db-1.example.com", std::nullopt, true},  // FQDN with a hyphen
      {"db1.example.com.", std::nullopt, true},  // trailing root dot
      {"10.0.0.256", std::nullopt, false},       // mistyped IPv4 is neither
      {"-db1", std::nullopt, false},             // label may not start with '-'
      {"db_1", std::nullopt, false},             // '_' is not allowed in host names
      {"a..b", std::nullopt, false},             // empty label
      {"", std::nullopt, false},                 // empty
      {"[::1]", std::nullopt, false},            // brackets belong to URLs, not here
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(IpVersion(c.text) == c.ip);
    CHECK(IsHostName(c.text) == c.host_name);
  }
}

TEST_CASE("IsCidr takes pg_hba address/prefix forms", "[manifest][value_checks]") {
  CHECK(IsCidr("198.18.0.12/32"));        // one IPv4 host
  CHECK(IsCidr("10.0.0.0/8"));            // a network
  CHECK(IsCidr("fd00::12/128"));          // one IPv6 host
  CHECK_FALSE(IsCidr("198.18.0.12"));     // the prefix is required
  CHECK_FALSE(IsCidr("198.18.0.12/33"));  // IPv4 prefix above 32
  CHECK_FALSE(IsCidr("fd00::12/129"));    // IPv6 prefix above 128
  CHECK_FALSE(IsCidr("db2/32"));          // a host name is not an address
  CHECK_FALSE(IsCidr("10.0.0.1/-1"));     // no sign
}

TEST_CASE("ParseDurationSeconds reads s, m, h and bare seconds", "[manifest][value_checks]") {
  CHECK(ParseDurationSeconds("10s") == 10);
  CHECK(ParseDurationSeconds("5m") == 300);
  CHECK(ParseDurationSeconds("1h") == 3600);
  CHECK(ParseDurationSeconds("30") == 30);              // a bare number is seconds
  CHECK(ParseDurationSeconds("0") == std::nullopt);     // zero would mean "never wait"
  CHECK(ParseDurationSeconds("25h") == std::nullopt);   // more than a day is a typo
  CHECK(ParseDurationSeconds("10 s") == std::nullopt);  // no spaces
  CHECK(ParseDurationSeconds("1d") == std::nullopt);    // unknown unit
  CHECK(ParseDurationSeconds("s") == std::nullopt);     // unit without number
  CHECK(ParseDurationSeconds("-5s") == std::nullopt);   // no sign
}

TEST_CASE("NormalizeOctalMode writes four digits", "[manifest][value_checks]") {
  CHECK(NormalizeOctalMode("0700") == "0700");
  CHECK(NormalizeOctalMode("700") == "0700");          // leading zero optional
  CHECK(NormalizeOctalMode("0o750") == "0750");        // YAML 1.2 octal spelling
  CHECK(NormalizeOctalMode("2770") == "2770");         // setgid kept
  CHECK(NormalizeOctalMode("0780") == std::nullopt);   // 8 is not octal
  CHECK(NormalizeOctalMode("17777") == std::nullopt);  // beyond 07777
  CHECK(NormalizeOctalMode("") == std::nullopt);
}

TEST_CASE("NormalizeSettingName lowercases identifiers", "[manifest][value_checks]") {
  CHECK(NormalizeSettingName("max_wal_senders") == "max_wal_senders");
  CHECK(NormalizeSettingName("WAL_Level") == "wal_level");  // case-insensitive in PostgreSQL
  CHECK(NormalizeSettingName("pg_stat_statements.track") ==
        "pg_stat_statements.track");                               // an extension's setting
  CHECK(NormalizeSettingName("max-wal-senders") == std::nullopt);  // '-' is not allowed
  CHECK(NormalizeSettingName("a.b.c") == std::nullopt);            // one dot at most
  CHECK(NormalizeSettingName("1abc") == std::nullopt);             // no leading digit
}

TEST_CASE("name checks", "[manifest][value_checks]") {
  CHECK(IsRoleName("replicator"));
  CHECK_FALSE(IsRoleName("repl user"));           // would need quoting in pg_hba.conf
  CHECK_FALSE(IsRoleName(std::string(64, 'r')));  // NAMEDATALEN is 64
  CHECK(IsClusterName("15/main"));
  CHECK(IsClusterName("9.6/main"));  // versions before 10 have two parts
  CHECK_FALSE(IsClusterName("main"));
  CHECK(IsOsUserName("postgres"));
  CHECK_FALSE(IsOsUserName("Postgres"));  // useradd refuses capitals
  CHECK(IsEnvVarName("PGPAIR_REPLICATION_PASSWORD"));
  CHECK_FALSE(IsEnvVarName("1PASS"));
  CHECK(IsManifestName("db-1.example"));
  CHECK_FALSE(IsManifestName("db 1"));
}

TEST_CASE("ClosestMatch suggests only likely typos", "[manifest][suggest]") {
  const std::vector<std::string> keys = {"address", "ssh", "become", "postgres"};
  CHECK(ClosestMatch("adress", keys) == "address");       // a dropped letter
  CHECK(ClosestMatch("Address", keys) == "address");      // case only
  CHECK(ClosestMatch("bceome", keys) == "become");        // two letters swapped
  CHECK(ClosestMatch("postgresql", keys) == "postgres");  // two extra letters
  CHECK(ClosestMatch("ip", keys) == std::nullopt);        // too short to guess from
  CHECK(ClosestMatch("hostname", keys) == std::nullopt);  // nothing close
}

}  // namespace
}  // namespace pgpair
