// plan and check over several manifests (engine/cli/fleet.h): a line per
// pair, the worst exit status, a bounded number of pairs in flight, JSON
// lines of schemas/fleet-line.schema.json. The hosts are never contacted:
// the connector refuses every connection and counts them.

#include "engine/cli/fleet.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "engine/cli/cli.h"
#include "engine/cli/logging.h"
#include "engine/cli/manifest_list.h"
#include "engine/util/shell_quote.h"
#include "tests/unit/scratch_dir.h"

namespace pgpair {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::ScratchDir;

std::string Manifest(const std::string& pair, const std::string& address_prefix = "10.0.0.") {
  setenv("PGPAIR_FLEET_TEST_SECRET", "fleet-test-secret-1", 1);
  return "pair: " + pair + "\nhosts:\n  a: {address: " + address_prefix +
         "1}\n  b: {address: " + address_prefix +
         "2}\nprimary: a\nstandby: b\n"
         "replication: {role: replicator, password: {env: PGPAIR_FLEET_TEST_SECRET}}\n";
}

struct Run {
  int status;
  std::string out;
  std::string err;
};

// Counts connections and the most in flight at once; each waits a little so
// that pairs overlap, and is refused.
struct CountingConnector {
  std::atomic<int> connects{0};
  std::atomic<int> in_flight{0};
  std::atomic<int> most_in_flight{0};
  bool log_each = false;  // logs "connecting to HOST (ADDRESS)" at info, as a transport would

