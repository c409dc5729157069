#include "engine/edit/hba_edit.h"

#include <catch2/catch.hpp>

#include "tests/unit/fixture_file.h"

namespace pgpair {
namespace {

const char kRule[] =
    "host    replication     replicator      198.18.0.12/32          scram-sha-256";
const char kComment[] = "pgpair: lets the standby pg2 stream (replication)";

const char kSmall[] =
    "# TYPE  DATABASE        USER            ADDRESS                 METHOD\n"          // 1
    "local   all             postgres                                peer\n"            // 2
    "host    replication     all             198.18.0.0/24           reject\n"          // 3
    "host    all             all             127.0.0.1/32            scram-sha-256\n";  // 4

TEST_CASE("Rules are laid out in Debian's columns", "[hba_edit]") {
  CHECK(FormatHbaLine("host", "replication", "replicator", "198.18.0.12/32", "scram-sha-256") ==
        kRule);
  // The fixture's own line, byte for byte: same columns as the file.
  CHECK(FormatHbaLine("host", "replication", "all", "127.0.0.1/32", "scram-sha-256") ==
        "host    replication     all             127.0.0.1/32            scram-sha-256");
  // A value wider than its column still leaves one space.
  CHECK(FormatHbaLine("hostnossl", "replication", "a_very_long_role_name", "2001:db8::12/128",
                      "md5") ==
        "hostnossl replication     a_very_long_role_name "
        "2001:db8::12/128        md5");
}

TEST_CASE("Names are quoted only where pg_hba would read them otherwise", "[hba_edit]") {
  CHECK(QuoteHbaName("replicator") == "replicator");
  CHECK(QuoteHbaName("rep_user-1.x") == "rep_user-1.x");
  CHECK(QuoteHbaName("all") == "\"all\"");  // a role called all, not the keyword
  CHECK(QuoteHbaName("replication") == "\"replication\"");
  CHECK(QuoteHbaName("+group") == "\"+group\"");
  CHECK(QuoteHbaName("@file") == "\"@file\"");
  CHECK(QuoteHbaName("rep user") == "\"rep user\"");
  CHECK(QuoteHbaName("a,b") == "\"a,b\"");
  CHECK(QuoteHbaName("say \"hi\"") == "\"say \"\"hi\"\"\"");
}

TEST_CASE("Insertion before a line keeps every other byte", "[hba_edit]") {
  Result<std::string> edited = InsertHbaLine(kSmall, kRule, 3, kComment);
  REQUIRE(edited.ok());
  CHECK(*edited ==
        "# TYPE  DATABASE        USER            ADDRESS                 METHOD\n"
        "local   all             postgres                                peer\n"
        "# pgpair: lets the standby pg2 stream (replication)\n" +
            std::string(kRule) +
            "\n"
            "host    replication     all             198.18.0.0/24           reject\n"
            "host    all             all             127.0.0.1/32            scram-sha-256\n");
  // Before the first line, and without a comment.
  Result<std::string> first = InsertHbaLine(kSmall, kRule, 1);
  REQUIRE(first.ok());
  CHECK(*first == std::string(kRule) + "\n" + kSmall);
}

TEST_CASE("Appending keeps the file and adds a missing final newline", "[hba_edit]") {
  Result<std::string> appended = InsertHbaLine(kSmall, kRule, std::nullopt, kComment);
  REQUIRE(appended.ok());
  CHECK(*appended == std::string(kSmall) + "# " + kComment + "\n" + kRule + "\n");

  Result<std::string> unterminated = InsertHbaLine("local all all peer", kRule, std::nullopt);
  REQUIRE(unterminated.ok());
  CHECK(*unterminated == "local all all peer\n" + std::string(kRule) + "\n");

  Result<std::string> empty = InsertHbaLine("", kRule, std::nullopt);
  REQUIRE(empty.ok());
  CHECK(*empty == std::string(kRule) + "\n");

  // A comment given with its own "#" is not given a second one.
  Result<std::string> own_hash = InsertHbaLine("", kRule, std::nullopt, "# mine");
  REQUIRE(own_hash.ok());
  CHECK(*own_hash == "# mine\n" + std::string(kRule) + "\n");
}

TEST_CASE("CRLF files get CRLF lines", "[hba_edit]") {
  std::string crlf = "local all all peer\r\nhost all all 127.0.0.1/32 md5\r\n";
  Result<std::string> inserted = InsertHbaLine(crlf, "X", 2, "c");
  REQUIRE(inserted.ok());
  CHECK(*inserted == "local all all peer\r\n# c\r\nX\r\nhost all all 127.0.0.1/32 md5\r\n");
  Result<std::string> appended = InsertHbaLine(crlf, "X", std::nullopt);
  REQUIRE(appended.ok());
  CHECK(*appended == crlf + "X\r\n");
}

TEST_CASE("Insertions that would break a record or miss the file are refused", "[hba_edit]") {
  // Out of range.
  CHECK_FALSE(InsertHbaLine(kSmall, kRule, 0).ok());
  CHECK_FALSE(InsertHbaLine(kSmall, kRule, 5).ok());
  // Line 2 continues line 1's record.
  std::string continued = "host replication all \\\n  198.18.0.0/24 reject\n";
  Result<std::string> inside = InsertHbaLine(continued, kRule, 2);
  REQUIRE_FALSE(inside.ok());
  CHECK(inside.status().message().find("continues the record of line 1") != std::string::npos);
  // Appending after a trailing backslash would join that record.
  CHECK_FALSE(InsertHbaLine("host replication all \\\n", kRule, std::nullopt).ok());
}

TEST_CASE("A line or comment with a line break in it is never written", "[hba_edit]") {
  // A break would start a record of its own: found by the hba_edit fuzzer.
  const std::string two = "host all all 10.0.0.1/32 md5\nhost all all 0.0.0.0/0 trust";
  const std::string refused =
      "pg_hba.conf: the line to write holds a line break; pgpair writes one line at a time";
  CHECK(InsertHbaLine(kSmall, two, 2).status().message() == refused);
  CHECK(InsertHbaLine(kSmall, two, std::nullopt).status().message() == refused);
  CHECK(InsertHbaLine(kSmall, std::string(kRule) + "\r", 2).status().message() == refused);
  CHECK(ReplaceHbaLine(kSmall, 2, two).status().message() == refused);
  CHECK(InsertHbaLine(kSmall, kRule, 2, "a\nhost all all 0.0.0.0/0 trust").status().message() ==
        "pg_hba.conf: the comment to write holds a line break; pgpair writes one line at a time");
}

TEST_CASE("Replacing a rule keeps its comment and every other line", "[hba_edit]") {
  std::string text =
      "local all postgres peer\n"
      "host replication replicator 198.18.0.12/32 md5   # set up by hand\n"
      "host all all 127.0.0.1/32 md5\n";
  Result<std::string> replaced = ReplaceHbaLine(text, 2, kRule);
  REQUIRE(replaced.ok());
  CHECK(*replaced == "local all postgres peer\n" + std::string(kRule) +
                         "  # set up by hand\n"
                         "host all all 127.0.0.1/32 md5\n");

  // A continued record is replaced whole.
  std::string continued = "host replication replicator \\\n 198.18.0.12/32 md5\nlocal all all peer";
  Result<std::string> whole = ReplaceHbaLine(continued, 1, kRule);
  REQUIRE(whole.ok());
  CHECK(*whole == std::string(kRule) + "\nlocal all all peer");

  // The last line without a newline stays without one.
  Result<std::string> last = ReplaceHbaLine("local all all peer", 1, "local all all trust");
  REQUIRE(last.ok());
  CHECK(*last == "local all all trust");
}

TEST_CASE("Replacing refuses what is not a rule's first line", "[hba_edit]") {
  CHECK_FALSE(ReplaceHbaLine(kSmall, 1, kRule).ok());       // a comment
  CHECK_FALSE(ReplaceHbaLine(kSmall, 9, kRule).ok());       // no such line
  CHECK_FALSE(ReplaceHbaLine("a \\\nb\n", 2, kRule).ok());  // a continuation
  CHECK_FALSE(ReplaceHbaLine("\n\n", 1, kRule).ok());       // blank
}

TEST_CASE("Debian's pg_hba.conf: an insertion changes nothing else", "[hba_edit]") {
  // The file the fixture shows on pg1, as Debian 12 ships it for 15/main.
  std::string gather = testing::ReadFixture("gather/pg15_debian_running.txt");
  std::string begin = "@@pgpair-fixture begin file /etc/postgresql/15/main/pg_hba.conf\n";
  size_t start = gather.find(begin) + begin.size();
  std::string hba = gather.substr(
      start,
      gather.find("@@pgpair-fixture stderr file /etc/postgresql/15/main/pg_hba.conf") - start);
  REQUIRE(HbaPhysicalLine(hba, 103) ==
          std::string("host    replication     all             127.0.0.1/32            "
                      "scram-sha-256"));
  Result<std::string> edited = InsertHbaLine(hba, kRule, 103, kComment);
  REQUIRE(edited.ok());
  CHECK(edited->size() ==
        hba.size() + std::string(kRule).size() + 1 + std::string(kComment).size() + 3);
  CHECK(HbaPhysicalLine(*edited, 103) == "# " + std::string(kComment));
  CHECK(HbaPhysicalLine(*edited, 104) == std::string(kRule));
  CHECK(edited->substr(0, 1000) == hba.substr(0, 1000));
}

TEST_CASE("Comments and blank runs do not count in comparisons", "[hba_edit]") {
  CHECK(NormalizeHbaLine("  host\treplication    all  198.18.0.0/24 reject \r") ==
        "host replication all 198.18.0.0/24 reject");
  CHECK(NormalizeHbaLine("") == "");
  CHECK(NormalizeHbaLine("host all all 10.0.0.0/8 md5  # comment") ==
        "host all all 10.0.0.0/8 md5");
  CHECK(NormalizeHbaLine("host \"a#b\" all 10.0.0.0/8 md5") == "host \"a#b\" all 10.0.0.0/8 md5");
  CHECK(HbaPhysicalLine("a\r\nb", 1) == std::string("a"));
  CHECK(HbaPhysicalLine("a\r\nb", 2) == std::string("b"));
  CHECK_FALSE(HbaPhysicalLine("a\n", 2).has_value());
}

}  // namespace
}  // namespace pgpair
