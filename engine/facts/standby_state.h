#ifndef PGPAIR_ENGINE_FACTS_STANDBY_STATE_H_
#define PGPAIR_ENGINE_FACTS_STANDBY_STATE_H_

#include <optional>
#include <string>

#include "engine/facts/facts.h"

namespace pgpair {

// What the standby host's data directory holds, relative to the primary.
// The one answer that the clone, the recovery configuration, check and
// verify share.
enum class StandbyData {
  kMissing,        // no data directory at its path
  kOtherCluster,   // another system identifier
  kStandby,        // a copy of the primary that runs, or will start, as a standby
  kUnstartedCopy,  // a copy of the primary never started and never configured as a
                   // standby (backup_label, no standby.signal or recovery.conf):
                   // maybe incomplete, and a start would make it a second primary
  kPromoted,       // a copy of the primary that runs, or last ran, as a primary
  kUnknown,        // the facts cannot tell
};

struct StandbyDataState {
  StandbyData kind = StandbyData::kUnknown;
  // How the facts show it: "runs in recovery", "is stopped, with
  // standby.signal", "is stopped and was last a primary (pg_controldata:
  // shut down)"; for kUnknown, what is missing.
  std::string how;
};

// The standby's major: its data directory's, else its Debian cluster's
// name ("15/main"), which holds when the data directory is missing.
std::optional<int> StandbyMajor(const HostFacts& standby);

// Pure. Needs the primary's system identifier (pg_controldata answers it for
// a stopped primary too) and the standby's.
StandbyDataState ClassifyStandbyData(const HostFacts& primary, const HostFacts& standby);

// Whether the standby streams from the primary: the standby's own WAL
// receiver reports "streaming" and one of the primary's senders serves the
// standby's address or name and is not a base backup (senders that could not
// be read, of a primary out of reach, do not count as a stream).
// pg_basebackup's WAL stream also shows as "streaming" in
// pg_stat_replication, and must never count as the standby.
bool StandbyStreams(const HostFacts& primary, const HostFacts& standby,
                    const std::string& standby_address, const std::string& standby_name);

// The primary's WAL sender that streams to the standby (by the rule of
// StandbyStreams); null when none does or the senders are unknown.
const WalSenderFact* StandbySender(const HostFacts& primary, const std::string& standby_address,
                                   const std::string& standby_name);

// Why it does not stream, in a phrase for messages: "its server is stopped",
// "no WAL receiver runs", "its WAL receiver is waiting", ...; empty when it
// streams.
std::string WhyNotStreaming(const HostFacts& primary, const HostFacts& standby,
                            const std::string& standby_address, const std::string& standby_name);

// The same question put to the live servers, for a wait that polls them
// rather than gathering facts again (apply's wait for streaming). Each query
// answers one number, above 0 when that side streams, by the rule of
// WhyNotStreaming: the standby's WAL receiver reports "streaming"; the
// primary has a sender in state "streaming" to the standby's address or
// name that is not pg_basebackup's.
std::string StandbyReceiverStreamingSql();
std::string PrimarySenderStreamingSql(const std::string& standby_address,
                                      const std::string& standby_name);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_STANDBY_STATE_H_
