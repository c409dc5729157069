#include "engine/facts/parsers/postgresql_conf.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace pgpair {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/postgresql_conf/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Checks the parse of `conf` against what the real server listed for the same
// file in pg_file_settings (every setting line, in order; directives excluded).
void CheckAgainstServer(const std::string& conf, const std::string& pg_file_settings) {
  auto parsed = ParseConfFile(ReadFixture(conf));
  REQUIRE(parsed.ok());
  std::vector<ConfEntry> settings;
  for (const ConfEntry& e : *parsed) {
    if (!e.is_include) settings.push_back(e);
  }
  auto server = nlohmann::json::parse(ReadFixture(pg_file_settings));
  REQUIRE(settings.size() == server.size());
  for (size_t i = 0; i < settings.size(); ++i) {
    INFO(conf << " line " << settings[i].line_number);
    std::string name = server[i]["name"];
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(settings[i].line_number == server[i]["sourceline"].get<int>());
    CHECK(settings[i].name == name);
    CHECK(settings[i].value == server[i]["setting"].get<std::string>());
  }
}

TEST_CASE("ParseConfFile reads what the server reads from real files", "[postgresql_conf]") {
  // Debian's file: many comments, tabs before trailing comments, bare numbers
  // and units, and an include_dir directive.
  CheckAgainstServer("debian15_default.conf", "debian15_default.pg_file_settings.json");
  // ALTER SYSTEM's own quoting: '' inside values and doubled backslashes.
  CheckAgainstServer("pg15_alter_system.auto.conf", "pg15_alter_system.pg_file_settings.json");
  // Hand-made corner cases, each one read back from the server.
  CheckAgainstServer("tricky.conf", "tricky.pg_file_settings.json");
}

TEST_CASE("ParseConfFile records include directives without following them", "[postgresql_conf]") {
  auto debian = ParseConfFile(ReadFixture("debian15_default.conf"));
  REQUIRE(debian.ok());
  // Debian's last setting line pulls in conf.d; it must be seen as a directive.
  const ConfEntry& last = debian->back();
  CHECK(last.is_include);
  CHECK(last.name == "include_dir");
  CHECK(last.value == "conf.d");
  CHECK(last.raw_value == "'conf.d'");
  CHECK(last.line_number == 805);

  auto tricky = ParseConfFile(ReadFixture("tricky.conf"));
  REQUIRE(tricky.ok());
  // include_if_exists is a directive as well, with its path unquoted.
  auto it = std::find_if(tricky->begin(), tricky->end(),
                         [](const ConfEntry& e) { return e.name == "include_if_exists"; });
  REQUIRE(it != tricky->end());
  CHECK(it->is_include);
  CHECK(it->value == "missing_optional.conf");
}

TEST_CASE("ParseConfFile keeps duplicates in file order", "[postgresql_conf]") {
  // pg_basebackup -R appended a second primary_conninfo after the one ALTER
  // SYSTEM wrote; the server uses the last, so both must be visible.
  auto parsed = ParseConfFile(ReadFixture("pg15_basebackup_R.auto.conf"));
  REQUIRE(parsed.ok());
  std::vector<std::string> conninfos;
  for (const ConfEntry& e : *parsed) {
    if (e.name == "primary_conninfo") conninfos.push_back(e.value);
  }
  REQUIRE(conninfos.size() == 2);
  CHECK(conninfos[0].rfind("host=198.18.0.11", 0) == 0);
  CHECK(conninfos[1].rfind("user=replicator password='pgpair-fixture-only'", 0) == 0);
}

