#ifndef PGPAIR_ENGINE_APPLY_SERVER_CONTROL_H_
#define PGPAIR_ENGINE_APPLY_SERVER_CONTROL_H_

#include <string>

#include "engine/facts/facts.h"
#include "engine/manifest/manifest.h"
#include "engine/transport/transport.h"

namespace pgpair {

enum class ServerAction { kStart, kStop, kRestart, kReload };

// How the host's server is driven: the manifest's service, else
// pg_ctlcluster for a Debian cluster, else pg_ctl from the bin dir.
ServiceManager ChooseServiceManager(const HostSpec& host, const HostFacts& facts);

// The shell command that performs `action` on the host's cluster with the
// service manager the manifest names, else pg_ctlcluster where the cluster is
// Debian's, else pg_ctl as the server's user. Start, stop and restart wait
// for the server to finish.
std::string ServerControlCommand(const HostSpec& host, const HostFacts& facts, ServerAction action);

// Runs it. An error names the host, the action and the command's message.
Status ControlServer(Transport& transport, const HostSpec& host, const HostFacts& facts,
                     ServerAction action);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_SERVER_CONTROL_H_
