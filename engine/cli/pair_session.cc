#include "engine/cli/pair_session.h"

#include <chrono>
#include <ctime>

#include "engine/util/digest.h"

namespace pgpair {
namespace {

size_t IndexOf(const PairSession& session, const std::string& name) {
  for (size_t i = 0; i < session.facts.hosts.size(); ++i) {
    if (session.facts.hosts[i].name == name) return i;
  }
  return 0;
}

}  // namespace

const HostFacts& PairSession::primary_facts() const {
  return facts.hosts[IndexOf(*this, manifest.primary)];
}
const HostFacts& PairSession::standby_facts() const {
  return facts.hosts[IndexOf(*this, manifest.standby)];
}
Transport* PairSession::primary_transport() const {
  return connections[IndexOf(*this, manifest.primary)].transport.get();
}
Transport* PairSession::standby_transport() const {
  return connections[IndexOf(*this, manifest.standby)].transport.get();
}

Result<PairSession> LoadPairSession(const std::string& manifest_path) {
  Result<Manifest> manifest = LoadManifest(manifest_path);
  if (!manifest.ok()) return manifest.status();
  PairSession session;
  session.manifest = std::move(manifest).value();
  // Every command of a session logs in as the replication role or creates
  // it: a secret that cannot be read or used is the manifest's error, found
  // before any host is contacted.
  if (session.manifest.replication && session.manifest.replication->password) {
    const SecretRef& secret = *session.manifest.replication->password;
    Result<std::string> password = ResolveSecret(secret);
    if (!password.ok()) return password.status();
    Status usable = CheckReplicationPassword(*password, secret);
    if (!usable.ok()) return usable;
    session.replication_password = std::move(password).value();
  }
  return session;
}

void ConnectPairSession(PairSession& session, const TransportFactory& connect) {
  // HostConnection points into the manifest's hosts: connect only once the
  // manifest has its final address.
  auto start = std::chrono::steady_clock::now();
  session.connections = ConnectPair(session.manifest, connect);
  session.connect_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<PairSession> OpenPairSession(const std::string& manifest_path,
                                    const TransportFactory& connect) {
  Result<PairSession> session = LoadPairSession(manifest_path);
  if (!session.ok()) return session;
  ConnectPairSession(*session, connect);
  return session;
}

void RefreshFacts(PairSession& session, const LoginChecker& login_checker) {
  auto start = std::chrono::steady_clock::now();
  session.facts = GatherPairFacts(session.connections, session.manifest);
  session.login_check.reset();
  Transport* standby = session.standby_transport();
  // Without a password there is nothing to check; apply reports the missing
  // secret itself.
  if (login_checker && standby && session.primary_facts().server.running.value_or(false) &&
      !session.replication_password.empty()) {
    session.login_check = login_checker(*standby, session.manifest, session.primary_facts(),
                                        session.replication_password);
  }
  session.gather_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

PlanInput MakePlanInput(const PairSession& session, bool allow_overwrite_primary,
                        const std::string& timestamp) {
  PlanInput input;
  input.manifest = &session.manifest;
  input.primary = &session.primary_facts();
  input.standby = &session.standby_facts();
  input.login_check = session.login_check;
  if (!session.replication_password.empty()) {
    input.replication_password_sha256 = Sha256Hex(session.replication_password);
  }
  input.allow_overwrite_primary = allow_overwrite_primary;
  input.timestamp = timestamp;
  return input;
}

}  // namespace pgpair
