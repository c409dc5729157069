#include "engine/facts/standby_state.h"

#include <exception>
#include <string>

#include "engine/util/sql_quote.h"

namespace pgpair {
namespace {

bool MarkedAsStandby(const HostFacts& standby, int major) {
  return major >= 12 ? standby.recovery.standby_signal == true
                     : standby.recovery.recovery_conf == true;
}

constexpr char kStreaming[] = "streaming";
constexpr char kBaseBackupName[] = "pg_basebackup";

bool FromStandby(const WalSenderFact& sender, const std::string& address, const std::string& name) {
  // client_addr is what the primary sees; with a tunnel or NAT it differs,
  // so the application_name pgpair writes (the standby's name) counts too.
  return sender.client_addr == address || sender.application_name == name;
}

// pg_basebackup's WAL stream shows as "streaming" too; its base backup as
// "backup".
bool IsBaseBackup(const WalSenderFact& sender) {
  return sender.application_name == std::string(kBaseBackupName) ||
         sender.state == std::string("backup");
}

// The primary's sender that serves the standby its WAL stream.
bool StreamsToStandby(const WalSenderFact& sender, const std::string& address,
                      const std::string& name) {
  return FromStandby(sender, address, name) && !IsBaseBackup(sender) &&
         sender.state == std::string(kStreaming);
}

}  // namespace

const WalSenderFact* StandbySender(const HostFacts& primary, const std::string& standby_address,
                                   const std::string& standby_name) {
  if (!primary.replication.senders) return nullptr;
  for (const WalSenderFact& sender : *primary.replication.senders) {
    if (StreamsToStandby(sender, standby_address, standby_name)) return &sender;
  }
  return nullptr;
}

std::optional<int> StandbyMajor(const HostFacts& standby) {
  if (standby.server.major) return standby.server.major;
  if (!standby.layout.cluster) return std::nullopt;
  const std::string& cluster = *standby.layout.cluster;
  try {
    size_t used = 0;
    int major = std::stoi(cluster, &used);
    if (used > 0 && used < cluster.size() && cluster[used] == '/') return major;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

StandbyDataState ClassifyStandbyData(const HostFacts& primary, const HostFacts& standby) {
  if (standby.layout.data_dir_exists == false) return {StandbyData::kMissing, "does not exist"};
  if (!standby.server.system_identifier || !primary.server.system_identifier) {
    return {StandbyData::kUnknown, "the system identifier is unknown"};
  }
  if (*standby.server.system_identifier != *primary.server.system_identifier) {
    return {StandbyData::kOtherCluster, "belongs to another cluster"};
  }
  if (standby.server.running == true) {
    if (standby.server.in_recovery == true) return {StandbyData::kStandby, "runs in recovery"};
    if (standby.server.in_recovery == false) {
      return {StandbyData::kPromoted, "runs as a primary (not in recovery)"};
    }
    return {StandbyData::kUnknown, "runs, but whether it is in recovery is unknown"};
  }
  if (standby.server.running != true && standby.server.running != false) {
    return {StandbyData::kUnknown, "may or may not run (unknown)"};
  }
  std::optional<int> major = StandbyMajor(standby);
  if (!major) return {StandbyData::kUnknown, "is stopped, and its major version is unknown"};
  if (MarkedAsStandby(standby, *major)) {
    return {StandbyData::kStandby,
            *major >= 12 ? "is stopped, with standby.signal" : "is stopped, with recovery.conf"};
  }
  const std::optional<std::string>& state = standby.server.cluster_state;
  if (state == "shut down in recovery" || state == "in archive recovery") {
    return {StandbyData::kStandby,
            "is stopped and was last a standby (pg_controldata: " + *state + ")"};
  }
  // pg_control of a base backup says what the primary's said while it was
  // copied; backup_label tells the copy that was never started apart from a
  // primary that was.
  if (standby.recovery.backup_label == true) {
    return {StandbyData::kUnstartedCopy,
            "is a copy of the primary that was never started and is not configured as a "
            "standby (backup_label, no " +
                std::string(*major >= 12 ? "standby.signal" : "recovery.conf") + ")"};
  }
  if (state == "shut down" || state == "in production") {
    return {StandbyData::kPromoted,
            "is stopped and was last a primary (pg_controldata: " + *state + ")"};
  }
  return {StandbyData::kUnknown, "is stopped, and whether it was last a primary is unknown"};
}

std::string WhyNotStreaming(const HostFacts& primary, const HostFacts& standby,
                            const std::string& standby_address, const std::string& standby_name) {
  if (standby.server.running == false) return "its server is stopped";
  if (standby.server.running != true) return "whether its server runs is unknown";
  if (standby.server.in_recovery == false) return "it runs as a primary";
  if (standby.replication.receiver_present == false) return "no WAL receiver runs";
  if (!standby.replication.receiver_present) return "its WAL receiver's state is unknown";
  const std::optional<std::string>& status =
      standby.replication.receiver ? standby.replication.receiver->status : std::nullopt;
  if (status != std::string(kStreaming)) {
    return "its WAL receiver is " + status.value_or("in an unknown state");
  }
  // Both ends witness a stream: a receiver that still says "streaming"
  // after its primary became unreachable (until wal_receiver_timeout) is
  // not taken at its word.
  if (!primary.replication.senders) {
    if (primary.server.running == false) return "the primary's server is stopped";
    return "the primary's WAL senders could not be read";
  }
  for (const WalSenderFact& sender : *primary.replication.senders) {
    if (StreamsToStandby(sender, standby_address, standby_name)) return "";
  }
  return "the primary serves no WAL stream to it";
}

bool StandbyStreams(const HostFacts& primary, const HostFacts& standby,
                    const std::string& standby_address, const std::string& standby_name) {
  return WhyNotStreaming(primary, standby, standby_address, standby_name).empty();
}

std::string StandbyReceiverStreamingSql() {
  return "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = " + QuoteSqlLiteral(kStreaming) +
         ";";
}

std::string PrimarySenderStreamingSql(const std::string& standby_address,
                                      const std::string& standby_name) {
  // StreamsToStandby, in SQL: pg_stat_replication's rows are WalSenderFacts.
  return "SELECT count(*) FROM pg_stat_replication WHERE state = " + QuoteSqlLiteral(kStreaming) +
         " AND application_name IS DISTINCT FROM " + QuoteSqlLiteral(kBaseBackupName) +
         " AND (host(client_addr) = " + QuoteSqlLiteral(standby_address) +
         " OR application_name = " + QuoteSqlLiteral(standby_name) + ");";
}

}  // namespace pgpair
