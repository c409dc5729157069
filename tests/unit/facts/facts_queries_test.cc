#include <catch2/catch.hpp>

#include "engine/facts/facts.h"

namespace pgpair {
namespace {

FileSettingFact Line(const std::string& name, const std::string& value, const std::string& file,
                     int line) {
  FileSettingFact row;
  row.name = name;
  row.value = value;
  row.file = file;
  row.line = line;
  return row;
}

TEST_CASE("WinningFileSetting takes the last line the server reads, names without case",
          "[facts]") {
  HostFacts facts;
  CHECK(WinningFileSetting(facts, "work_mem") == nullptr);  // files unknown
  facts.file_settings = std::vector<FileSettingFact>{
      Line("work_mem", "4MB", "/etc/postgresql/15/main/postgresql.conf", 10),
      Line("DateStyle", "iso, mdy", "/etc/postgresql/15/main/postgresql.conf", 20),
      Line("work_mem", "8MB", "/etc/postgresql/15/main/conf.d/tuning.conf", 3),
      Line("shared_buffers", "1GB", "/var/lib/postgresql/15/main/postgresql.auto.conf", 3),
  };
  const FileSettingFact* work_mem = WinningFileSetting(facts, "work_mem");
  REQUIRE(work_mem != nullptr);
  CHECK(work_mem->value == "8MB");
  CHECK(work_mem->file == "/etc/postgresql/15/main/conf.d/tuning.conf");
  const FileSettingFact* datestyle = WinningFileSetting(facts, "datestyle");
  REQUIRE(datestyle != nullptr);
  CHECK(datestyle->line == 20);
  CHECK(WinningFileSetting(facts, "max_connections") == nullptr);
}

TEST_CASE("SettingTypeFor takes the running server's word over pgpair's table", "[facts]") {
  // Without the server: the table of PostgreSQL 15.
  SettingType table = SettingTypeFor("shared_buffers", nullptr);
  CHECK(table.vartype == SettingVartype::kInteger);
  CHECK(table.unit == "8kB");
  CHECK(table.context == "postmaster");

  // A name nobody knows compares as a string.
  SettingType unknown = SettingTypeFor("pg_stat_statements.max", nullptr);
  CHECK(unknown.name == "pg_stat_statements.max");
  CHECK(unknown.vartype == SettingVartype::kString);
  CHECK(unknown.unit.empty());

  // The server's row decides the unit and context, and a vartype of its own
  // drops the table's enum members.
  SettingFact row;
  row.name = "wal_level";
  row.vartype = "string";
  row.context = "sighup";
  SettingType server = SettingTypeFor("wal_level", &row);
  CHECK(server.vartype == SettingVartype::kString);
  CHECK(server.enumvals.empty());
  CHECK(server.context == "sighup");

  SettingFact extension;
  extension.name = "pg_stat_statements.max";
  extension.vartype = "integer";
  extension.unit = "";
  CHECK(SettingTypeFor("pg_stat_statements.max", &extension).vartype == SettingVartype::kInteger);

  // A vartype the server spells in a way pgpair does not read keeps the table's.
  SettingFact odd = row;
  odd.vartype = "int8";
  CHECK(SettingTypeFor("wal_level", &odd).vartype == SettingVartype::kEnum);
}

}  // namespace
}  // namespace pgpair
