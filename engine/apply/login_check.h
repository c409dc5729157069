#ifndef PGPAIR_ENGINE_APPLY_LOGIN_CHECK_H_
#define PGPAIR_ENGINE_APPLY_LOGIN_CHECK_H_

#include <string>

#include "engine/plan/resource.h"
#include "engine/transport/ssh_transport.h"

namespace pgpair {

// Logs in to the primary as `role` on a replication connection, from the
// standby host: the connection goes through a tunnel of the standby's SSH
// connection, so the primary sees it come from the standby's own address, and
// success proves the pg_hba rule, the password and the network path together,
// as the standby's walreceiver will meet them. Runs IDENTIFY_SYSTEM and
// reports the primary's system identifier on success; on failure, the
// server's message (`FATAL:  password authentication failed for user "x"`,
// `... no pg_hba.conf entry for replication connection from host
// "198.18.0.12" ...`) or why the tunnel could not be opened. The password
// travels only in process memory, never in argv, logs or the message.
// standby_transport must have no other tunnel open.
ReplicationLoginCheck CheckReplicationLogin(SshTransport& standby_transport,
                                            const std::string& primary_address, int primary_port,
                                            const std::string& role, const std::string& password);

// True when `message` (from CheckReplicationLogin) says the server refused
// the password: the password methods (scram-sha-256, md5, password) and the
// external password checks (pam, ldap, radius, bsd). False for every other
// failure: no pg_hba.conf entry, a rejecting rule, ident or certificate
// methods, an unreachable server. Matches the server's English wording.
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

#endif  // PGPAIR_ENGINE_APPLY_LOGIN_CHECK_H_
