// SshTransport::OpenTunnel and CheckReplicationLogin against the sandbox
// hosts (tests/sandbox): pg2's SSH connection carries connections to pg1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <string>

#include "engine/facts/login_probe.h"
#include "engine/transport/ssh_transport.h"
#include "engine/transport/ssh_tunnel.h"
#include "engine/util/shell_quote.h"
#include "tests/integration/sandbox_support.h"

namespace pgpair {
namespace {

using testing::EnsureSandboxUp;
using testing::ReadText;
using testing::RequireSandbox;
using testing::SandboxDir;

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const milliseconds kTimeout(30'000);

// Runs the shell `script` as root inside `host`, without SSH.
std::string SandboxExec(const std::string& host, const std::string& script) {
  return RequireSandbox("exec " + host + " sh -ec " + ShellQuote(script));
}

SshTarget Target(const std::string& name, const std::string& address) {
  SshTarget target;
  target.label = name + " (" + address + ")";
  target.address = address;
  target.ssh.user = "root";
  target.ssh.keys = {SandboxDir() + "/id_ed25519"};
  target.ssh.use_agent = false;
  target.ssh.known_hosts = SandboxDir() + "/known_hosts";
  target.ssh.connect_timeout_seconds = 10;
  return target;
}

std::unique_ptr<SshTransport> ConnectPg2() {
  Result<std::unique_ptr<SshTransport>> transport =
      SshTransport::Connect(Target("pg2", "198.18.0.12"));
  INFO(transport.status().message());
  REQUIRE(transport.ok());
  return std::move(transport).value();
}

std::unique_ptr<Tunnel> MustOpenTunnel(SshTransport& transport, const std::string& host, int port) {
  Result<std::unique_ptr<Tunnel>> tunnel = transport.OpenTunnel(host, port);
  INFO(tunnel.status().message());
  REQUIRE(tunnel.ok());
  return std::move(tunnel).value();
}

// A blocking TCP connection to address:port; -1 with errno set on failure.
int ConnectTo(const std::string& address, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, address.c_str(), &to.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

struct Socket {
  int fd;
  ~Socket() {
    if (fd >= 0) close(fd);
  }
};

// Reads from `fd` until `until` appears or `timeout` passes; returns all read.
std::string ReadUntil(int fd, const std::string& until, milliseconds timeout = milliseconds(5000)) {
  std::string data;
  Clock::time_point deadline = Clock::now() + timeout;
  while (data.find(until) == std::string::npos && Clock::now() < deadline) {
    pollfd waiting{fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (poll(&waiting, 1, static_cast<int>(std::max<long>(0, left.count()))) <= 0) break;
    char buffer[4096];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

std::string ExecOk(Transport& transport, const std::string& command) {
  Result<ExecResult> result = transport.Exec(command, "", kTimeout);
  INFO(command << ": " << result.status().message());
  REQUIRE(result.ok());
  INFO(result->stderr_text);
  REQUIRE(result->exit_status == 0);
  return result->stdout_text;
}

TEST_CASE("a tunnel through pg2 reads pg1's SSH banner, one local connection after another",
          "[tunnel]") {
  EnsureSandboxUp();
  auto pg2 = ConnectPg2();
  auto tunnel = MustOpenTunnel(*pg2, "198.18.0.11", 22);
  CHECK(tunnel->local_port() > 0);
  CHECK(tunnel->destination() == "198.18.0.11:22");

  // Loopback only: the same port on this machine's bridge address is closed.
  CHECK(ConnectTo("198.18.0.1", tunnel->local_port()) == -1);

  for (int round = 0; round < 2; ++round) {
    INFO("connection " << round + 1);  // the second one needs a channel of its own
    Socket client{ConnectTo("127.0.0.1", tunnel->local_port())};
    REQUIRE(client.fd >= 0);
    std::string banner = ReadUntil(client.fd, "\n");
    CHECK_THAT(banner, Catch::StartsWith("SSH-2.0-OpenSSH"));
  }
  CHECK(tunnel->last_error().empty());

  // pg1's sshd saw the connections come from pg2.
  CHECK_THAT(ReadText(SandboxDir() + "/hosts/pg1/live/host.log"),
             Catch::Contains("Connection from 198.18.0.12 port"));
}

TEST_CASE("Exec runs on the same connection while a tunnel carries a live connection", "[tunnel]") {
  EnsureSandboxUp();
  auto pg2 = ConnectPg2();
  auto tunnel = MustOpenTunnel(*pg2, "198.18.0.11", 22);
  Socket client{ConnectTo("127.0.0.1", tunnel->local_port())};
  REQUIRE(client.fd >= 0);
  CHECK_THAT(ReadUntil(client.fd, "\n"), Catch::StartsWith("SSH-2.0-OpenSSH"));

  // Our side of the SSH exchange goes out while Exec holds the session; the
  // server's key exchange offer (KEXINIT) must still come back through.
  const std::string hello = "SSH-2.0-pgpair_tunnel_test\r\n";
  REQUIRE(send(client.fd, hello.data(), hello.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(hello.size()));
  CHECK(ExecOk(*pg2, "hostname") == "pg2\n");
  CHECK(ExecOk(*pg2, "sleep 0.3; echo slept") == "slept\n");
  CHECK_THAT(ReadUntil(client.fd, "curve25519"), Catch::Contains("curve25519"));

  // The connection's "SSH_CONNECTION" shows one SSH connection, before and after.
  std::string first = ExecOk(*pg2, "echo $SSH_CONNECTION");
  CHECK(ExecOk(*pg2, "echo $SSH_CONNECTION") == first);

  // Closing the tunnel cuts the live connection at once, and the SSH
  // connection goes on.
  Clock::time_point start = Clock::now();
  tunnel.reset();
  CHECK(Clock::now() - start < milliseconds(2000));
  char byte;
  pollfd waiting{client.fd, POLLIN, 0};
  REQUIRE(poll(&waiting, 1, 2000) == 1);
  while (recv(client.fd, &byte, 1, MSG_DONTWAIT) > 0) {
  }
  CHECK(recv(client.fd, &byte, 1, MSG_DONTWAIT) == 0);
  CHECK(ExecOk(*pg2, "hostname") == "pg2\n");
}

// An echo server on pg1 (198.18.0.11:7777) for one connection; it writes the
// peer's address to /tmp/pgpair-echo-peer and shuts its side once the peer has.
const char kEchoServer[] = R"(
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.11", 7777))
s.listen(1)
c, peer = s.accept()
open("/tmp/pgpair-echo-peer", "w").write(peer[0])
while True:
    data = c.recv(65536)
    if not data:
        break
    c.sendall(data)
c.shutdown(socket.SHUT_WR)
)";

TEST_CASE("a megabyte goes through the tunnel and back unchanged while commands run", "[tunnel]") {
  EnsureSandboxUp();
  std::string pid = SandboxExec("pg1", "rm -f /tmp/pgpair-echo-peer; setsid /usr/bin/python3 -c " +
                                           ShellQuote(kEchoServer) +
                                           " </dev/null >/dev/null 2>&1 & echo $!; sleep 0.5");
  struct KillAtEnd {
    std::string pid;
    ~KillAtEnd() {
      std::system(
          (std::string(PGPAIR_SANDBOX_SCRIPT) + " exec pg1 kill " + pid + " 2>/dev/null").c_str());
    }
  } kill_at_end{pid.substr(0, pid.find('\n'))};

  auto pg2 = ConnectPg2();
  auto tunnel = MustOpenTunnel(*pg2, "198.18.0.11", 7777);
  Socket client{ConnectTo("127.0.0.1", tunnel->local_port())};
  REQUIRE(client.fd >= 0);
  std::string megabyte;
  for (int i = 0; i < (1 << 20); ++i) megabyte += static_cast<char>(i * 7 % 251);
  // Writes all, then half-closes: the echo server sees EOF only through the
  // tunnel's EOF, and its own EOF must come back.
  auto writer = std::async(std::launch::async, [&] {
    size_t sent = 0;
    while (sent < megabyte.size()) {
      ssize_t n = send(client.fd, megabyte.data() + sent, megabyte.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return shutdown(client.fd, SHUT_WR) == 0;
  });
  auto commands = std::async(std::launch::async, [&] {
    std::string hosts;
    for (int i = 0; i < 3; ++i) {
      Result<ExecResult> result = pg2->Exec("hostname", "", kTimeout);
      hosts += result.ok() ? result->stdout_text : result.status().message();
    }
    return hosts;
  });
  std::string echoed;
  Clock::time_point deadline = Clock::now() + milliseconds(30'000);
  while (Clock::now() < deadline) {
    pollfd waiting{client.fd, POLLIN, 0};
    if (poll(&waiting, 1, 1000) < 0) break;
    char buffer[65536];
    ssize_t n = recv(client.fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) break;  // EOF: the far end is done
    if (n > 0) echoed.append(buffer, static_cast<size_t>(n));
  }
  CHECK(writer.get());
  CHECK(commands.get() == "pg2\npg2\npg2\n");
  CHECK(echoed.size() == megabyte.size());
  CHECK(echoed == megabyte);
  CHECK(tunnel->last_error().empty());
  CHECK(SandboxExec("pg1", "cat /tmp/pgpair-echo-peer") == "198.18.0.12");
}

TEST_CASE("a tunnel to a port pg2 cannot reach fails naming pg2 and the destination", "[tunnel]") {
  EnsureSandboxUp();
  auto pg2 = ConnectPg2();
  // Nothing listens on 5499 on pg1.
  Result<std::unique_ptr<Tunnel>> tunnel = pg2->OpenTunnel("198.18.0.11", 5499);
  REQUIRE_FALSE(tunnel.ok());
  CHECK_THAT(tunnel.status().message(),
             Catch::StartsWith("pg2 (198.18.0.12): cannot open a tunnel to 198.18.0.11:5499: "
                               "the host could not connect there"));
  // Only that channel failed: the connection still runs commands and tunnels.
  CHECK(ExecOk(*pg2, "hostname") == "pg2\n");
  auto working = MustOpenTunnel(*pg2, "198.18.0.11", 22);

  // One tunnel at a time per connection.
  Result<std::unique_ptr<Tunnel>> second = pg2->OpenTunnel("198.18.0.11", 22);
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.status().message(), Catch::Contains("another tunnel"));
}

// Puts pg1 back to out-of-the-box when the test ends, however it ends.
struct ResetSandboxAtEnd {
  ~ResetSandboxAtEnd() { std::system((std::string(PGPAIR_SANDBOX_SCRIPT) + " reset").c_str()); }
};

TEST_CASE("the replication login check through pg2 proves hba rule and password on pg1",
          "[login_probe]") {
  EnsureSandboxUp();
  // This test changes pg1's configuration: it starts from `sandbox reset`
  // (a known pg1) and resets again at the end, so no change outlives it.
  RequireSandbox("reset");
  ResetSandboxAtEnd reset_at_end;
  // A quote, a backslash and a blank go through the conninfo quoting.
  const std::string password = "tunnel's \\ pass";
  const std::string hba_line = "host replication tunneltest 198.18.0.12/32 scram-sha-256";
  SandboxExec("pg1", R"(runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
ALTER SYSTEM SET listen_addresses = '*';
ALTER SYSTEM SET log_connections = on;
CREATE ROLE tunneltest WITH REPLICATION LOGIN PASSWORD 'tunnel''s \ pass';
SQL
echo ')" + hba_line + R"(' >> /etc/postgresql/15/main/pg_hba.conf
pg_ctlcluster 15 main restart)");
  const std::string system_identifier =
      SandboxExec("pg1",
                  "runuser -u postgres -- psql -X -At -c "
                  "'SELECT system_identifier FROM pg_control_system()'")
          .substr(0, 19);
  auto pg2 = ConnectPg2();

  ReplicationLoginCheck right =
      CheckReplicationLogin(*pg2, "198.18.0.11", 5432, "tunneltest", password);
  INFO(right.message);
  CHECK(right.succeeded);
  CHECK_THAT(right.message, Catch::Contains("system identifier " + system_identifier));

  // pg1 saw the login come from pg2's own address, as a replication login.
  std::string log = SandboxExec("pg1", "cat /var/log/postgresql/postgresql-15-main.log");
  CHECK_THAT(log, Catch::Contains("connection received: host=198.18.0.12"));
  CHECK_THAT(log, Catch::Contains("replication connection authorized: user=tunneltest "
                                  "application_name=pgpair-check"));

  ReplicationLoginCheck wrong =
      CheckReplicationLogin(*pg2, "198.18.0.11", 5432, "tunneltest", "not the password");
  CHECK_FALSE(wrong.succeeded);
  CHECK(wrong.message == "FATAL:  password authentication failed for user \"tunneltest\"");
  CHECK(IsPasswordRefusal(wrong.message));
  CHECK_THAT(wrong.message, !Catch::Contains("not the password"));

  // The check and commands share pg2's connection from two threads.
  auto checked = std::async(std::launch::async, [&] {
    return CheckReplicationLogin(*pg2, "198.18.0.11", 5432, "tunneltest", password);
  });
  for (int i = 0; i < 5; ++i) CHECK(ExecOk(*pg2, "hostname") == "pg2\n");
  ReplicationLoginCheck concurrent = checked.get();
  INFO(concurrent.message);
  CHECK(concurrent.succeeded);

  // Without the rule, the server says so, naming pg2's address.
  SandboxExec("pg1",
              "sed -i '/tunneltest/d' /etc/postgresql/15/main/pg_hba.conf && "
              "pg_ctlcluster 15 main reload");
  ReplicationLoginCheck no_rule =
      CheckReplicationLogin(*pg2, "198.18.0.11", 5432, "tunneltest", password);
  CHECK_FALSE(no_rule.succeeded);
  CHECK_THAT(no_rule.message,
             Catch::StartsWith("FATAL:  no pg_hba.conf entry for replication connection from "
                               "host \"198.18.0.12\", user \"tunneltest\""));
  CHECK_FALSE(IsPasswordRefusal(no_rule.message));

  // A port nobody listens on: the tunnel's own error, not a password problem.
  ReplicationLoginCheck no_server =
      CheckReplicationLogin(*pg2, "198.18.0.11", 5499, "tunneltest", password);
  CHECK_FALSE(no_server.succeeded);
  CHECK_THAT(no_server.message,
             Catch::StartsWith("pg2 (198.18.0.12): cannot open a tunnel to 198.18.0.11:5499"));
  CHECK_FALSE(IsPasswordRefusal(no_server.message));

  // Neither password reached pg1's log.
  log = SandboxExec("pg1", "cat /var/log/postgresql/postgresql-15-main.log");
  CHECK_THAT(log, !Catch::Contains(password) && !Catch::Contains("not the password"));
}

}  // namespace
}  // namespace pgpair
