#include "engine/facts/parsers/pg_hba.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/facts/parsers/hba_address.h"

namespace pgpair {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/pg_hba/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Split(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + separator.size();
  }
}

// One row of `psql -At -F' | '` over pg_hba_file_rules: line_number, type,
// database, user_name, address, netmask, auth_method, options, error.
struct ServerRow {
  int line_number;
  std::string type, database, user_name, address, netmask, method, error;
};

std::map<int, ServerRow> ReadServerRows(const std::string& name) {
  std::map<int, ServerRow> rows;
  std::istringstream in(ReadFixture(name));
  std::string text;
  while (std::getline(in, text)) {
    std::vector<std::string> f = Split(text, " | ");
    REQUIRE(f.size() == 9);
    rows[std::stoi(f[0])] = {std::stoi(f[0]), f[1], f[2], f[3], f[4], f[5], f[6], f[8]};
  }
  return rows;
}

// "{a,\"B c\"}" as pg_hba_file_rules prints a text[] (without @file expansion).
std::string Names(const std::vector<HbaToken>& tokens) {
  std::string out = "{";
  for (const HbaToken& t : tokens) {
    if (out.size() > 1) out += ",";
    bool needs_quotes = t.value.find_first_of(" ,\"") != std::string::npos;
    out += needs_quotes ? "\"" + t.value + "\"" : t.value;
  }
  return out + "}";
}

// Compares ParsePgHba with the server's reading of the same file. `differ`
// lists the lines where they are known to disagree, each with the reason.
void CheckAgainstServer(const std::string& conf, const std::string& rules,
                        const std::set<int>& differ) {
  std::vector<HbaLine> lines = ParsePgHba(ReadFixture(conf));
  std::map<int, ServerRow> server = ReadServerRows(rules);
  REQUIRE(lines.size() == server.size());
  for (const HbaLine& line : lines) {
    INFO(conf << " line " << line.line_number << ": " << line.raw);
    REQUIRE(server.count(line.line_number) == 1);
    if (differ.count(line.line_number)) continue;
    const ServerRow& row = server.at(line.line_number);
    CHECK(line.error.has_value() == !row.error.empty());
    if (line.error) continue;
    CHECK(line.type == row.type);
    CHECK(Names(line.databases) == row.database);
    CHECK(Names(line.users) == row.user_name);
    CHECK(line.method == row.method);
    if (row.address.empty()) {
      CHECK_FALSE(line.address.has_value());
    } else if (row.netmask.empty()) {
      CHECK(line.address == row.address);
    } else {
      CHECK(line.address == *NormalizeHbaAddress(row.address, std::string_view(row.netmask)));
    }
  }
}

TEST_CASE("ParsePgHba reads real files as PostgreSQL 15 does", "[pg_hba]") {
  // Debian's default: long comment header, local peer lines, IPv4 and IPv6
  // loopback, replication lines.
  CheckAgainstServer("debian15_default.conf", "debian15_default.pg_hba_file_rules.txt", {});
  // A pair's primary. Line 11 fails on that server only because it runs
  // without SSL; line 13's @file the server expanded from disk.
  CheckAgainstServer("replication_pair.conf", "replication_pair.pg_hba_file_rules.txt", {11, 13});
  // Malformed lines. Line 12 (continued on 13) is a semantic error (clientcert
  // without hostssl) that the parser leaves to the server; line 14 is an
  // include directive, which PG 15 did not know and PG 16 does.
  CheckAgainstServer("errors.conf", "errors.pg_hba_file_rules.txt", {12, 14});
}

TEST_CASE("ParsePgHba keeps what the engine needs from each column", "[pg_hba]") {
  std::vector<HbaLine> lines = ParsePgHba(ReadFixture("replication_pair.conf"));
  std::map<int, HbaLine> by_line;
  for (const HbaLine& l : lines) by_line[l.line_number] = l;

  // Options after the method become a map.
  CHECK(by_line[6].options == std::map<std::string, std::string>{{"map", "admins"}});
  // The replication keyword, and a /32 kept as written.
  CHECK(by_line[10].databases[0].IsKeyword("replication"));
  CHECK(by_line[10].address == "198.18.0.12/32");
  // A separate netmask column folds into CIDR.
  CHECK(by_line[11].address == "198.18.0.0/24");
  CHECK(by_line[11].options.at("clientcert") == "verify-ca");
  // A quoted "replication" is a database name, not the keyword; a quoted
  // user keeps its space; a trailing comment is not part of the line.
  CHECK(by_line[12].databases[0] == HbaToken{"replication", true});
  CHECK_FALSE(by_line[12].databases[0].IsKeyword("replication"));
  CHECK(by_line[12].users[0].value == "Replicator Role");
  CHECK(by_line[12].method == "md5");
  CHECK(by_line[12].options.empty());
  // Comma lists, "@file" kept as written, "+group" kept in users.
  CHECK(by_line[13].databases ==
        std::vector<HbaToken>{{"sales", false}, {"all", true}, {"@dbnames.txt", false}});
  CHECK(by_line[13].users == std::vector<HbaToken>{{"+admins", false}, {"alice", false}});
  // reject is a method like any other; ::0/0 is written as ::/0.
  CHECK(by_line[14].method == "reject");
  CHECK(by_line[15].address == "::/0");
  // samenet stays a keyword; a host name suffix stays as written.
  CHECK(by_line[16].address == "samenet");
  CHECK(by_line[17].address == ".example.com");
  // Quoted option values lose their quotes and keep commas and spaces.
  CHECK(by_line[17].options.at("ldapsuffix") == ", dc=example, dc=com");
  CHECK(by_line[17].options.at("ldapprefix") == "cn=");
  // hostgssenc is a connection type.
  CHECK(by_line[18].type == "hostgssenc");
  CHECK(by_line[18].address == "192.0.2.1/32");
}

