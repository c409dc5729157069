#include "resources/server_running.h"

#include "engine/apply/server_control.h"

namespace pgpair {
namespace {

class ServerRunning final : public Resource {
 public:
  const char* kind() const override { return "server_running"; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    for (const HostFacts* host : {input.primary, input.standby}) {
      if (!host->server.running || *host->server.running || !host->layout.data_dir) continue;
      const HostSpec* spec = input.manifest ? input.manifest->FindHost(host->name) : nullptr;
      if (spec && ChooseServiceManager(*spec, *host) == ServiceManager::kPgCtl &&
          !host->layout.bin_dir) {
        // Another major's pg_ctl (the one on PATH, say) refuses the data
        // directory at best.
        plan->blockers.push_back(
            {host->name,
             "the server of " + host->name + " is stopped and pgpair found no pg_ctl of " +
                 (host->server.major ? "PostgreSQL " + std::to_string(*host->server.major)
                                     : std::string("its major")) +
                 " to start it with; declare hosts." + host->name +
                 ".postgres.bin_dir, or a service (pg_ctlcluster, systemctl)"});
        continue;
      }
      Change change;
      change.resource = kind();
      change.address = "server_running[" + host->name + "]";
      change.host = host->name;
      change.action = Action::kUpdate;
      change.before = "stopped";
      change.after = "running";
      change.reason = "the PostgreSQL server of " + host->name + " is not running";
      // Nothing runs that a start could interrupt; the plan says "start"
      // through the server step.
      change.impact = Impact::kNone;
      // The whole change is the engine's start: no Apply of its own.
      change.server_step = ServerStep::kStart;
      plan->changes.push_back(std::move(change));
    }
  }
};

}  // namespace

const Resource& ServerRunningResource() {
  static const ServerRunning resource;
  return resource;
}

}  // namespace pgpair
