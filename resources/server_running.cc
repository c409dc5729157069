#include "resources/server_running.h"

namespace pgpair {
namespace {

class ServerRunning final : public Resource {
 public:
  const char* kind() const override { return "server_running"; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    for (const HostFacts* host : {input.primary, input.standby}) {
      if (!host->server.running || *host->server.running || !host->layout.data_dir) continue;
      Change change;
      change.resource = kind();
      change.address = "server_running[" + host->name + "]";
      change.host = host->name;
      change.action = Action::kUpdate;
      change.before = "stopped";
      change.after = "running";
      change.reason = "the PostgreSQL server of " + host->name + " is not running";
      change.impact = Impact::kRestart;
      plan->changes.push_back(std::move(change));
    }
  }

  Status Apply(const Change&, ApplyContext&) const override { return Status::Ok(); }
};

}  // namespace

const Resource& ServerRunningResource() {
  static const ServerRunning resource;
  return resource;
}

}  // namespace pgpair
