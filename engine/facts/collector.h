#ifndef PGPAIR_ENGINE_FACTS_COLLECTOR_H_
#define PGPAIR_ENGINE_FACTS_COLLECTOR_H_

#include <functional>
#include <memory>
#include <vector>

#include "engine/facts/facts.h"
#include "engine/manifest/manifest.h"
#include "engine/transport/transport.h"

namespace pgpair {

// Opens the connection to one host. The real factory is SSH; tests pass fakes.
using TransportFactory = std::function<Result<std::unique_ptr<Transport>>(const HostSpec&)>;

// One connection per host for the whole pgpair command, opened in parallel.
struct HostConnection {
  const HostSpec* host = nullptr;
  std::string declared_role;             // "primary" or "standby"
  std::unique_ptr<Transport> transport;  // null when the connection failed
  Status status;                         // why it failed
  double connect_seconds = 0;
};

std::vector<HostConnection> ConnectPair(const Manifest& manifest, const TransportFactory& factory);

// Gathers one host's facts in one exec round trip. A failure to run the
// script leaves every fact unknown and says why in `problems`.
HostFacts GatherHostFacts(HostConnection& connection, const Manifest& manifest);

// Gathers the facts of every connected host, in parallel.
PairFacts GatherPairFacts(std::vector<HostConnection>& connections, const Manifest& manifest);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_COLLECTOR_H_
