#include "engine/facts/collector.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "engine/facts/gather_script.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/fixture_file.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

// A host whose answers may say "@@pgpair-fixture", the marker of the
// captured gather outputs of tests/fixtures/gather/, where the collector's
// marker for this run goes: the collector must find its own sections.
class GatherHost : public FakeTransport {
 public:
  using FakeTransport::FakeTransport;

  Result<ExecResult> Exec(const std::string& command, const std::string& stdin_data,
                          std::chrono::milliseconds timeout) override {
    Result<ExecResult> answer = FakeTransport::Exec(command, stdin_data, timeout);
    std::smatch mark;
    if (!answer.ok() || !std::regex_search(command, mark, std::regex("@@pgpair-[0-9a-f]+"))) {
      return answer;
    }
    marks.push_back(mark.str());
    ExecResult result = *answer;
    result.stdout_text =
        std::regex_replace(result.stdout_text, std::regex("@@pgpair-fixture"), mark.str());
    return result;
  }

  std::vector<std::string> marks;  // the markers the collector sent
};

// A captured gather output as the host's answer.
ExecResult Gathered(const std::string& fixture) {
  return FakeTransport::Stdout(testing::ReadFixture(fixture));
}

Manifest PairWithArchive() {
  Manifest manifest = testing::SandboxPair();
  manifest.pair = "sandbox";
  manifest.replication = ReplicationSpec();
  ArchiveSpec archive;
  archive.dir = "/var/backups/pgsql/archive";
  manifest.archive = archive;
  manifest.hosts[0].ssh.command_timeout_seconds = 45;
  manifest.hosts[0].postgres.cluster = "15/main";
  return manifest;
}

HostConnection Connected(const HostSpec& host, std::unique_ptr<Transport> transport,
                         const char* role) {
  HostConnection connection;
  connection.host = &host;
  connection.declared_role = role;
  connection.transport = std::move(transport);
  return connection;
}

TEST_CASE("Gathering a host is one exec of the gather script, read into facts", "[collector]") {
  Manifest manifest = PairWithArchive();
  auto owned = std::make_unique<GatherHost>("pg1 (198.18.0.11)");
  GatherHost& pg1 = *owned;
  pg1.OnCommand("/bin/sh -s", Gathered("gather/pg15_debian_running.txt"));
  HostConnection connection = Connected(manifest.hosts[0], std::move(owned), "primary");

  HostFacts facts = GatherHostFacts(connection, manifest);

  // One round trip: the script travels on stdin, asked for the manifest's
  // role and archive directory, with a fresh marker.
  REQUIRE(pg1.calls().size() == 1);
  CHECK(pg1.calls()[0].timeout == std::chrono::seconds(45));
  REQUIRE(pg1.marks.size() == 1);
  GatherCall expected = BuildGatherCall(
      manifest.hosts[0], GatherRequest{"replicator", "/var/backups/pgsql/archive"}, pg1.marks[0]);
  CHECK(pg1.calls()[0].command == expected.command);
  CHECK(pg1.calls()[0].stdin_data == expected.script);
  CHECK(facts.exec_round_trips == 1);
  CHECK(facts.ssh_connections == 1);
  // Who it is in the manifest, and what the host said.
  CHECK(facts.name == "pg1");
  CHECK(facts.address == "198.18.0.11");
  CHECK(facts.declared_role == "primary");
  CHECK(facts.os.hostname == "pg1");
  CHECK(facts.server.major == 15);
  CHECK(facts.server.running == true);
  CHECK(facts.layout.cluster == "15/main");
  REQUIRE(facts.archive.has_value());
  CHECK(facts.archive->exists == false);
  CHECK(facts.problems.empty());
}

TEST_CASE("A new marker for each gathering", "[collector]") {
  Manifest manifest = PairWithArchive();
  auto owned = std::make_unique<GatherHost>("pg1 (198.18.0.11)");
  GatherHost& pg1 = *owned;
  pg1.OnCommand("/bin/sh -s", Gathered("gather/pg15_debian_running.txt"));
  HostConnection connection = Connected(manifest.hosts[0], std::move(owned), "primary");
  GatherHostFacts(connection, manifest);
  GatherHostFacts(connection, manifest);
  REQUIRE(pg1.marks.size() == 2);
  CHECK(pg1.marks[0] != pg1.marks[1]);
}

