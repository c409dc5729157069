#ifndef PGPAIR_ENGINE_PLAN_CHANGE_H_
#define PGPAIR_ENGINE_PLAN_CHANGE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgpair {

// What a change does to its resource.
enum class Action { kCreate, kUpdate, kDelete, kReplace };
// What the change costs the host it runs on. Ordered: a larger value is a
// larger disruption.
enum class Impact { kNone, kReload, kRestart, kReclone };

const char* ActionName(Action action);  // "create", "update", "delete", "replace"
const char* ImpactName(Impact impact);  // "none", "reload", "restart", "re-clone"

// One missing change, as plan shows it and apply performs it. The reason is
// for humans only; apply decides on resource, action, impact and arguments.
// No field ever holds a secret.
struct Change {
  std::string resource;  // kind: "setting", "hba_rule", "replication_role", ...
  std::string address;   // "setting[pg1/wal_level]"
  std::string host;      // name of the host it runs on
  Action action = Action::kUpdate;
  std::optional<std::string> before;  // as the facts show it; empty: absent or unknown
  std::optional<std::string> after;   // as it will be
  std::string reason;
  Impact impact = Impact::kNone;
  // What apply needs beyond before/after, by name (e.g. "file", "line").
  std::map<std::string, std::string> arguments;
};

// A reason not to plan at all: the pair is in a state pgpair must not touch
// (split brain, major version mismatch, a host that could not be read).
struct Blocker {
  std::string host;  // may be empty: about the pair
  std::string message;
};

struct Plan {
  std::vector<Change> changes;
  std::vector<Blocker> blockers;
  // What the user should know but that needs no change (e.g. a setting
  // already written that waits for a restart pgpair will do).
  std::vector<std::string> notes;
  // Changes that cannot be planned until this plan's own changes are made
  // (the standby's clone while the primary's server is stopped), one phrase
  // each. apply gathers the facts again after this plan and makes them.
  std::vector<std::string> deferred;

  bool empty() const { return changes.empty() && blockers.empty() && deferred.empty(); }
  Impact HighestImpact(const std::string& host) const;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_PLAN_CHANGE_H_
