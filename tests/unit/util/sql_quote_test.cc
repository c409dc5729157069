#include "engine/util/sql_quote.h"

#include <catch2/catch.hpp>

namespace pgpair {
namespace {

TEST_CASE("SQL quoting: identifiers and literals", "[sql_quote]") {
  CHECK(QuoteSqlIdentifier("replicator") == "\"replicator\"");
  // An inner double quote is doubled, so a name cannot end the identifier.
  CHECK(QuoteSqlIdentifier("Rep \"x\"") == "\"Rep \"\"x\"\"\"");
  CHECK(QuoteSqlLiteral("plain") == "'plain'");
  CHECK(QuoteSqlLiteral("it's") == "'it''s'");
  // Reads the same with standard_conforming_strings on or off.
  CHECK(QuoteSqlLiteral("a\\b'c") == "E'a\\\\b''c'");
  // An injection attempt stays inside the literal.
  CHECK(QuoteSqlLiteral("x'); DROP TABLE t; --") == "'x''); DROP TABLE t; --'");
}

}  // namespace
}  // namespace pgpair
