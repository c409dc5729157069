#ifndef PGPAIR_ENGINE_CLI_FACTS_COMMAND_H_
#define PGPAIR_ENGINE_CLI_FACTS_COMMAND_H_

#include <string>

#include "engine/facts/collector.h"

namespace pgpair {

struct FactsOptions {
  std::string manifest_path;
  bool json = false;
};

// `pgpair facts`: gathers both hosts' facts and prints them. Returns the exit
// status: 1 when a host could not be reached or read at all.
int RunFactsCommand(const FactsOptions& options, const TransportFactory& connect);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_FACTS_COMMAND_H_
