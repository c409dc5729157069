#include "engine/facts/parsers/conninfo.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace pgpair {
namespace {

std::string ReadFixtureLine(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_FIXTURES_DIR) + "/conninfo/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);
  return line;
}

TEST_CASE("ParseConninfo reads pg_basebackup -R's primary_conninfo", "[conninfo]") {
  const std::string text = ReadFixtureLine("pg15_basebackup_R.txt");
  auto pairs = ParseConninfo(text);
  REQUIRE(pairs.ok());
  // Every pair in order, the quoted password unquoted.
  CHECK(*pairs == ConninfoPairs{{"user", "replicator"},
                                {"password", "pgpair-fixture-only"},
                                {"channel_binding", "prefer"},
                                {"host", "127.0.0.1"},
                                {"port", "5499"},
                                {"sslmode", "prefer"},
                                {"sslcompression", "0"},
                                {"sslsni", "1"},
                                {"ssl_min_protocol_version", "TLSv1.2"},
                                {"gssencmode", "prefer"},
                                {"krbsrvname", "postgres"},
                                {"target_session_attrs", "any"}});
  // BuildConninfo quotes exactly as pg_basebackup did: the text comes back.
  CHECK(BuildConninfo(*pairs) == text);
}

TEST_CASE("RedactConninfo hides the password as the server's own view does", "[conninfo]") {
  const std::string text = ReadFixtureLine("pg15_basebackup_R.txt");
  const std::string redacted = RedactConninfo(text);
  // The secret is gone, and only the secret.
  CHECK(redacted.find("pgpair-fixture-only") == std::string::npos);
  CHECK(redacted ==
        "user=replicator password=******** channel_binding=prefer host=127.0.0.1 port=5499 "
        "sslmode=prefer sslcompression=0 sslsni=1 ssl_min_protocol_version=TLSv1.2 "
        "gssencmode=prefer krbsrvname=postgres target_session_attrs=any");
  // pg_stat_wal_receiver.conninfo on the standby spells it the same way.
  auto server = ParseConninfo(ReadFixtureLine("pg15_wal_receiver_redacted.txt"));
  REQUIRE(server.ok());
  CHECK((*server)[1] == std::make_pair(std::string("password"), std::string("********")));
  // Redacting an already redacted string changes nothing.
  CHECK(RedactConninfo(redacted) == redacted);
}

