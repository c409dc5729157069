#ifndef PGPAIR_ENGINE_PLAN_PLAN_FINGERPRINT_H_
#define PGPAIR_ENGINE_PLAN_PLAN_FINGERPRINT_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/facts/facts.h"
#include "engine/facts/login_probe.h"
#include "engine/manifest/manifest.h"
#include "engine/util/status.h"

namespace pgpair {

// The facts a plan was made from, reduced to what its changes depend on, so
// that `apply PLAN` can tell, before any effect, whether the hosts are
// still as they were when the plan was made: each host's system identifier,
// server state (running, in recovery, major), layout, the pg_hba.conf lines
// and configuration file lines (as digests), the settings the manifest or
// the replication setup reads, the roles, the recovery configuration and
// the archive directory; and the replication login probe's outcome.
//
// Each item is "HOST: what" -> a short text for people ("running, in
// recovery", "12 lines, sha256 3f0c9a1b2d4e"). Nothing in it is a secret:
// conninfo strings come from the facts, where passwords are redacted, and
// the digest of the stored password (RecoveryFacts) is left out on purpose
// (a digest of a password can be guessed offline). Volatile facts (LSNs,
// lag, start times, pids) are left out: they change on every look.
struct PlanFingerprint {
  std::map<std::string, std::string> items;
};

PlanFingerprint FingerprintFacts(const Manifest& manifest, const HostFacts& primary,
                                 const HostFacts& standby,
                                 const std::optional<ReplicationLoginCheck>& login_check);

// One line per item that differs between `saved` (when the plan was made)
// and `now`, in item order: `pg1: setting wal_level: "replica" when planned,
// "logical" now`. Empty when nothing the plan depends on changed.
std::vector<std::string> FingerprintDifferences(const PlanFingerprint& saved,
                                                const PlanFingerprint& now);

// {"ITEM": "VALUE", ...}, and back; FromJson fails on anything else.
nlohmann::json FingerprintToJson(const PlanFingerprint& fingerprint);
Result<PlanFingerprint> FingerprintFromJson(const nlohmann::json& json);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_PLAN_PLAN_FINGERPRINT_H_
