// `pgpair check --textfile FILE` (or --metrics) when the check fails: the file must say so
// (pgpair_check_success 0) instead of keeping an earlier run's figures.

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/cli/cli.h"
#include "engine/cli/pair_commands.h"
#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

using testing::ReadFile;
using testing::ScratchDir;

const char kOldMetrics[] =
    "pgpair_check_success{pair=\"t\"} 1\npgpair_drift_changes{pair=\"t\"} 0\n";

// Runs `pgpair check` with a connector that only counts, and the old
// metrics in place; returns the exit status, stderr in `errors`.
int RunCheck(const ScratchDir& dir, const std::string& manifest, std::atomic<int>* connects,
             std::string* errors) {
  PairCommandOptions options;
  options.manifest_paths = {dir.Write("pair.yaml", manifest)};
  options.metrics_file = dir.Write("metrics.prom", kOldMetrics);
  Connectors connectors;
  connectors.connect = [connects](const HostSpec& host) -> Result<std::unique_ptr<Transport>> {
    ++*connects;
    return Status::Error(host.name + " (" + host.address + "): connection refused");
  };
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  int status = RunCheckCommand(options, connectors);
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  *errors = err.str();
  return status;
}

std::string Manifest(const std::string& secret) {
  return "pair: t\nhosts:\n  a: {address: 10.0.0.1}\n  b: {address: 10.0.0.2}\n"
         "primary: a\nstandby: b\nreplication: {password: " +
         secret + "}\n";
}

TEST_CASE("a check whose secret is missing writes success 0 and contacts no host",
          "[check][metrics]") {
  unsetenv("PGPAIR_TEST_UNSET_SECRET");
  ScratchDir dir("check");
  std::atomic<int> connects{0};
  std::string errors;
  CHECK(RunCheck(dir, Manifest("{env: PGPAIR_TEST_UNSET_SECRET}"), &connects, &errors) ==
        kExitError);
  CHECK(connects == 0);
  CHECK_THAT(errors, Catch::Contains("environment variable PGPAIR_TEST_UNSET_SECRET is not set"));
  const std::string metrics = ReadFile(dir / "metrics.prom");
  CHECK_THAT(metrics, Catch::Contains("\npgpair_check_success{pair=\"t\"} 0\n"));
  CHECK_THAT(metrics, Catch::Contains("pgpair_last_check_timestamp_seconds{pair=\"t\"} "));
  CHECK_THAT(metrics, !Catch::Contains("pgpair_drift_changes"));
}

TEST_CASE("a check whose manifest is broken writes success 0 without a pair name",
          "[check][metrics]") {
  ScratchDir dir("check");
  std::atomic<int> connects{0};
  std::string errors;
  CHECK(RunCheck(dir, ",", &connects, &errors) == kExitError);
  CHECK(connects == 0);
  CHECK_THAT(errors, Catch::Contains("pair.yaml:1:1: YAML syntax error: unexpected \",\""));
  CHECK_THAT(ReadFile(dir / "metrics.prom"),
             Catch::Contains("\npgpair_check_success{pair=\"\"} 0\n"));
}

TEST_CASE("a check that reaches neither host writes success 0", "[check][metrics]") {
  setenv("PGPAIR_TEST_SET_SECRET", "s3cret", 1);
  ScratchDir dir("check");
  std::atomic<int> connects{0};
  std::string errors;
  CHECK(RunCheck(dir, Manifest("{env: PGPAIR_TEST_SET_SECRET}"), &connects, &errors) == kExitError);
  unsetenv("PGPAIR_TEST_SET_SECRET");
  CHECK(connects == 2);
  const std::string metrics = ReadFile(dir / "metrics.prom");
  CHECK_THAT(metrics, Catch::Contains("\npgpair_check_success{pair=\"t\"} 0\n"));
  CHECK_THAT(metrics, Catch::Contains("\npgpair_standby_streaming{pair=\"t\",host=\"b\"} 0\n"));
  CHECK_THAT(metrics, !Catch::Contains("s3cret"));
}

}  // namespace
}  // namespace pgpair
