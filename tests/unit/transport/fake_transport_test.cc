#include "tests/unit/fakes/fake_transport.h"

#include <catch2/catch.hpp>

namespace pgpair {
namespace {

using std::chrono::milliseconds;

TEST_CASE("FakeTransport answers by rule first, then in order, and records everything",
          "[fake_transport]") {
  FakeTransport host("pg2 (198.18.0.12)");
  host.OnCommand("pg_lsclusters", FakeTransport::Stdout("15 main 5432 online\n"));
  host.Then(FakeTransport::Exit(2, "oops"));
  host.Then(Status::Error("pg2 (198.18.0.12): connection lost"));

  // A rule answers every time.
  CHECK(host.Exec("pg_lsclusters -h", "", milliseconds(5))->stdout_text == "15 main 5432 online\n");
  CHECK(host.Exec("sudo pg_lsclusters", "", milliseconds(5))->exit_status == 0);
  // Unmatched commands take the queued answers in order.
  CHECK(host.Exec("first", "in", milliseconds(7))->exit_status == 2);
  CHECK(host.Exec("second", "", milliseconds(5)).status().message() ==
        "pg2 (198.18.0.12): connection lost");
  // With nothing left, an unexpected command is an error naming it.
  Result<ExecResult> unexpected = host.Exec("rm -rf /", "", milliseconds(5));
  REQUIRE_FALSE(unexpected.ok());
  CHECK_THAT(unexpected.status().message(), Catch::Contains("no scripted answer for: rm -rf /"));

  CHECK(host.exec_count() == 5);
  CHECK(host.commands() == std::vector<std::string>{"pg_lsclusters -h", "sudo pg_lsclusters",
                                                    "first", "second", "rm -rf /"});
  CHECK(host.calls()[2].stdin_data == "in");
  CHECK(host.calls()[2].timeout == milliseconds(7));
  CHECK(host.host_label() == "pg2 (198.18.0.12)");
}

}  // namespace
}  // namespace pgpair