TEST_CASE("A host that cannot be read has every fact unknown, and says why", "[collector]") {
  Manifest manifest = PairWithArchive();
  SECTION("no connection: nothing is run") {
    HostConnection connection;
    connection.host = &manifest.hosts[1];
    connection.declared_role = "standby";
    connection.status = Status::Error("pg2 (198.18.0.12): cannot connect: Connection refused");
    HostFacts facts = GatherHostFacts(connection, manifest);
    CHECK(facts.name == "pg2");
    CHECK(facts.declared_role == "standby");
    CHECK(facts.ssh_connections == 0);
    CHECK_FALSE(facts.server.running.has_value());
    REQUIRE(facts.problems.size() == 1);
    CHECK(facts.problems[0].topic == "connection");
    CHECK(facts.problems[0].message ==
          "pg2 (198.18.0.12): cannot connect: Connection refused; every fact of this host is "
          "unknown");
  }
  SECTION("the script cannot be run") {
    auto pg2 = std::make_unique<FakeTransport>("pg2 (198.18.0.12)");
    pg2->Then(Status::Error("pg2 (198.18.0.12): command timed out after 300 s"));
    HostConnection connection = Connected(manifest.hosts[1], std::move(pg2), "standby");
    HostFacts facts = GatherHostFacts(connection, manifest);
    CHECK(facts.exec_round_trips == 1);
    CHECK_FALSE(facts.layout.data_dir.has_value());
    REQUIRE(facts.problems.size() == 1);
    CHECK(facts.problems[0].message ==
          "pg2 (198.18.0.12): command timed out after 300 s; every fact of this host is unknown");
  }
  SECTION("the script died in the middle: the section and its stderr are named") {
    auto pg2 = std::make_unique<GatherHost>("pg2 (198.18.0.12)");
    pg2->Then(FakeTransport::Exit(137, "Killed\n", "@@pgpair-fixture begin uname\npg2\n"));
    HostConnection connection = Connected(manifest.hosts[1], std::move(pg2), "standby");
    HostFacts facts = GatherHostFacts(connection, manifest);
    CHECK_FALSE(facts.os.hostname.has_value());
    REQUIRE(facts.problems.size() == 1);
    CHECK(facts.problems[0].topic == "gather");
    CHECK(facts.problems[0].message ==
          "pg2 (198.18.0.12): the facts script stopped in the middle of section \"uname\" "
          "(Killed); every fact of this host is unknown");
  }
  SECTION("output of another run's marker is not read") {
    auto pg2 = std::make_unique<FakeTransport>("pg2 (198.18.0.12)");
    pg2->Then(Gathered("gather/pg15_debian_stopped.txt"));
    HostConnection connection = Connected(manifest.hosts[1], std::move(pg2), "standby");
    HostFacts facts = GatherHostFacts(connection, manifest);
    CHECK_FALSE(facts.os.hostname.has_value());
    REQUIRE(facts.problems.size() == 1);
    CHECK(facts.problems[0].message ==
          "pg2 (198.18.0.12): the facts script printed nothing pgpair could read; every fact "
          "of this host is unknown");
  }
}

TEST_CASE("Both hosts connect once, in parallel, and are gathered with their roles",
          "[collector]") {
  Manifest manifest = PairWithArchive();
  std::atomic<int> connects{0};
  // pg2 runs PostgreSQL 15 stopped; pg1 the running one.
  TransportFactory factory =
      [&connects](const HostSpec& host) -> Result<std::unique_ptr<Transport>> {
    ++connects;
    auto transport = std::make_unique<GatherHost>(host.label());
    transport->OnCommand("/bin/sh -s",
                         Gathered(host.name == "pg1" ? "gather/pg15_debian_running.txt"
                                                     : "gather/pg15_debian_stopped.txt"));
    return std::unique_ptr<Transport>(std::move(transport));
  };
  std::vector<HostConnection> connections = ConnectPair(manifest, factory);
  CHECK(connects == 2);
  REQUIRE(connections.size() == 2);
  CHECK(connections[0].declared_role == "primary");
  CHECK(connections[1].declared_role == "standby");
  CHECK(connections[0].host == &manifest.hosts[0]);

  PairFacts pair = GatherPairFacts(connections, manifest);
  CHECK(pair.pair == "sandbox");
  REQUIRE(pair.hosts.size() == 2);
  CHECK(pair.hosts[0].name == "pg1");
  CHECK(pair.hosts[0].server.running == true);
  CHECK(pair.hosts[1].name == "pg2");
  CHECK(pair.hosts[1].server.running == false);
  for (const HostFacts& host : pair.hosts) CHECK(host.exec_round_trips == 1);
}

TEST_CASE("A host that cannot be reached does not keep the other from being gathered",
          "[collector]") {
  Manifest manifest = PairWithArchive();
  TransportFactory factory = [](const HostSpec& host) -> Result<std::unique_ptr<Transport>> {
    if (host.name == "pg2") {
      return Status::Error(host.label() + ": no route to host; check the address");
    }
    auto transport = std::make_unique<GatherHost>(host.label());
    transport->OnCommand("/bin/sh -s", Gathered("gather/pg15_debian_running.txt"));
    return std::unique_ptr<Transport>(std::move(transport));
  };
  std::vector<HostConnection> connections = ConnectPair(manifest, factory);
  REQUIRE(connections.size() == 2);
  CHECK(connections[1].transport == nullptr);
  CHECK(connections[1].status.message() ==
        "pg2 (198.18.0.12): no route to host; check the address");

  PairFacts pair = GatherPairFacts(connections, manifest);
  CHECK(pair.hosts[0].server.major == 15);
  CHECK(pair.hosts[0].problems.empty());
  REQUIRE(pair.hosts[1].problems.size() == 1);
  CHECK(pair.hosts[1].problems[0].message ==
        "pg2 (198.18.0.12): no route to host; check the address; every fact of this host is "
        "unknown");
}

}  // namespace
}  // namespace pgpair
