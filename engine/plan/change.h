#ifndef PGPAIR_ENGINE_PLAN_CHANGE_H_
#define PGPAIR_ENGINE_PLAN_CHANGE_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgpair {

// What a change does to its resource.
enum class Action { kCreate, kUpdate, kDelete, kReplace };
// What the change costs the host it runs on. Ordered: a larger value is a
// larger disruption.
enum class Impact { kNone, kReload, kRestart, kReclone };

// What the host's server must do once all the host's changes are made, for
// them to take effect. Ordered: each does what the ones before it do (a
// start reads every file; a restart is preceded by a reload).
enum class ServerStep { kNone, kReload, kRestart, kStart };

// What the engine verifies after the host's reload, before any restart.
enum class ServerCheck {
  kHbaRules,      // pg_hba_file_rules shows no error (the server keeps its old rules otherwise)
  kFileSettings,  // pg_file_settings shows no error (a restart would fail otherwise)
};

const char* ActionName(Action action);           // "create", "update", "delete", "replace"
const char* ImpactName(Impact impact);           // "none", "reload", "restart", "re-clone"
const char* ServerStepName(ServerStep step);     // "none", "reload", "restart", "start"
const char* ServerCheckName(ServerCheck check);  // "hba_rules", "file_settings"

// The part of a change that only its resource reads: a struct of the
// resource's own, held through TypedResource (engine/plan/resource.h) and
// shown by plan --json as "details" (schemas/plan.schema.json).
class ChangeDetails {
 public:
  virtual ~ChangeDetails() = default;
  virtual nlohmann::json ToJson() const = 0;
};

// The holder of a resource's payload of type D (a struct with
// `nlohmann::json ToJson() const`).
template <typename D>
class TypedDetails final : public ChangeDetails {
 public:
  explicit TypedDetails(D value) : value_(std::move(value)) {}
  const D& value() const { return value_; }
  nlohmann::json ToJson() const override { return value_.ToJson(); }

 private:
  D value_;
};

// A setting value a change writes: what a start the server refuses is
// compared with (engine/apply/restart_safety.h).
struct WrittenSetting {
  std::string name;
  std::string value;  // as written in the file
};

// One missing change, as plan shows it and apply performs it. The reason,
// before and after are for humans; apply acts on the rest. No field ever
// holds a secret.
struct Change {
  std::string resource;  // kind: "setting", "hba_rule", "replication_role", ...
  std::string address;   // "setting[pg1/wal_level]"
  std::string host;      // name of the host it runs on
  Action action = Action::kUpdate;
  std::optional<std::string> before;  // as the facts show it; empty: absent or unknown
  std::optional<std::string> after;   // as it will be
  std::string reason;
  // For humans too: the ordered steps of a change that has several (a
  // switchover), one phrase each; plan shows one a line. The details hold
  // them for machines.
  std::vector<std::string> steps;
  Impact impact = Impact::kNone;

  // What the engine does around the resource's own Apply (after mgmt's
  // "refresh" notifications): the server step the change needs, what that
  // step must verify, the configuration files the change edits (copied
  // before, so that a refused start can be undone) and the setting it writes.
  ServerStep server_step = ServerStep::kNone;
  std::vector<ServerCheck> checks;
  std::vector<std::string> edited_files;  // absolute paths on the host
  std::optional<WrittenSetting> setting;
  // The change acts on both servers and swaps which one is primary (a
  // switchover): apply runs it between the primary's changes and the
  // standby's, and the planner defers the standby's changes past it.
  bool swaps_roles = false;
  // The change writes through SQL on the primary (a role): while the
  // manifest's primary is still in recovery, it waits for the promotion.
  bool writes_on_primary = false;

  // The resource's payload; empty for a change whose whole effect is its
  // server step (server_running).
  std::shared_ptr<const ChangeDetails> details;
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

// Makes `details` the payload `change` carries.
template <typename D>
void SetDetails(Change& change, D details) {
  change.details = std::make_shared<const TypedDetails<D>>(std::move(details));
}

// The payload of type D that `change` carries; null when it carries another
// (or none).
template <typename D>
const D* DetailsOf(const Change& change) {
  const auto* held = dynamic_cast<const TypedDetails<D>*>(change.details.get());
  return held == nullptr ? nullptr : &held->value();
}

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_PLAN_CHANGE_H_
