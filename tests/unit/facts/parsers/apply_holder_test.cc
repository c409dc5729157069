#include "engine/facts/parsers/apply_holder.h"

#include <catch2/catch.hpp>

#include "tests/unit/fixture_file.h"

namespace pgpair {
namespace {

TEST_CASE("the apply lock's holder record is parsed from the file and from a HELD line",
          "[facts][parsers][lock]") {
  struct Case {
    const char* what;  // what the case proves
    std::string text;
  };
  const Case cases[] = {
      {"the holder file, one field a line, as apply_lease.sh writes it",
       "pair=sandbox\nuser=root\nmachine=ctl1\npid=4242\nsince=2026-12-01T11:02:03Z\n"
       "lease_pid=5151\nlease_start=190228\n"},
      {"a HELD line's fields, tab-separated",
       "\tpair=sandbox\tuser=root\tmachine=ctl1\tpid=4242"
       "\tsince=2026-12-01T11:02:03Z\tlease_pid=5151"},
      {"unknown keys and stray lines are skipped",
       "pair=sandbox\nuser=root\nmachine=ctl1\nflavour=vanilla\nnot a field\npid=4242\n"
       "since=2026-12-01T11:02:03Z\nlease_pid=5151\r\n"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Result<ApplyHolderFact> holder = ParseApplyHolder(c.text);
    REQUIRE(holder.ok());
    CHECK(holder->pair == "sandbox");
    CHECK(holder->user == "root");
    CHECK(holder->machine == "ctl1");
    CHECK(holder->pid == 4242);
    CHECK(holder->since == "2026-12-01T11:02:03Z");
    CHECK(holder->lease_pid == 5151);
  }
}

TEST_CASE("a holder record's broken values are unknown, and no field at all is an error",
          "[facts][parsers][lock]") {
  Result<ApplyHolderFact> holder = ParseApplyHolder("user=root\npid=12ab\nlease_pid=-4\n");
  REQUIRE(holder.ok());
  CHECK(holder->user == "root");
  CHECK(holder->pid == std::nullopt);
  CHECK(holder->lease_pid == std::nullopt);
  CHECK(holder->machine == std::nullopt);
  CHECK_FALSE(ParseApplyHolder("").ok());
  CHECK_FALSE(ParseApplyHolder("\n\t\nnothing here\n").ok());
}

TEST_CASE("a holder is described as a refusal names it", "[facts][parsers][lock]") {
  ApplyHolderFact holder;
  holder.pair = "sandbox";
  holder.user = "root";
  holder.machine = "ctl1";
  holder.pid = 4242;
  holder.since = "2026-12-01T11:02:03Z";
  CHECK(DescribeApplyHolder(holder) ==
        "user root on machine ctl1, pid 4242, since 2026-12-01T11:02:03Z (pair sandbox)");
  holder.user.reset();
  holder.since = "";
  CHECK(DescribeApplyHolder(holder) == "on machine ctl1, pid 4242 (pair sandbox)");
  CHECK(DescribeApplyHolder(ApplyHolderFact{}) == "a holder that did not say who it is");
}

}  // namespace
}  // namespace pgpair
