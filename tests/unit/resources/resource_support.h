#ifndef PGPAIR_TESTS_UNIT_RESOURCES_RESOURCE_SUPPORT_H_
#define PGPAIR_TESTS_UNIT_RESOURCES_RESOURCE_SUPPORT_H_

#include <catch2/catch.hpp>
#include <optional>
#include <utility>

#include "engine/plan/resource.h"
#include "tests/unit/fakes/fake_transport.h"

// What the resources' unit tests share.
namespace pgpair::testing {

// The sandbox's pair, and nothing else declared: pg1 (198.18.0.11) primary,
// pg2 (198.18.0.12) standby.
inline Manifest SandboxPair() {
  Manifest manifest;
  HostSpec pg1;
  pg1.name = "pg1";
  pg1.address = "198.18.0.11";
  HostSpec pg2;
  pg2.name = "pg2";
  pg2.address = "198.18.0.12";
  manifest.hosts = {pg1, pg2};
  manifest.primary = "pg1";
  manifest.standby = "pg2";
  return manifest;
}

// Runs one resource's Diff on a pair's facts, as the planner does, and
// returns what it planned. A null host is one whose facts could not be
// gathered.
inline Plan DiffResource(const Resource& resource, const Manifest& manifest,
                         const HostFacts* primary, const HostFacts* standby,
                         std::optional<ReplicationLoginCheck> login_check = std::nullopt) {
  PlanInput input;
  input.manifest = &manifest;
  input.primary = primary;
  input.standby = standby;
  input.login_check = std::move(login_check);
  Plan plan;
  resource.Diff(input, &plan);
  return plan;
}
inline Plan DiffResource(const Resource& resource, const Manifest& manifest,
                         const HostFacts& primary, const HostFacts& standby,
                         std::optional<ReplicationLoginCheck> login_check = std::nullopt) {
  return DiffResource(resource, manifest, &primary, &standby, std::move(login_check));
}

// The payload of type D that `change` carries; fails the test when it
// carries another or none.
template <typename D>
const D& RequireDetails(const Change& change) {
  const D* details = DetailsOf<D>(change);
  REQUIRE(details != nullptr);
  return *details;
}

// A pair's plan input and apply context over two fake transports, wired to
// the fixture's own manifest and facts, which a test fills in (assigning to
// them keeps the wiring).
struct FakePair {
  Manifest manifest = SandboxPair();
  HostFacts primary;
  HostFacts standby;
  PlanInput input;
  FakeTransport pg1{"pg1 (198.18.0.11)"};
  FakeTransport pg2{"pg2 (198.18.0.12)"};
  ApplyContext context;

  FakePair() {
    input.manifest = &manifest;
    input.primary = &primary;
    input.standby = &standby;
    context.manifest = &manifest;
    context.plan_input = &input;
    context.primary = &pg1;
    context.standby = &pg2;
  }
  FakePair(const FakePair&) = delete;
  FakePair& operator=(const FakePair&) = delete;
};

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_RESOURCES_RESOURCE_SUPPORT_H_
