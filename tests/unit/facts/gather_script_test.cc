#include "engine/facts/gather_script.h"

#include <catch2/catch.hpp>

namespace pgpair {
namespace {

TEST_CASE("BuildGatherScript quotes every manifest value into its prologue", "[gather]") {
  HostSpec host;
  host.name = "pg1";
  host.postgres.data_dir = "/srv/pg data/it's";
  host.postgres.port = 5433;
  GatherRequest request;
  request.replication_role = "repl; rm -rf /";
  std::string script = BuildGatherScript(host, request, "@@mark");
  // A path with a space and a quote stays one word.
  CHECK(script.find("PG_DATA='/srv/pg data/it'\\''s'\n") != std::string::npos);
  // A hostile role name is inert.
  CHECK(script.find("PG_ROLE='repl; rm -rf /'\n") != std::string::npos);
  CHECK(script.find("PG_PORT=5433\n") != std::string::npos);
  // Unset overrides are empty, so the script discovers them.
  CHECK(script.find("PG_HBA=''\n") != std::string::npos);
  CHECK(script.find("PGPAIR_MARK=@@mark\n") != std::string::npos);
  // Where apply records the values a server refused at its start.
  CHECK(script.find("PGPAIR_REFUSED=/var/lib/pgpair/refused-settings\n") != std::string::npos);
}

TEST_CASE("NewGatherMark differs between runs", "[gather]") {
  CHECK(NewGatherMark() != NewGatherMark());
  CHECK(NewGatherMark().rfind("@@pgpair-", 0) == 0);
}

TEST_CASE("ParseGatherOutput splits sections and keeps file bytes exact", "[gather]") {
  const std::string output =
      "@@m begin file /a\nline 1\nno final newline"
      "\n@@m stderr file /a\n\n@@m end file /a 0\n"
      "@@m begin archive\n\n@@m stderr archive\nstat: cannot statx: No such file\n"
      "\n@@m end archive 1\n";
  Result<GatherSections> sections = ParseGatherOutput(output, "@@m");
  REQUIRE(sections.ok());
  REQUIRE(sections->size() == 2);
  // The newline the script adds before each marker is taken back off.
  CHECK(sections->at("file /a").out == "line 1\nno final newline");
  CHECK(sections->at("file /a").err.empty());
  CHECK(sections->at("file /a").exit_status == 0);
  CHECK(sections->at("archive").exit_status == 1);
  CHECK(sections->at("archive").err == "stat: cannot statx: No such file\n");
}

TEST_CASE("ParseGatherOutput reports a section cut short", "[gather]") {
  // The connection dropped in the middle of a file.
  Result<GatherSections> sections = ParseGatherOutput("@@m begin sql\n{\"k\":", "@@m");
  REQUIRE_FALSE(sections.ok());
  CHECK(sections.status().message().find("\"sql\"") != std::string::npos);
}

TEST_CASE("ParseGatherOutput refuses output with no section", "[gather]") {
  // sudo printed a lecture and the script never ran.
  CHECK_FALSE(ParseGatherOutput("We trust you have received the usual lecture", "@@m").ok());
}

}  // namespace
}  // namespace pgpair
