#include "engine/cli/facts_command.h"

#include <iostream>

#include "engine/cli/cli.h"
#include "engine/facts/facts_json.h"
#include "engine/output/facts_report.h"
#include "engine/output/json_text.h"

namespace pgpair {
namespace {

// The settings a hot-standby pair depends on, shown even when the manifest
// does not name them.
const std::vector<std::string> kReplicationSettings = {
    "listen_addresses", "wal_level",   "archive_mode",     "archive_command",
    "max_wal_senders",  "hot_standby", "primary_conninfo", "password_encryption"};

std::vector<std::string> SettingsOfInterest(const Manifest& manifest) {
  std::vector<std::string> names = kReplicationSettings;
  auto add = [&names](const std::vector<SettingSpec>& settings) {
    for (const SettingSpec& s : settings) {
      if (std::find(names.begin(), names.end(), s.name) == names.end()) names.push_back(s.name);
    }
  };
  add(manifest.primary_settings);
  add(manifest.standby_settings);
  return names;
}

}  // namespace

int RunFactsCommand(const FactsOptions& options, const TransportFactory& connect) {
  Result<Manifest> manifest = LoadManifest(options.manifest_path);
  if (!manifest.ok()) {
    std::cerr << manifest.status().message() << "\n";
    return kExitError;
  }
  std::vector<HostConnection> connections = ConnectPair(*manifest, connect);
  PairFacts facts = GatherPairFacts(connections, *manifest);
  if (options.json) {
    std::cout << ToJsonText(FactsToJson(facts)) << "\n";
  } else {
    std::cout << FormatFactsReport(facts, SettingsOfInterest(*manifest));
  }
  int status = kExitOk;
  for (size_t i = 0; i < connections.size(); ++i) {
    if (!connections[i].transport || facts.hosts[i].exec_round_trips == 0) {
      // The transport's messages already name the host.
      std::cerr << "pgpair: "
                << (connections[i].status.ok()
                        ? facts.hosts[i].name + " (" + facts.hosts[i].address +
                              "): facts could not be gathered"
                        : connections[i].status.message())
                << "\n";
      status = kExitError;
    }
  }
  return status;
}

}  // namespace pgpair
