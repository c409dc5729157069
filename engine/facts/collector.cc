#include "engine/facts/collector.h"

#include <chrono>
#include <future>

#include "engine/facts/gather_script.h"
#include "engine/facts/interpret.h"
#include "engine/util/log_pair.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

GatherRequest RequestFor(const Manifest& manifest) {
  GatherRequest request;
  if (manifest.replication) request.replication_role = manifest.replication->role;
  // The archive directory matters on the primary, where archive_command
  // writes; it is read on both hosts, since roles can swap.
  if (manifest.archive) request.archive_dir = manifest.archive->dir;
  return request;
}

}  // namespace

std::vector<HostConnection> ConnectPair(const Manifest& manifest, const TransportFactory& factory) {
  std::vector<HostConnection> connections(manifest.hosts.size());
  std::vector<std::future<void>> pending;
  for (size_t i = 0; i < manifest.hosts.size(); ++i) {
    HostConnection& connection = connections[i];
    connection.host = &manifest.hosts[i];
    connection.declared_role = manifest.hosts[i].name == manifest.primary   ? "primary"
                               : manifest.hosts[i].name == manifest.standby ? "standby"
                                                                            : "";
    pending.push_back(std::async(std::launch::async, [&connection, &factory, pair = LoggedPair()] {
      LogPairScope logged_as(pair);
      Clock::time_point start = Clock::now();
      Result<std::unique_ptr<Transport>> transport = factory(*connection.host);
      connection.connect_seconds = SecondsSince(start);
      if (transport.ok()) {
        connection.transport = std::move(transport).value();
      } else {
        connection.status = transport.status();
      }
    }));
  }
  for (auto& done : pending) done.get();
  return connections;
}

HostFacts GatherHostFacts(HostConnection& connection, const Manifest& manifest) {
  const HostSpec& host = *connection.host;
  HostFacts facts;
  facts.name = host.name;
  facts.address = host.address;
  facts.declared_role = connection.declared_role;
  if (!connection.transport) {
    facts.problems.push_back(
        {"connection", connection.status.message() + "; every fact of this host is unknown"});
    return facts;
  }
  facts.ssh_connections = 1;
  Clock::time_point start = Clock::now();
  GatherRequest request = RequestFor(manifest);
  std::string mark = NewGatherMark();
  int execs_before = connection.transport->exec_count();
  GatherCall call = BuildGatherCall(host, request, mark);
  Result<ExecResult> run = connection.transport->Exec(
      call.command, call.script, std::chrono::seconds(host.ssh.command_timeout_seconds));
  facts.exec_round_trips = connection.transport->exec_count() - execs_before;
  if (!run.ok()) {
    facts.problems.push_back(
        {"connection", run.status().message() + "; every fact of this host is unknown"});
    return facts;
  }
  Result<GatherSections> sections = ParseGatherOutput(run->stdout_text, mark);
  if (!sections.ok()) {
    std::string why = TrimTrailing(run->stderr_text);
    std::string detail = why.empty() ? "" : " (" + why + ")";
    facts.problems.push_back({"gather", connection.transport->host_label() + ": " +
                                            sections.status().message() + detail +
                                            "; every fact of this host is unknown"});
    return facts;
  }
  InterpretGather(*sections, request, &facts);
  facts.gather_seconds = SecondsSince(start);
  return facts;
}

PairFacts GatherPairFacts(std::vector<HostConnection>& connections, const Manifest& manifest) {
  PairFacts pair;
  pair.pair = manifest.pair;
  pair.hosts.resize(connections.size());
  std::vector<std::future<void>> pending;
  for (size_t i = 0; i < connections.size(); ++i) {
    pending.push_back(std::async(std::launch::async, [&, i, logged = LoggedPair()] {
      LogPairScope logged_as(logged);
      pair.hosts[i] = GatherHostFacts(connections[i], manifest);
    }));
  }
  for (auto& done : pending) done.get();
  return pair;
}

}  // namespace pgpair