TEST_CASE("ParseConfFile reports the same bad lines as the server", "[postgresql_conf]") {
  auto parsed = ParseConfFile(ReadFixture("syntax_errors.conf"));
  REQUIRE_FALSE(parsed.ok());
  // Every line the server logged, with the same offending token, and no other.
  std::string log = ReadFixture("syntax_errors.server_log.txt");
  std::regex server_line(R"(line (\d+), near token "([^"]*)\")");
  std::string expected;
  for (std::sregex_iterator m(log.begin(), log.end(), server_line), end; m != end; ++m) {
    if (!expected.empty()) expected += "; ";
    expected += "line " + (*m)[1].str() + ": syntax error near token \"" + (*m)[2].str() + "\"";
  }
  CHECK(parsed.status().message() == expected);
}

TEST_CASE("ParseConfFile handles each construct of the syntax", "[postgresql_conf]") {
  struct Case {
    const char* text;
    const char* name;   // nullptr: expect no entry
    const char* value;  // or the error message when name is "!"
  };
  const Case cases[] = {
      // The '=' is optional.
      {"port 5433", "port", "5433"},
      // Names are case-insensitive, so they come back lowercased.
      {"Shared_Buffers = 1GB", "shared_buffers", "1GB"},
      // A qualified (extension) name is a name.
      {"pg_stat_statements.max = 10000", "pg_stat_statements.max", "10000"},
      // '#' inside quotes is text; after the value it starts a comment.
      {"x = 'a # b' # c", "x", "a # b"},
      // A comment may follow the value without a space.
      {"x = 64MB#c", "x", "64MB"},
      // A commented-out setting is not a setting.
      {"#wal_level = replica", nullptr, nullptr},
      // Blank and whitespace-only lines are skipped; CR of a CRLF file is blank.
      {"  \t\r", nullptr, nullptr},
      // Both quote escapes the server accepts.
      {R"(x = 'it''s \'ok\'')", "x", "it's 'ok'"},
      // Backslash escapes as the server applies them.
      {R"(x = 'a\tb\\c\101\q')", "x", "a\tb\\cAq"},
      // An unquoted path is not valid; a relative word with '/' after a letter is.
      {"x = conf.d/extra", "x", "conf.d/extra"},
      // A signed number with a unit is one token.
      {"x = -1kB", "x", "-1kB"},
      // A real without a leading digit.
      {"x = .25", "x", ".25"},
      // The empty string.
      {"x = ''", "x", ""},
      // An unquoted real followed by a unit is two tokens to the server.
      {"x = 1.5GB", "!", "line 1: syntax error near token \"GB\""},
      // A qualified id is not a value.
      {"x = a.b", "!", "line 1: syntax error near token \"a.b\""},
      // A name without a value.
      {"x =", "!", "line 1: syntax error near end of line"},
      // A quote left open.
      {"x = 'open", "!", "line 1: syntax error near token \"'\""},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto parsed = ParseConfFile(c.text);
    if (c.name && std::string(c.name) == "!") {
      REQUIRE_FALSE(parsed.ok());
      CHECK(parsed.status().message() == c.value);
      continue;
    }
    REQUIRE(parsed.ok());
    if (!c.name) {
      CHECK(parsed->empty());
      continue;
    }
    REQUIRE(parsed->size() == 1);
    CHECK((*parsed)[0].name == c.name);
    CHECK((*parsed)[0].value == c.value);
    CHECK((*parsed)[0].line_number == 1);
    CHECK_FALSE((*parsed)[0].is_include);
  }
}

TEST_CASE("ParseConfFile accepts an empty file and a last line without newline",
          "[postgresql_conf]") {
  // Nothing to read is not an error.
  auto empty = ParseConfFile("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  // Line numbers count from 1 and the final line needs no newline.
  auto two = ParseConfFile("# c\nport = 1");
  REQUIRE(two.ok());
  REQUIRE(two->size() == 1);
  CHECK((*two)[0].line_number == 2);
}

TEST_CASE("UnquoteConfValue and QuoteConfValue round-trip", "[postgresql_conf]") {
  const std::string values[] = {
      // Plain text.
      "replica",
      // The empty string.
      "",
      // A conninfo with a quoted password: the quotes must survive.
      "host=a password='s3cr\"t' application_name=x",
      // A Windows path: backslashes must survive.
      R"(copy "C:\archive\%f" "%p")",
      // Control characters that cannot appear raw in a quoted value.
      "line1\nline2\r\b\f\ttab",
      // '#' is not a comment inside quotes.
      "a # b",
  };
  for (const std::string& v : values) {
    INFO(v);
    std::string quoted = QuoteConfValue(v);
    auto back = UnquoteConfValue(quoted);
    REQUIRE(back.ok());
    CHECK(*back == v);
    // The quoted value is also a valid file line that reads back the same.
    auto file = ParseConfFile("x = " + quoted);
    REQUIRE(file.ok());
    CHECK((*file)[0].value == v);
  }
  // ALTER SYSTEM's own spelling is reproduced exactly.
  CHECK(QuoteConfValue(R"(copy "C:\archive\%f" "%p")") == R"('copy "C:\\archive\\%f" "%p"')");
  CHECK(QuoteConfValue("s3cr't") == "'s3cr''t'");
  // A NUL byte ends a server value, so it ends the written one.
  CHECK(QuoteConfValue(std::string("ab\0cd", 5)) == "'ab'");
}

TEST_CASE("UnquoteConfValue leaves bare tokens alone and rejects broken quotes",
          "[postgresql_conf]") {
  // A bare token is the value itself.
  CHECK(*UnquoteConfValue("128MB") == "128MB");
  // An unterminated quote is an error, not a guess.
  CHECK_FALSE(UnquoteConfValue("'abc").ok());
  // A backslash-escaped closing quote does not close.
  CHECK_FALSE(UnquoteConfValue(R"('abc\')").ok());
  // Text after the closing quote is not part of one token.
  CHECK_FALSE(UnquoteConfValue("'a'b").ok());
}

}  // namespace
}  // namespace pgpair
