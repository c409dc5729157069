#ifndef PGPAIR_ENGINE_CLI_PAIR_SESSION_H_
#define PGPAIR_ENGINE_CLI_PAIR_SESSION_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/facts/collector.h"
#include "engine/plan/change.h"
#include "engine/plan/resource.h"
#include "engine/util/utc_time.h"

namespace pgpair {

// Logs in as the replication role with the given password from the standby
// host to the primary (ProbeReplicationLogin, engine/facts/login_probe.h);
// injected so that unit tests need no SSH.
using LoginChecker =
    std::function<ReplicationLoginCheck(Transport& standby, const Manifest& manifest,
                                        const HostFacts& primary, const std::string& password)>;

// What plan, apply, check and verify share: the manifest, one connection per
// host for the whole command, and the facts gathered over them.
struct PairSession {
  Manifest manifest;
  std::vector<HostConnection> connections;
  PairFacts facts;
  std::optional<ReplicationLoginCheck> login_check;
  double gather_seconds = 0;
  // How long connecting to both hosts took (a host that does not answer is
  // waited on up to its ssh.connect_timeout_seconds).
  double connect_seconds = 0;
  // The manifest's replication password, resolved and checked when the
  // session opens; empty when the manifest declares none. Never logged.
  std::string replication_password;

  const HostFacts& primary_facts() const;
  const HostFacts& standby_facts() const;
  Transport* primary_transport() const;
  Transport* standby_transport() const;
};

// Loads the manifest, resolves and checks its replication password, and
// connects to both hosts in parallel. Fails when the manifest cannot be
// read or its secret cannot be resolved or used (before any host is
// contacted); unreachable hosts show as facts problems (and plan blockers).
Result<PairSession> OpenPairSession(const std::string& manifest_path,
                                    const TransportFactory& connect);

// OpenPairSession's two halves, for a command that does something else
// while the hosts are connected (apply takes its lock meanwhile): the
// manifest and its secret, with no connection yet; then the connections.
Result<PairSession> LoadPairSession(const std::string& manifest_path);
void ConnectPairSession(PairSession& session, const TransportFactory& connect);

// Gathers both hosts' facts again over the same connections, then runs the
// login check when both hosts are reachable, the primary runs and the
// manifest has a replication password.
void RefreshFacts(PairSession& session, const LoginChecker& login_checker);

PlanInput MakePlanInput(const PairSession& session, bool allow_overwrite_primary,
                        const std::string& timestamp);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_PAIR_SESSION_H_