  Connectors Make() {
    Connectors connectors;
    connectors.connect = [this](const HostSpec& host) -> Result<std::unique_ptr<Transport>> {
      if (log_each) spdlog::info("connecting to {} ({})", host.name, host.address);
      ++connects;
      int now = ++in_flight;
      for (int seen = most_in_flight;
           now > seen && !most_in_flight.compare_exchange_weak(seen, now);) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      --in_flight;
      return Status::Error(host.name + " (" + host.address + "): connection refused");
    };
    return connectors;
  }
};

Run Fleet(FleetCommand command, PairCommandOptions options, CountingConnector* counter) {
  options.fleet = true;
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  int status = RunFleet(command, options, counter->Make());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {status, out.str(), err.str()};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_CASE("a directory is its YAML files, sorted, not its subdirectories' files", "[fleet]") {
  ScratchDir dir("fleet");
  dir.Write("pairs/b.yml", Manifest("b"));
  dir.Write("pairs/a.yaml", Manifest("a"));
  dir.Write("pairs/notes.txt", "not a manifest");
  dir.Write("pairs/old/c.yaml", Manifest("c"));
  fs::create_directories(dir / "pairs/dir.yaml");
  Result<ManifestList> list =
      ExpandManifestArguments({dir / "single.yaml", dir / "pairs", dir / "z.yaml"});
  REQUIRE(list.ok());
  CHECK(list->had_directory);
  CHECK(list->paths == std::vector<std::string>{dir / "single.yaml", dir / "pairs/a.yaml",
                                                dir / "pairs/b.yml", dir / "z.yaml"});
  Result<ManifestList> files = ExpandManifestArguments({dir / "x.yaml"});
  REQUIRE(files.ok());
  CHECK(!files->had_directory);
  fs::create_directories(dir / "none");
  Result<ManifestList> none = ExpandManifestArguments({dir / "none"});
  REQUIRE(!none.ok());
  CHECK_THAT(none.status().message(), Catch::StartsWith(dir / "none" + ": no manifest"));
}

TEST_CASE("the worst exit status wins: 1 before 2 before 0", "[fleet]") {
  CHECK(WorseExitStatus(kExitOk, kExitDrift) == kExitDrift);
  CHECK(WorseExitStatus(kExitDrift, kExitOk) == kExitDrift);
  CHECK(WorseExitStatus(kExitDrift, kExitError) == kExitError);
  CHECK(WorseExitStatus(kExitError, kExitDrift) == kExitError);
  CHECK(WorseExitStatus(kExitOk, kExitOk) == kExitOk);
}

TEST_CASE("two manifests of one pair name are refused, naming both, before any host", "[fleet]") {
  ScratchDir dir("fleet");
  PairCommandOptions options;
  options.manifest_paths = {dir.Write("one.yaml", Manifest("same")),
                            dir.Write("two.yaml", Manifest("other")),
                            dir.Write("three.yaml", Manifest("same"))};
  CountingConnector counter;
  Run run = Fleet(FleetCommand::kCheck, options, &counter);
  CHECK(run.status == kExitError);
  CHECK(counter.connects == 0);
  CHECK(run.err == "pgpair: pair same is declared by both " + (dir / "one.yaml") + " and " +
                       (dir / "three.yaml") +
                       "; one pair is one manifest: rename one pair or leave one file out\n");
}

TEST_CASE("every pair gets a line naming its failing host, and a broken manifest names its file",
          "[fleet]") {
  ScratchDir dir("fleet");
  PairCommandOptions options;
  for (int i = 0; i < 6; ++i) {
    options.manifest_paths.push_back(
        dir.Write("p" + std::to_string(i) + ".yaml", Manifest("pair-" + std::to_string(i))));
  }
  options.manifest_paths.push_back(dir.Write("broken.yaml", ","));
  options.jobs = 2;
  CountingConnector counter;
  Run run = Fleet(FleetCommand::kCheck, options, &counter);
  INFO(run.out << run.err);
  CHECK(run.status == kExitError);
  CHECK(counter.connects == 12);
  // Two pairs at a time, each connecting to its two hosts at once.
  CHECK(counter.most_in_flight <= 4);
  std::vector<std::string> lines = Lines(run.out);
  REQUIRE(lines.size() == 8);
  std::set<std::string> named;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    INFO(lines[i]);
    CHECK_THAT(lines[i], Catch::Contains("  error  "));
    if (lines[i].rfind("pair-", 0) == 0) {
      named.insert(lines[i].substr(0, 6));
      CHECK_THAT(lines[i], Catch::Contains("(10.0.0.1): connection refused"));
    } else {
      CHECK_THAT(lines[i], Catch::StartsWith(dir / "broken.yaml") &&
                               Catch::Contains("broken.yaml:1:1: YAML syntax error"));
    }
  }
  CHECK(named.size() == 6);
  CHECK_THAT(lines.back(),
             Catch::StartsWith("pgpair check: 7 pairs in ") && Catch::EndsWith(" s: 7 error"));
}

TEST_CASE("a fleet's log lines name their pair, and a one-pair run's lines are as before",
          "[fleet][log]") {
  ScratchDir dir("fleet");
  const std::string log = dir / "pgpair.log";
  // Console off: the lines go to the log file only.
  REQUIRE(ConfigureLogging("off", log).ok());
  PairCommandOptions options;
  for (const char* pair : {"alpha", "beta", "gamma"}) {
    options.manifest_paths.push_back(dir.Write(std::string(pair) + ".yaml", Manifest(pair)));
  }
  options.jobs = 3;
  CountingConnector counter;
  counter.log_each = true;
  Fleet(FleetCommand::kCheck, options, &counter);
  spdlog::info("after the fleet");
  spdlog::default_logger()->flush();
  // Back to the console alone, for the tests that follow.
  REQUIRE(ConfigureLogging("warn", "").ok());

  std::vector<std::string> lines = Lines(ReadFile(log));
  std::map<std::string, int> connecting;  // pair -> lines of its connects
  for (const std::string& line : lines) {
    size_t at = line.find("connecting to ");
    if (at == std::string::npos) continue;
    INFO(line);
    // "... info [beta] connecting to a (10.0.0.1)": the connect runs on a
    // thread of the pair's own, which carries the name on.
    size_t open = line.find(" [");
    REQUIRE(open != std::string::npos);
    REQUIRE(open + 2 < at);
    std::string pair = line.substr(open + 2, line.find("] ", open) - open - 2);
    CHECK(line.find("] connecting to ", open) == at - 2);
    ++connecting[pair];
  }
  CHECK(connecting == std::map<std::string, int>{{"alpha", 2}, {"beta", 2}, {"gamma", 2}});
  REQUIRE_FALSE(lines.empty());
  CHECK_THAT(lines.back(), Catch::EndsWith(" info after the fleet"));
}

TEST_CASE("a shard K/N runs the pairs of its share only, each pair in exactly one share",
          "[fleet]") {
  ScratchDir dir("fleet");
  PairCommandOptions options;
  for (int i = 0; i < 12; ++i) {
    options.manifest_paths.push_back(
        dir.Write("p" + std::to_string(i) + ".yaml", Manifest("pair-" + std::to_string(i))));
  }
  options.json = true;
  std::multiset<std::string> seen;
  for (uint64_t k = 1; k <= 3; ++k) {
    options.shard = Shard{k, 3};
    CountingConnector counter;
    Run run = Fleet(FleetCommand::kPlan, options, &counter);
    for (const std::string& line : Lines(run.out)) {
      nlohmann::json object = nlohmann::json::parse(line);
      CHECK(object["command"] == "plan");
      CHECK(InShard(object["pair"].get<std::string>(), Shard{k, 3}));
      seen.insert(object["pair"].get<std::string>());
    }
    CHECK(counter.connects == 2 * static_cast<int>(Lines(run.out).size()));
  }
  CHECK(seen.size() == 12);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 12);
}

// A stream buffer that other threads may read while the fleet writes to it.
class SharedBuffer : public std::streambuf {
 public:
  std::string Text() {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    std::lock_guard<std::mutex> lock(mutex_);
    text_ += static_cast<char>(c);
    return c;
  }
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    std::lock_guard<std::mutex> lock(mutex_);
    text_.append(data, static_cast<size_t>(size));
    return size;
  }

 private:
  std::mutex mutex_;
  std::string text_;
};