TEST_CASE("ParseConninfo handles keyword/value strings as libpq does", "[conninfo]") {
  struct Case {
    const char* text;
    ConninfoPairs pairs;
    const char* error;  // set when libpq rejects the string
  };
  const std::vector<Case> cases = {
      // The empty string has no pairs.
      {"", {}, nullptr},
      // Spaces around '=' are allowed.
      {"host = a  port= 5432", {{"host", "a"}, {"port", "5432"}}, nullptr},
      // Quotes allow spaces; a backslash escapes a quote or a backslash.
      {R"(password='it\'s a \\ secret')", {{"password", R"(it's a \ secret)"}}, nullptr},
      // A backslash escapes in bare values too.
      {R"(password=a\ b)", {{"password", "a b"}}, nullptr},
      // The empty quoted value.
      {"password=''", {{"password", ""}}, nullptr},
      // A quoted value may be followed directly by the next key.
      {"user='a'host=b", {{"user", "a"}, {"host", "b"}}, nullptr},
      // '' is not an escape in a conninfo (unlike a config file): the value
      // ends at the second quote and 'b' is read as the next key.
      {"application_name='a''b'", {}, "missing \"=\" after \"'b'\""},
      // A key without '='.
      {"host", {}, "missing \"=\" after \"host\" in connection info string"},
      {"host=a port", {}, "missing \"=\" after \"port\" in connection info string"},
      // An unterminated quote.
      {"password='abc", {}, "unterminated quoted string in connection info string"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto pairs = ParseConninfo(c.text);
    if (c.error) {
      REQUIRE_FALSE(pairs.ok());
      CHECK_THAT(pairs.status().message(), Catch::Contains(c.error));
    } else {
      REQUIRE(pairs.ok());
      CHECK(*pairs == c.pairs);
    }
  }
}

TEST_CASE("ParseConninfo reads postgresql:// URIs", "[conninfo]") {
  struct Case {
    const char* text;
    ConninfoPairs pairs;
    const char* error;
  };
  const std::vector<Case> cases = {
      // Every part, in libpq's order.
      {"postgresql://rep:pw@198.18.0.11:5433/postgres?application_name=standby1&sslmode=require",
       {{"user", "rep"},
        {"password", "pw"},
        {"host", "198.18.0.11"},
        {"port", "5433"},
        {"dbname", "postgres"},
        {"application_name", "standby1"},
        {"sslmode", "require"}},
       nullptr},
      // The short scheme, a host only.
      {"postgres://db.example.com", {{"host", "db.example.com"}}, nullptr},
      // Percent-decoding in credentials, database and parameters.
      {"postgresql://us%40er:p%3Aw%2F@h/my%20db?passfile=%2Fvar%2Flib%2F.pgpass",
       {{"user", "us@er"},
        {"password", "p:w/"},
        {"host", "h"},
        {"dbname", "my db"},
        {"passfile", "/var/lib/.pgpass"}},
       nullptr},
      // A user without a password.
      {"postgresql://rep@h", {{"user", "rep"}, {"host", "h"}}, nullptr},
      // IPv6 in brackets, with a port.
      {"postgresql://[2001:db8::1]:5432/db",
       {{"host", "2001:db8::1"}, {"port", "5432"}, {"dbname", "db"}},
       nullptr},
      // Several hosts: one comma-separated host and port value.
      {"postgresql://a:5432,b:5433/db",
       {{"host", "a,b"}, {"port", "5432,5433"}, {"dbname", "db"}},
       nullptr},
      // No host at all (a Unix socket) with parameters.
      {"postgresql:///db?host=/var/run/postgresql",
       {{"dbname", "db"}, {"host", "/var/run/postgresql"}},
       nullptr},
      // A bad percent escape.
      {"postgresql://u:p%zz@h", {}, "invalid percent-encoded token"},
      // %00 cannot be a C string.
      {"postgresql://h/db%00", {}, "forbidden value %00"},
      // A parameter without '='.
      {"postgresql://h?sslmode", {}, "missing key/value separator"},
      // An IPv6 host left open.
      {"postgresql://[::1/db", {}, "looking for matching \"]\""},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto pairs = ParseConninfo(c.text);
    if (c.error) {
      REQUIRE_FALSE(pairs.ok());
      CHECK_THAT(pairs.status().message(), Catch::Contains(c.error));
    } else {
      REQUIRE(pairs.ok());
      CHECK(*pairs == c.pairs);
    }
  }
}

TEST_CASE("RedactConninfo never returns a secret", "[conninfo]") {
  struct Case {
    const char* text;
    const char* redacted;
  };
  const Case cases[] = {
      // A bare password.
      {"host=a password=s3cret user=b", "host=a password=******** user=b"},
      // A quoted password with an escaped quote and spaces.
      {R"(host=a password='s3 \'cret' user=b)", "host=a password=******** user=b"},
      // sslpassword is a secret too.
      {"sslkey=k sslpassword=s3cret", "sslkey=k sslpassword=********"},
      // Every occurrence, not just the first.
      {"password=one password=two", "password=******** password=********"},
      // Nothing to hide.
      {"host=a port=5432", "host=a port=5432"},
      {"", ""},
      // A URI's password, and a password parameter.
      {"postgresql://rep:s3cret@h:5432/db", "postgresql://rep:********@h:5432/db"},
      {"postgresql://h/db?password=s3cret&sslmode=require",
       "postgresql://h/db?password=********&sslmode=require"},
      // A dbname that is itself a connection string.
      {"dbname='host=a password=s3cret'", "dbname='host=a password=********'"},
      {"dbname=postgresql://u:s3cret@h", "dbname='postgresql://u:********@h'"},
      // Unparsable: everything after "password" goes.
      {"host=a password='s3cret", "host=a password********"},
      {"host=a password s3cret", "host=a password********"},
      // Unparsable URI: only the scheme is left.
      {"postgresql://u:s3cret@[::1/db", "postgresql://********"},
      // Unparsable but no password anywhere: kept for the error message.
      {"host=a port", "host=a port"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    std::string redacted = RedactConninfo(c.text);
    CHECK(redacted == c.redacted);
    CHECK(redacted.find("s3") == std::string::npos);
  }
}

TEST_CASE("BuildConninfo quotes values so that libpq reads them back", "[conninfo]") {
  const ConninfoPairs pairs = {
      {"host", "198.18.0.11"},                      // bare: digits and dots
      {"user", "rep_user"},                         // bare: letters and '_'
      {"password", "it's a \\ secret"},             // quoted, with ' and \ escaped
      {"application_name", ""},                     // the empty value must still be a value
      {"passfile", "/var/lib/postgresql/.pgpass"},  // '/' needs quotes
  };
  const std::string built = BuildConninfo(pairs);
  CHECK(built ==
        R"(host=198.18.0.11 user=rep_user password='it\'s a \\ secret' application_name='' )"
        R"(passfile='/var/lib/postgresql/.pgpass')");
  auto back = ParseConninfo(built);
  REQUIRE(back.ok());
  CHECK(*back == pairs);
  // No pairs, no text.
  CHECK(BuildConninfo({}).empty());
}

}  // namespace
}  // namespace pgpair
