#include "engine/cli/fleet.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "engine/cli/check_metrics.h"
#include "engine/cli/cli.h"
#include "engine/output/colour.h"
#include "engine/output/json_text.h"
#include "engine/output/textfile_metrics.h"
#include "engine/util/log_pair.h"

namespace pgpair {
namespace {

int Badness(int status) { return status == kExitError ? 2 : status == kExitDrift ? 1 : 0; }

// A manifest of the run, read once before any host is contacted.
struct FleetEntry {
  std::string path;
  std::string pair;   // empty: the manifest could not be read
  std::string label;  // how its line names it: the pair, else the file
};

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

Colour ColourOf(const std::string& result) {
  if (result == "converged" || result == "no_changes") return Colour::kGreen;
  if (result == "error") return Colour::kRed;
  return Colour::kYellow;
}

std::string Detail(const PairOutcome& outcome) {
  if (outcome.result == "apply_in_progress") {
    return "an apply holds the pair's lock: " + (outcome.first_error.empty()
                                                     ? std::string("drift not judged")
                                                     : FirstLine(outcome.first_error));
  }
  if (outcome.result == "error") return FirstLine(outcome.first_error);
  std::string detail;
  size_t changes = outcome.changes.value_or(0);
  detail = std::to_string(changes) + (changes == 1 ? " change" : " changes");
  if (!outcome.not_streaming.empty()) detail += ", " + FirstLine(outcome.not_streaming);
  return detail;
}

std::string TextLine(const PairOutcome& outcome, const std::string& label, size_t width,
                     bool colour) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f s", outcome.seconds);
  std::string name = label + std::string(width > label.size() ? width - label.size() : 0, ' ');
  std::string word = outcome.result;
  word += std::string(word.size() < 17 ? 17 - word.size() : 0, ' ');
  return name + "  " + Paint(word, ColourOf(outcome.result), colour) + "  " + Detail(outcome) +
         "  (" + seconds + ")\n";
}

nlohmann::json JsonLine(FleetCommand command, const PairOutcome& outcome) {
  return {{"command", command == FleetCommand::kCheck ? "check" : "plan"},
          {"manifest", outcome.manifest_path},
          {"pair", outcome.pair.empty() ? nlohmann::json(nullptr) : nlohmann::json(outcome.pair)},
          {"result", outcome.result},
          {"exit_status", outcome.exit_status},
          {"changes", outcome.changes ? nlohmann::json(*outcome.changes) : nlohmann::json(nullptr)},
          {"error", outcome.first_error.empty() ? nlohmann::json(nullptr)
                                                : nlohmann::json(outcome.first_error)},
          {"duration_seconds", outcome.seconds},
          {"report", outcome.document}};
}

// Reads every manifest's pair name; fails on a name declared twice.
Result<std::vector<FleetEntry>> ReadFleet(const std::vector<std::string>& paths) {
  std::vector<FleetEntry> entries;
  std::map<std::string, std::string> file_of;
  for (const std::string& path : paths) {
    FleetEntry entry{path, "", path};
    // The pair's own run reads the manifest again and reports why it
    // cannot be read; here only its name matters.
    Result<Manifest> manifest = LoadManifest(path);
    if (manifest.ok()) {
      entry.pair = entry.label = manifest->pair;
      auto [it, inserted] = file_of.emplace(entry.pair, path);
      if (!inserted) {
        return Status::Error("pgpair: pair " + entry.pair + " is declared by both " + it->second +
                             " and " + path +
                             "; one pair is one manifest: rename one pair or leave one file "
                             "out");
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

// The shard's name of an entry: its pair, else its file's name, so that a
// broken manifest is still reported by exactly one shard.
std::string ShardKey(const FleetEntry& entry) {
  return entry.pair.empty() ? std::filesystem::path(entry.path).filename().string() : entry.pair;
}

// One pair's run. An exception escaping a worker thread would abort the
// whole process (RunCli catches only its own thread's): it is that pair's
// error instead, as RunCli makes it for one pair.
PairOutcome RunOne(FleetCommand command, const FleetEntry& entry, const PairCommandOptions& options,
                   const Connectors& connectors) {
  LogPairScope logged_as(entry.label);
  try {
    return command == FleetCommand::kCheck ? RunCheckOnPair(entry.path, connectors)
                                           : RunPlanOnPair(entry.path, options, connectors);
  } catch (const std::exception& e) {
    PairOutcome outcome;
    outcome.manifest_path = entry.path;
    outcome.pair = entry.pair;
    outcome.result = "error";
    outcome.exit_status = kExitError;
    outcome.first_error = std::string("pgpair: internal error: ") + e.what();
    if (command == FleetCommand::kCheck) outcome.metrics = MakeFailedCheckMetrics(entry.pair);
    return outcome;
  }
}

}  // namespace

int WorseExitStatus(int a, int b) { return Badness(a) >= Badness(b) ? a : b; }

int RunFleet(FleetCommand command, const PairCommandOptions& options,
             const Connectors& connectors) {
  const char* name = command == FleetCommand::kCheck ? "check" : "plan";
  if (!options.out_path.empty()) {
    std::cerr << "pgpair: plan -o saves one pair's plan: give one manifest, not "
              << options.manifest_paths.size() << " or a directory\n";
    return kExitError;
  }
  auto start = std::chrono::steady_clock::now();
  Result<std::vector<FleetEntry>> all = ReadFleet(options.manifest_paths);
  if (!all.ok()) {
    std::cerr << all.status().message() << "\n";
    return kExitError;
  }
  std::vector<FleetEntry> entries;
  for (FleetEntry& entry : *all) {
    if (!options.shard || InShard(ShardKey(entry), *options.shard)) entries.push_back(entry);
  }
  size_t width = 0;
  for (const FleetEntry& entry : entries) width = std::max(width, entry.label.size());

  std::mutex print_mutex;
  const bool colour = UseColour(STDOUT_FILENO);
  std::vector<int> statuses(entries.size(), kExitOk);
  std::vector<PairMetrics> metrics(entries.size());
  std::map<std::string, int> counts;
  std::atomic<size_t> next{0};
  // Each worker takes the next pair until none is left; a pair that waits
  // on a host holds only its own worker. Only the line is printed under the
  // lock, so the output keeps whole lines in the order the pairs finish.
  auto work = [&] {
    for (size_t i = next++; i < entries.size(); i = next++) {
      PairOutcome outcome = RunOne(command, entries[i], options, connectors);
      std::string line = options.json ? ToJsonText(JsonLine(command, outcome), -1) + "\n"
                                      : TextLine(outcome, entries[i].label, width, colour);
      std::lock_guard<std::mutex> lock(print_mutex);
      std::cout << line << std::flush;
      statuses[i] = outcome.exit_status;
      ++counts[outcome.result];
      if (outcome.metrics) metrics[i] = std::move(*outcome.metrics);
    }
  };
  size_t workers = std::min<size_t>(static_cast<size_t>(std::max(options.jobs, 1)), entries.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers; ++i) threads.emplace_back(work);
  for (std::thread& thread : threads) thread.join();

  int status = kExitOk;
  for (int pair_status : statuses) status = WorseExitStatus(status, pair_status);
  if (!options.json) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f s",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    std::cout << "pgpair " << name << ": " << entries.size()
              << (entries.size() == 1 ? " pair" : " pairs");
    if (options.shard) {
      std::cout << " (shard " << options.shard->index << "/" << options.shard->count << " of "
                << all->size() << ")";
    }
    std::cout << " in " << seconds;
    const char* sep = ": ";
    for (const auto& [result, count] : counts) {
      std::cout << sep << count << " " << result;
      sep = ", ";
    }
    std::cout << "\n";
  }
  if (command == FleetCommand::kCheck && !options.metrics_file.empty()) {
    Status written = WriteTextfile(options.metrics_file, metrics);
    if (!written.ok()) {
      std::cerr << "pgpair: " << written.message() << "\n";
      return kExitError;
    }
  }
  return status;
}

}  // namespace pgpair
