#ifndef PGPAIR_ENGINE_FACTS_LOGIN_PROBE_H_
#define PGPAIR_ENGINE_FACTS_LOGIN_PROBE_H_

#include <string>

#include "engine/facts/facts.h"
#include "engine/manifest/manifest.h"
#include "engine/transport/transport.h"

namespace pgpair {

// The replication login probe: before a plan is made, pgpair logs in as the
// replication role from the standby host to the primary, as the standby's
// walreceiver will. Its outcome is a fact the plan reads (PlanInput), like
// the gathered facts: it explains why a standby does not stream and tells
// a refused password from a missing pg_hba rule.

// The outcome of logging in as the replication role, from the standby host,
// to the primary, on a replication connection.
struct ReplicationLoginCheck {
  bool succeeded = false;
  std::string message;  // the server's answer when it failed
};

// The probe as plan, apply and check run it: logs in as the manifest's
// replication role with `password` over `standby` (the standby's connection)
// to the primary's address in the manifest and its port from `primary`'s
// facts (5432 when unknown). See CheckReplicationLogin.
ReplicationLoginCheck ProbeReplicationLogin(Transport& standby, const Manifest& manifest,
                                            const HostFacts& primary, const std::string& password);

// Logs in to the primary as `role` on a replication connection, from the
// standby host: the connection goes through a tunnel of the standby's
// connection (Transport::OpenTunnel), so the primary sees it come from the
// standby's own address, and success proves the pg_hba rule, the password
// and the network path together, as the standby's walreceiver will meet
// them. Runs IDENTIFY_SYSTEM and reports the primary's system identifier on
// success; on failure, the server's message (`FATAL:  password
// authentication failed for user "x"`, `... no pg_hba.conf entry for
// replication connection from host "198.18.0.12" ...`) or why the tunnel
// could not be opened. The password travels only in process memory, never
// in argv, logs or the message. standby_transport must have no other tunnel
// open.
ReplicationLoginCheck CheckReplicationLogin(Transport& standby_transport,
                                            const std::string& primary_address, int primary_port,
                                            const std::string& role, const std::string& password);

// True when `message` (from CheckReplicationLogin) says the server refused
// the role's own password (the password, md5 and scram-sha-256 methods),
// which setting the role's password can fix. False for every other failure:
// the external password checks (pam, ldap, radius, bsd), no pg_hba.conf
// entry, a rejecting rule, ident or certificate methods, an unreachable
// server. Matches the server's English wording.
bool IsPasswordRefusal(const std::string& message);

// The libpq connection string CheckReplicationLogin uses to reach the tunnel
// at 127.0.0.1:local_port, values quoted as libpq reads them. It holds the
// password: keep it in memory only. Exposed for tests.
std::string ReplicationCheckConninfo(int local_port, const std::string& role,
                                     const std::string& password);

// The server's part of a libpq connection error: without libpq's
// `connection to server at "127.0.0.1", port N failed: ` (which names the
// tunnel, not the primary) and trailing blanks, and with `password`, should
// it appear, replaced by "********". Exposed for tests.
std::string LoginFailureMessage(const std::string& libpq_error, const std::string& password);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_LOGIN_PROBE_H_
