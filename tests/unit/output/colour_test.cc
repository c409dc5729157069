// Colour only on a terminal and never with NO_COLOR; the plan's text is the
// same with and without it, but for the ANSI sequences.

#include "engine/output/colour.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <regex>

#include "engine/output/plan_report.h"

namespace pgpair {
namespace {

TEST_CASE("no colour on a pipe or with NO_COLOR", "[output][colour]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  CHECK_FALSE(UseColour(fds[1]));
  close(fds[0]);
  close(fds[1]);
  setenv("NO_COLOR", "1", 1);
  CHECK_FALSE(UseColour(STDOUT_FILENO));
  unsetenv("NO_COLOR");
  CHECK(Paint("x", Colour::kGreen, false) == "x");
  CHECK(Paint("x", Colour::kGreen, true) == "\033[32mx\033[0m");
}

TEST_CASE("a coloured plan is the plain one with ANSI sequences", "[output][colour]") {
  Manifest manifest;
  manifest.hosts = {HostSpec{}, HostSpec{}};
  manifest.hosts[0].name = manifest.primary = "pg1";
  manifest.hosts[1].name = manifest.standby = "pg2";
  Plan plan;
  Change change;
  change.resource = "setting";
  change.address = "setting[pg1/wal_level]";
  change.host = "pg1";
  change.action = Action::kCreate;
  change.after = "replica";
  change.reason = "the manifest asks for it";
  plan.changes.push_back(change);
  plan.blockers.push_back({"pg2", "unreachable"});
  const std::string plain = FormatPlan(plan, manifest);
  const std::string coloured = FormatPlan(plan, manifest, true);
  CHECK(coloured != plain);
  CHECK(std::regex_replace(coloured, std::regex("\033\\[[0-9]+m"), "") == plain);
  CHECK(plain.find('\033') == std::string::npos);
}

}  // namespace
}  // namespace pgpair