TEST_CASE("a pair still waiting on its host holds back no other pair's line", "[fleet]") {
  ScratchDir dir("fleet");
  PairCommandOptions options;
  options.fleet = true;
  options.jobs = 4;
  options.manifest_paths = {
      dir.Write("slow.yaml", Manifest("slow", "10.9.9.")), dir.Write("a.yaml", Manifest("fast-a")),
      dir.Write("b.yaml", Manifest("fast-b")), dir.Write("c.yaml", Manifest("fast-c"))};
  SharedBuffer out;
  std::atomic<bool> others_printed{false};
  Connectors connectors;
  connectors.connect = [&](const HostSpec& host) -> Result<std::unique_ptr<Transport>> {
    if (host.address.rfind("10.9.9.", 0) == 0) {
      // The slow pair's hosts answer only once the three other lines are
      // out (at most 10 s: the test must end if they never come).
      for (int i = 0; i < 1000 && !others_printed; ++i) {
        std::string text = out.Text();
        others_printed = text.find("fast-a ") != std::string::npos &&
                         text.find("fast-b ") != std::string::npos &&
                         text.find("fast-c ") != std::string::npos;
        if (!others_printed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    return Status::Error(host.name + " (" + host.address + "): connection refused");
  };
  std::ostringstream err;
  std::streambuf* old_out = std::cout.rdbuf(&out);
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  int status = RunFleet(FleetCommand::kCheck, options, connectors);
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  INFO(out.Text());
  CHECK(status == kExitError);
  CHECK(others_printed);
  std::vector<std::string> lines = Lines(out.Text());
  REQUIRE(lines.size() == 5);
  CHECK_THAT(lines[3],
             Catch::StartsWith("slow ") && Catch::Contains("(10.9.9.1): connection refused"));
}

TEST_CASE("plan -o with several manifests is refused", "[fleet]") {
  ScratchDir dir("fleet");
  PairCommandOptions options;
  options.manifest_paths = {dir.Write("a.yaml", Manifest("a")), dir.Write("b.yaml", Manifest("b"))};
  options.out_path = dir / "plan.json";
  CountingConnector counter;
  Run run = Fleet(FleetCommand::kPlan, options, &counter);
  CHECK(run.status == kExitError);
  CHECK(counter.connects == 0);
  CHECK_THAT(run.err, Catch::Contains("plan -o saves one pair's plan: give one manifest"));
}

// The lines, validated by the full validator the end-to-end tests use
// (scripts/validate-json, Debian's python3-jsonschema).
std::string Validate(const std::string& file) {
  const fs::path source = PGPAIR_SOURCE_DIR;
  std::string command = "/usr/bin/python3 " +
                        ShellQuote((source / "scripts/validate-json").string()) +
                        " fleet-line.schema.json - < " + ShellQuote(file) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  pclose(pipe);
  return output;
}

TEST_CASE("check and plan --json print one object a line, of schemas/fleet-line.schema.json",
          "[fleet][json]") {
  ScratchDir dir("fleet");
  PairCommandOptions options;
  options.manifest_paths = {dir.Write("a.yaml", Manifest("a")), dir.Write("b.yaml", Manifest("b")),
                            dir.Write("broken.yaml", "pair: [")};
  options.json = true;
  options.metrics_file = dir / "pgpair.prom";
  for (FleetCommand command : {FleetCommand::kCheck, FleetCommand::kPlan}) {
    CountingConnector counter;
    Run run = Fleet(command, options, &counter);
    INFO(run.out << run.err);
    CHECK(run.status == kExitError);
    std::vector<std::string> lines = Lines(run.out);
    REQUIRE(lines.size() == 3);
    for (const std::string& line : lines) {
      nlohmann::json object = nlohmann::json::parse(line);
      CHECK(object["exit_status"] == 1);
      CHECK(object["result"] == "error");
      if (object["pair"].is_null()) {
        CHECK(object["report"].is_null());
        CHECK(object["manifest"] == dir / "broken.yaml");
      } else {
        CHECK(object["report"]["blockers"].size() > 0);
        CHECK_THAT(object["error"].get<std::string>(), Catch::Contains("connection refused"));
      }
    }
    CHECK(Validate(dir.Write("lines.json", run.out)) == "valid\n");
  }
  // check's textfile: both pairs, failed, in one file.
  std::ifstream in(dir / "pgpair.prom");
  std::stringstream text;
  text << in.rdbuf();
  CHECK_THAT(text.str(), Catch::Contains("pgpair_check_success{pair=\"a\"} 0\n"
                                         "pgpair_check_success{pair=\"b\"} 0\n"
                                         "pgpair_check_success{pair=\"\"} 0\n"));
  CHECK_THAT(text.str(), Catch::Contains("pgpair_up{pair=\"a\",host=\"a\"} 0\n"));
}

TEST_CASE("the line schema refuses a line of another shape", "[fleet][json]") {
  ScratchDir dir("fleet");
  std::string bad = dir.Write("bad.json",
                              "{\"command\": \"check\", \"manifest\": \"a.yaml\", \"pair\": \"a\", "
                              "\"result\": \"fine\", \"exit_status\": 3, \"changes\": null, "
                              "\"error\": null, \"duration_seconds\": 1, \"report\": null}\n");
  std::string output = Validate(bad);
  CHECK_THAT(output, Catch::Contains("/result: 'fine' is not one of"));
  CHECK_THAT(output, Catch::Contains("/exit_status: 3 is not one of"));
}

}  // namespace
}  // namespace pgpair
