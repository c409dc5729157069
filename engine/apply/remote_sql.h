#ifndef PGPAIR_ENGINE_APPLY_REMOTE_SQL_H_
#define PGPAIR_ENGINE_APPLY_REMOTE_SQL_H_

#include <string>

#include "engine/facts/facts.h"
#include "engine/manifest/manifest.h"
#include "engine/transport/transport.h"

namespace pgpair {

// Runs `sql` on the host's server as its operating system user over the
// local socket (like `sudo -u postgres psql`), in one psql session that stops
// at the first error. The SQL travels on standard input, never in argv.
// Returns psql's unaligned, tuples-only output. An error names the host and
// carries psql's message.
Result<std::string> RunRemoteSql(Transport& transport, const HostSpec& host, const HostFacts& facts,
                                 const std::string& sql, const std::string& database = "postgres");

// The shell command that starts psql for RunRemoteSql; exposed for tests.
std::string RemotePsqlCommand(const HostSpec& host, const HostFacts& facts,
                              const std::string& database);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_REMOTE_SQL_H_
