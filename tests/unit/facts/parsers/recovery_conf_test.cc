#include "engine/facts/parsers/recovery_conf.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "engine/facts/parsers/conninfo.h"

namespace pgpair {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/recovery_conf/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("ParseRecoveryConf reads pg_basebackup -R's file of PG 10/11", "[recovery_conf]") {
  auto conf = ParseRecoveryConf(ReadFixture("pg11_basebackup_R.conf"));
  REQUIRE(conf.ok());
  // 'on' in quotes is a boolean.
  CHECK(conf->standby_mode == true);
  CHECK(conf->primary_slot_name == "standby1");
  // The file's escaping ('' and \\) is undone, leaving libpq's own quoting...
  REQUIRE(conf->primary_conninfo.has_value());
  CHECK(conf->primary_conninfo->rfind(R"(user=replicator password='pa\'ss' host=198.18.0.11)", 0) ==
        0);
  // ... which the conninfo parser then undoes: two layers, each with its rules.
  auto pairs = ParseConninfo(*conf->primary_conninfo);
  REQUIRE(pairs.ok());
  CHECK((*pairs)[1] == std::make_pair(std::string("password"), std::string("pa'ss")));
  // Settings the file does not have stay unknown.
  CHECK_FALSE(conf->restore_command.has_value());
  CHECK_FALSE(conf->trigger_file.has_value());
  CHECK_FALSE(conf->recovery_target_timeline.has_value());
  CHECK(conf->entries.size() == 3);
}

TEST_CASE("ParseRecoveryConf reads the classic 9.x hand-made file", "[recovery_conf]") {
  auto conf = ParseRecoveryConf(ReadFixture("classic_95.conf"));
  REQUIRE(conf.ok());
  // Unquoted on is a boolean too.
  CHECK(conf->standby_mode == true);
  CHECK(conf->primary_conninfo == "host=198.18.0.11 port=5432 user=replicator password=secret");
  CHECK(conf->trigger_file == "/var/lib/postgresql/9.5/main/failover.trigger");
  CHECK(conf->restore_command == R"(cp /var/lib/postgresql/archive/%f "%p")");
  CHECK(conf->recovery_target_timeline == "latest");
  // No slot in the classic procedure.
  CHECK_FALSE(conf->primary_slot_name.has_value());
}

TEST_CASE("ParseRecoveryConf follows the server on odd files", "[recovery_conf]") {
  struct Case {
    const char* text;
    std::optional<bool> standby_mode;
    std::optional<std::string> slot;
    bool ok;
  };
  const Case cases[] = {
      // The last line that sets a name wins.
      {"standby_mode = on\nstandby_mode = off\n", false, std::nullopt, true},
      {"primary_slot_name = 'a'\nprimary_slot_name = 'b'\n", std::nullopt, "b", true},
      // Boolean spellings are the server's: "yes" is on, "o" is neither.
      {"standby_mode = yes\n", true, std::nullopt, true},
      {"standby_mode = o\n", std::nullopt, std::nullopt, false},
      // A syntax error fails the whole file.
      {"standby_mode = on extra\n", std::nullopt, std::nullopt, false},
      // An empty file sets nothing, and that is not an error.
      {"", std::nullopt, std::nullopt, true},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto conf = ParseRecoveryConf(c.text);
    REQUIRE(conf.ok() == c.ok);
    if (!c.ok) {
      CHECK_THAT(conf.status().message(), Catch::Contains("line 1"));
      continue;
    }
    CHECK(conf->standby_mode == c.standby_mode);
    CHECK(conf->primary_slot_name == c.slot);
  }
}

}  // namespace
}  // namespace pgpair