TEST_CASE("ParsePgHba returns malformed lines with the reason", "[pg_hba]") {
  struct Case {
    const char* text;
    const char* error;  // nullptr: the line is valid
  };
  const Case cases[] = {
      // A missing address: "md5" is taken for a host name, so the method is
      // what is missing (the server's own message for this line).
      {"host all all md5", "end-of-line before authentication method"},
      {"host all all", "end-of-line before IP address specification"},
      // The method column cannot be missing.
      {"host all all 10.0.0.0/8", "end-of-line before authentication method"},
      {"local all", "end-of-line before role specification"},
      {"local", "end-of-line before database specification"},
      // CIDR bits beyond the family's size.
      {"host all all 10.0.0.0/33 md5", "invalid CIDR mask in address \"10.0.0.0/33\""},
      {"host all all ::/129 md5", "invalid CIDR mask in address \"::/129\""},
      // An IPv6 address with an IPv4 mask.
      {"host all all fe80::1 255.255.255.255 md5", "IP address and mask do not match"},
      // An address without bits needs the netmask column.
      {"host all all 10.0.0.1", "end-of-line before netmask specification"},
      // A host name cannot take bits.
      {"host all all db.example.com/24 md5",
       "specifying both host name and CIDR mask is invalid: \"db.example.com/24\""},
      // Unknown connection types and methods.
      {"hostx all all 10.0.0.0/8 md5", "invalid connection type \"hostx\""},
      {"host all all 10.0.0.0/8 magic", "invalid authentication method \"magic\""},
      // Options must be name=value.
      {"host all all 10.0.0.0/8 md5 clientcert",
       "authentication option not in name=value format: clientcert"},
      // Lists are not allowed in single-valued columns.
      {"local,host all all peer", "multiple values specified for connection type"},
      {"local all all peer,md5", "multiple values specified for authentication type"},
      // A quote left open swallows the line.
      {"host \"sales all 10.0.0.0/8 md5", "unterminated quoted string"},
      // A directive needs exactly one file name.
      {"include", "\"include\" must be followed by exactly one file name"},
      // Valid: spaces after a comma continue the list.
      {"host sales, hr all 10.0.0.0/8 md5", nullptr},
      // Valid: a doubled quote inside quotes is a quote.
      {"local \"a\"\"b\" all peer", nullptr},
      // Valid: a netmask that is not contiguous is accepted by the server.
      {"host all all 10.0.0.1 255.0.255.0 md5", nullptr},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    std::vector<HbaLine> lines = ParsePgHba(c.text);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].raw == c.text);
    CHECK(lines[0].line_number == 1);
    if (c.error) {
      REQUIRE(lines[0].error.has_value());
      CHECK(*lines[0].error == c.error);
    } else {
      CHECK_FALSE(lines[0].error.has_value());
    }
  }
}

TEST_CASE("ParsePgHba handles comments, continuations and directives", "[pg_hba]") {
  // Blank lines, comment lines and a trailing comment yield one rule.
  std::vector<HbaLine> lines = ParsePgHba("\n# c\n   \nlocal all all peer # c\n");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].line_number == 4);
  CHECK(lines[0].raw == "local all all peer # c");

  // A trailing backslash joins the next line; the record keeps its first
  // line number and both physical lines.
  lines = ParsePgHba("host all all 10.0.0.0/8 \\\n  scram-sha-256\nlocal all all peer\n");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].line_number == 1);
  CHECK(lines[0].method == "scram-sha-256");
  CHECK(lines[0].raw == "host all all 10.0.0.0/8 \\\n  scram-sha-256");
  CHECK(lines[1].line_number == 3);

  // A comment line ending in a backslash swallows the next line, as in the server.
  lines = ParsePgHba("# note \\\nlocal all all trust\nlocal all all peer\n");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].method == "peer");

  // CRLF files read the same.
  lines = ParsePgHba("local all all peer\r\n");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].method == "peer");

  // The three PG 16 directives are recorded, not followed.
  lines = ParsePgHba("include a.conf\ninclude_if_exists \"b c.conf\"\ninclude_dir hba.d\n");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].type == "include");
  CHECK(lines[0].include_path == "a.conf");
  CHECK(lines[1].type == "include_if_exists");
  CHECK(lines[1].include_path == "b c.conf");
  CHECK(lines[2].type == "include_dir");
  CHECK(lines[2].include_path == "hba.d");
  CHECK_FALSE(lines[2].error.has_value());

  // A local rule has no address; unknown stays empty rather than "".
  lines = ParsePgHba("local all all peer");
  CHECK_FALSE(lines[0].address.has_value());
  CHECK_FALSE(lines[0].include_path.has_value());

  // An empty file has no lines.
  CHECK(ParsePgHba("").empty());
}

}  // namespace
}  // namespace pgpair
