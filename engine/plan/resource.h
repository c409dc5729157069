#ifndef PGPAIR_ENGINE_PLAN_RESOURCE_H_
#define PGPAIR_ENGINE_PLAN_RESOURCE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/facts/facts.h"
#include "engine/facts/login_probe.h"
#include "engine/manifest/manifest.h"
#include "engine/plan/change.h"
#include "engine/transport/transport.h"
#include "engine/util/status.h"

namespace pgpair {

// Everything a resource's diff may read. No I/O is reachable from here.
struct PlanInput {
  const Manifest* manifest = nullptr;
  const HostFacts* primary = nullptr;
  const HostFacts* standby = nullptr;
  // The replication login probe (engine/facts/login_probe.h); empty: not run.
  std::optional<ReplicationLoginCheck> login_check;
  // --allow-overwrite-primary: a host declared standby that runs as a
  // primary may be re-cloned.
  bool allow_overwrite_primary = false;
  // SHA-256 (hex) of the manifest's replication password, compared with the
  // digest of the one the standby stores; never the password itself.
  std::optional<std::string> replication_password_sha256;
  // The time apply will use in names such as the moved-aside data directory:
  // "20261126T061500Z", or kApplyTimeTimestamp in a plan that no apply will
  // perform as it is (plan without -o).
  std::string timestamp;
};

// The timestamp of a plan that is only shown (`plan` without -o): `apply
// MANIFEST` plans again and names what it moves aside with its own time, so
// such a plan does not promise a time it cannot keep. A saved plan carries a
// real one, which `apply PLAN` uses.
inline constexpr char kApplyTimeTimestamp[] = "YYYYMMDDTHHMMSSZ";

// What a resource's apply may use: one connection per host, the secrets the
// manifest refers to, and a way to tell the operator what it is doing.
struct ApplyContext {
  const Manifest* manifest = nullptr;
  const PlanInput* plan_input = nullptr;
  Transport* primary = nullptr;
  Transport* standby = nullptr;
  std::string replication_password;  // resolved; never logged
  std::function<void(const std::string&)> progress;
  // Whether apply still holds its lock on both hosts (engine/apply/apply_lock.h):
  // Ok while it does, else why not. Empty when apply runs without the lock
  // (unit tests).
  std::function<Status()> lock_held;
  // The pid of the apply lease on each host, by host name: what a long step
  // passes to GuardedCommand (engine/apply/remote_guard.h) so that it ends
  // with pgpair. Empty without the lock.
  std::map<std::string, int> lease_pids;
  // Told when each step of the apply starts and when it ends, for apply
  // --json (engine/apply/applier.h names the steps); empty: not told.
  std::function<void(const std::string& kind, const std::string& name, const std::string& host)>
      step_started;
  std::function<void(const Status& result)> step_finished;

  Transport& For(const std::string& host_name) const {
    return host_name == manifest->primary ? *primary : *standby;
  }
  const HostFacts& FactsFor(const std::string& host_name) const {
    return host_name == manifest->primary ? *plan_input->primary : *plan_input->standby;
  }
  std::optional<int> LeasePidFor(const std::string& host_name) const {
    auto it = lease_pids.find(host_name);
    if (it == lease_pids.end()) return std::nullopt;
    return it->second;
  }
};

// One kind of thing pgpair manages (a role, an hba rule, a setting, ...).
// The contract, after mgmt's resources: Diff looks, Apply converges one change
// or returns an error; it never reports success without having converged.
// The server's lifecycle is not a resource's: a change declares the server
// step it needs and what that step must verify (Change::server_step,
// Change::checks), and the engine runs each host's step once, after all the
// host's changes (engine/apply/server_lifecycle.h).
class Resource {
 public:
  virtual ~Resource() = default;
  virtual const char* kind() const = 0;
  // Pure: appends to `plan` the changes that bring the pair to the manifest,
  // given the facts, and the blockers and notes this resource finds. A fact
  // that is unknown yields no change: the resource adds a note or a blocker
  // that names it.
  virtual void Diff(const PlanInput& input, Plan* plan) const = 0;
  // Performs one of this resource's own changes. The default is for changes
  // whose whole effect is their server step (server_running's start).
  virtual Status Apply(const Change& change, ApplyContext& context) const;
};

// A resource whose changes carry a payload of type Details, made by its own
// Diff: Apply hands it over typed, so no change can lack an argument.
template <typename Details>
class TypedResource : public Resource {
 public:
  Status Apply(const Change& change, ApplyContext& context) const final {
    const Details* details = DetailsOf<Details>(change);
    if (details == nullptr) {
      return Status::Error(change.address + ": not a change of " + kind() + " (a planner bug)");
    }
    return Perform(change, *details, context);
  }

 protected:
  // `change` made this resource's, carrying `details`.
  Change Attach(Change change, Details details) const {
    change.resource = kind();
    SetDetails(change, std::move(details));
    return change;
  }
  virtual Status Perform(const Change& change, const Details& details,
                         ApplyContext& context) const = 0;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_PLAN_RESOURCE_H_
