// check and plan over several pairs at once, with the real pgpair binary:
// manifests that point at the two sandbox hosts under different pair names,
// one of them drifting, and one pair whose primary does not answer (an
// address of the sandbox's network that no host has). The reachable pairs
// are reported, the unreachable one fails naming its host, the exit status
// is the worst pair's, the JSON lines follow schemas/fleet-line.schema.json
// and the textfile holds every pair's metrics.

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {
namespace {

using nlohmann::json;

// Each run bounded: the unreachable host is given up on after 2 s, the
// rest take about a second.
CommandResult BoundedPgpair(const std::string& arguments, int seconds) {
  return RunCommand("timeout " + std::to_string(seconds) + " " + PGPAIR_BINARY + " " + arguments);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The line of `pair` among `lines`; fails the test when there is not exactly one.
std::string LineOf(const std::vector<std::string>& lines, const std::string& pair) {
  std::vector<std::string> found;
  for (const std::string& line : lines) {
    if (line.rfind(pair + " ", 0) == 0) found.push_back(line);
  }
  INFO(pair);
  REQUIRE(found.size() == 1);
  return found.front();
}

TEST_CASE("a fleet check reports every pair, the unreachable one by its host, worst status",
          "[fleet]") {
  FreshSandbox();
  const std::string sandbox = ReadText(Example("sandbox.yaml"));
  CommandResult applied = BoundedPgpair("apply --auto-approve " + Example("sandbox.yaml"), 400);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_status == 0);

  TempDir dir;
  REQUIRE(mkdir((dir.path() + "/pairs").c_str(), 0755) == 0);
  auto pair = [&](const std::string& name, std::string text) {
    return dir.Write("pairs/" + name + ".yaml",
                     Replaced(std::move(text), "pair: sandbox\n", "pair: " + name + "\n"));
  };
  std::vector<std::string> files = {
      pair("fleet-a", sandbox), pair("fleet-b", sandbox),
      pair("fleet-drift", Replaced(sandbox, "    max_wal_senders: 10\n",
                                   "    max_wal_senders: 10\n    work_mem: 8MB\n")),
      pair("fleet-down",
           Replaced(Replaced(sandbox, "198.18.0.11", "198.18.0.99"), "      user: root",
                    "      connect_timeout: 2\n      user: root"))};
  const std::string textfile = dir.path() + "/pgpair.prom";

  CommandResult check =
      BoundedPgpair("check --jobs 4 " + dir.path() + "/pairs --textfile " + textfile, 60);
  INFO(check.out << check.err);
  CHECK(check.exit_status == 1);
  std::vector<std::string> lines = Lines(check.out);
  REQUIRE(lines.size() == 5);
  CHECK_THAT(LineOf(lines, "fleet-a"),
             Catch::Contains(" converged ") && Catch::Contains("0 changes"));
  CHECK_THAT(LineOf(lines, "fleet-b"), Catch::Contains(" converged "));
  CHECK_THAT(LineOf(lines, "fleet-drift"),
             Catch::Contains(" drift ") && Catch::Contains("1 change "));
  CHECK_THAT(LineOf(lines, "fleet-down"),
             Catch::Contains(" error ") && Catch::Contains("pg1 (198.18.0.99)"));
  CHECK_THAT(lines.back(), Catch::StartsWith("pgpair check: 4 pairs in ") &&
                               Catch::EndsWith(": 2 converged, 1 drift, 1 error"));

  const std::string metrics = ReadText(textfile);
  INFO(metrics);
  for (const char* sample : {
           "pgpair_check_success{pair=\"fleet-a\"} 1\n",
           "pgpair_check_success{pair=\"fleet-down\"} 0\n",
           "pgpair_up{pair=\"fleet-a\",host=\"pg1\"} 1\n",
           "pgpair_up{pair=\"fleet-down\",host=\"pg1\"} 0\n",
           "pgpair_up{pair=\"fleet-down\",host=\"pg2\"} 1\n",
           "pgpair_standby_streaming{pair=\"fleet-a\",host=\"pg2\"} 1\n",
           "pgpair_drift_changes{pair=\"fleet-drift\",kind=\"setting\"} 1\n",
           "pgpair_drift_changes{pair=\"fleet-a\",kind=\"setting\"} 0\n",
           "pgpair_standby_replay_lag_bytes{pair=\"fleet-b\",host=\"pg2\"} ",
           "pgpair_archiver_failed_count{pair=\"fleet-a\",host=\"pg1\"} 0\n",
           "pgpair_last_check_timestamp_seconds{pair=\"fleet-down\"} ",
           "# TYPE pgpair_drift_changes gauge\n",
       }) {
    CHECK_THAT(metrics, Catch::Contains(sample));
  }
  // (pgpair_replay_delay_seconds is absent here: a fresh clone has replayed
  // no commit, so the delay is unknown.) A pair that could not be planned
  // reports no drift, rather than none.
  CHECK_THAT(metrics, !Catch::Contains("pgpair_drift_changes{pair=\"fleet-down\""));
  CHECK_THAT(metrics, !Catch::Contains(
                          Replaced(ReadText(SandboxDir() + "/replication-password"), "\n", "")));
  struct stat info {};
  REQUIRE(stat(textfile.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0644);

  // The same pairs named one by one, as JSON lines, each of the schema.
  std::string arguments = "check --json";
  for (const std::string& file : files) arguments += " " + file;
  CommandResult json_run = BoundedPgpair(arguments, 60);
  INFO(json_run.out << json_run.err);
  CHECK(json_run.exit_status == 1);
  std::vector<std::string> json_lines = Lines(json_run.out);
  REQUIRE(json_lines.size() == 4);
  std::map<std::string, int> status_of;
  for (size_t i = 0; i < json_lines.size(); ++i) {
    CommandResult valid = ValidateAgainstSchema(
        "fleet-line.schema.json", dir.Write("line" + std::to_string(i) + ".json", json_lines[i]));
    INFO(json_lines[i] << "\n" << valid.out << valid.err);
    CHECK(valid.out == "valid\n");
    json line = json::parse(json_lines[i]);
    status_of[line["pair"]] = line["exit_status"];
    if (line["pair"] == "fleet-down") {
      CHECK_THAT(line["error"].get<std::string>(), Catch::Contains("198.18.0.99"));
      CHECK(line["changes"].is_null());
    }
  }
  CHECK(status_of == std::map<std::string, int>{
                         {"fleet-a", 0}, {"fleet-b", 0}, {"fleet-drift", 2}, {"fleet-down", 1}});

  // plan over the directory: the same verdicts in plan's words.
  CommandResult plan = BoundedPgpair("plan " + dir.path() + "/pairs", 60);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_status == 1);
  std::vector<std::string> plan_lines = Lines(plan.out);
  REQUIRE(plan_lines.size() == 5);
  CHECK_THAT(LineOf(plan_lines, "fleet-a"), Catch::Contains(" no_changes "));
  CHECK_THAT(LineOf(plan_lines, "fleet-drift"),
             Catch::Contains(" changes ") && Catch::Contains("1 change "));
  CHECK_THAT(LineOf(plan_lines, "fleet-down"), Catch::Contains("198.18.0.99"));

  // Without the unreachable pair the worst is the drift: exit 2.
  CommandResult reachable = BoundedPgpair("check " + files[0] + " " + files[2], 60);
  INFO(reachable.out << reachable.err);
  CHECK(reachable.exit_status == 2);
}

}  // namespace
}  // namespace pgpair::testing
