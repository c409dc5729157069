// SshTransport and remote_files against the sandbox hosts (tests/sandbox).
#include "engine/transport/ssh_transport.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

#include "engine/transport/host_key_check.h"
#include "engine/transport/remote_files.h"
#include "tests/integration/sandbox_support.h"

namespace pgpair {
namespace {

using testing::EnsureSandboxUp;
using testing::ReadText;
using testing::SandboxDir;

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const milliseconds kTimeout(30'000);

SshTarget Target(const std::string& name, const std::string& address,
                 const std::string& user = "root") {
  SshTarget target;
  target.label = name + " (" + address + ")";
  target.address = address;
  target.ssh.user = user;
  target.ssh.keys = {SandboxDir() + "/id_ed25519"};
  target.ssh.use_agent = false;
  target.ssh.known_hosts = SandboxDir() + "/known_hosts";
  target.ssh.connect_timeout_seconds = 10;
  target.become = user == "root" ? Become::kNone : Become::kSudo;
  return target;
}
SshTarget Pg1(const std::string& user = "root") { return Target("pg1", "198.18.0.11", user); }

std::unique_ptr<SshTransport> MustConnect(const SshTarget& target) {
  Result<std::unique_ptr<SshTransport>> transport = SshTransport::Connect(target);
  INFO(transport.status().message());
  REQUIRE(transport.ok());
  return std::move(transport).value();
}

ExecResult MustExec(Transport& transport, const std::string& command,
                    const std::string& stdin_data = "") {
  Result<ExecResult> result = transport.Exec(command, stdin_data, kTimeout);
  INFO(command << ": " << result.status().message());
  REQUIRE(result.ok());
  return result.value();
}

// The sandbox's own host key of pg1, as its known_hosts holds it.
HostKey Pg1HostKey() {
  std::istringstream lines(ReadText(SandboxDir() + "/known_hosts"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("198.18.0.11 ", 0) == 0) {
      std::optional<HostKey> key = HostKey::FromText(line.substr(12));
      REQUIRE(key.has_value());
      return *key;
    }
  }
  FAIL("no line for 198.18.0.11 in " << SandboxDir() << "/known_hosts");
  return {};
}

struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/pgpair-ssh-it-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

TEST_CASE("root and deploy with sudo both run commands as root", "[ssh_transport]") {
  EnsureSandboxUp();
  auto as_root = MustConnect(Pg1("root"));
  auto as_deploy = MustConnect(Pg1("deploy"));
  ExecResult root_id = MustExec(*as_root, "id -u");
  ExecResult deploy_id = MustExec(*as_deploy, "id -u");
  CHECK(root_id.exit_status == 0);
  CHECK(root_id.stdout_text == "0\n");
  CHECK(deploy_id.stdout_text == root_id.stdout_text);
  // A pipe and a quote stay inside the command that sudo runs as root.
  CHECK(MustExec(*as_deploy, "whoami | tr a-z A-Z; echo \"it's\"").stdout_text == "ROOT\nit's\n");
  // Exit status and stderr come back as the command left them.
  ExecResult failed = MustExec(*as_deploy, "echo out; echo err >&2; exit 3");
  CHECK(failed.exit_status == 3);
  CHECK(failed.stdout_text == "out\n");
  CHECK(failed.stderr_text == "err\n");
  CHECK(as_deploy->exec_count() == 3);
}

TEST_CASE("all commands of a transport share one SSH connection", "[ssh_transport]") {
  EnsureSandboxUp();
  auto transport = MustConnect(Pg1());
  // sshd sets SSH_CONNECTION per connection: client address and port.
  std::string first = MustExec(*transport, "echo $SSH_CONNECTION").stdout_text;
  std::string second = MustExec(*transport, "echo $SSH_CONNECTION").stdout_text;
  CHECK_FALSE(first.empty());
  CHECK(first == second);
}

TEST_CASE("transports of both hosts work from parallel threads", "[ssh_transport]") {
  EnsureSandboxUp();
  auto run = [](SshTarget target) -> std::string {
    Result<std::unique_ptr<SshTransport>> transport = SshTransport::Connect(target);
    if (!transport.ok()) return transport.status().message();
    Result<ExecResult> result = (*transport)->Exec("hostname", "", kTimeout);
    return result.ok() ? result->stdout_text : result.status().message();
  };
  auto pg1 = std::async(std::launch::async, run, Pg1());
  auto pg2 = std::async(std::launch::async, run, Target("pg2", "198.18.0.12"));
  CHECK(pg1.get() == "pg1\n");
  CHECK(pg2.get() == "pg2\n");
}

TEST_CASE("a host key other than the known one is refused with both fingerprints",
          "[ssh_transport]") {
  EnsureSandboxUp();
  TempDir dir;
  // known_hosts claims pg1 has the fixture's impostor key.
  const std::string impostor_text =
      ReadText(std::string(PGPAIR_SOURCE_DIR) + "/tests/fixtures/known_hosts/impostor_ed25519.pub");
  std::optional<HostKey> impostor = HostKey::FromText(impostor_text);
  REQUIRE(impostor.has_value());
  std::ofstream(dir.path + "/known_hosts") << "198.18.0.11 " << impostor_text;
  for (HostKeyPolicy policy : {HostKeyPolicy::kStrict, HostKeyPolicy::kAcceptNew}) {
    SshTarget target = Pg1();
    target.ssh.known_hosts = dir.path + "/known_hosts";
    target.ssh.host_key_policy = policy;
    Result<std::unique_ptr<SshTransport>> transport = SshTransport::Connect(target);
    REQUIRE_FALSE(transport.ok());
    const std::string message = transport.status().message();
    CHECK_THAT(message, Catch::StartsWith("pg1 (198.18.0.11): HOST KEY MISMATCH"));
    CHECK_THAT(message, Catch::Contains("expects ssh-ed25519 key " + impostor->Fingerprint()));
    CHECK_THAT(message, Catch::Contains("offered ssh-ed25519 key " + Pg1HostKey().Fingerprint()));
  }
}

TEST_CASE("an unknown host is refused under strict and added under accept-new", "[ssh_transport]") {
  EnsureSandboxUp();
  TempDir dir;
  SshTarget target = Pg1();
  target.ssh.known_hosts = dir.path + "/known_hosts";  // does not exist yet

  Result<std::unique_ptr<SshTransport>> strict = SshTransport::Connect(target);
  REQUIRE_FALSE(strict.ok());
  CHECK_THAT(strict.status().message(), Catch::StartsWith("pg1 (198.18.0.11): host key not known"));
  CHECK_THAT(strict.status().message(), Catch::Contains(Pg1HostKey().Fingerprint()));
  CHECK_THAT(strict.status().message(), Catch::Contains("ssh-keyscan -t ed25519 198.18.0.11"));
  CHECK(access(target.ssh.known_hosts.c_str(), F_OK) != 0);  // strict writes nothing

  target.ssh.host_key_policy = HostKeyPolicy::kAcceptNew;
  auto accepted = MustConnect(target);
  CHECK(MustExec(*accepted, "true").exit_status == 0);
  struct stat info {};
  REQUIRE(stat(target.ssh.known_hosts.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(CheckKnownHosts(target.ssh.known_hosts, "198.18.0.11", 22, Pg1HostKey())->status ==
        HostKeyStatus::kKnown);

  // Now known: strict accepts it too.
  target.ssh.host_key_policy = HostKeyPolicy::kStrict;
  MustConnect(target);
}

TEST_CASE("an RSA key is refused with the reason and the file", "[ssh_transport]") {
  EnsureSandboxUp();
  SshTarget target = Pg1();
  target.ssh.keys = {SandboxDir() + "/id_rsa"};
  Result<std::unique_ptr<SshTransport>> transport = SshTransport::Connect(target);
  REQUIRE_FALSE(transport.ok());
  const std::string message = transport.status().message();
  CHECK_THAT(message, Catch::StartsWith("pg1 (198.18.0.11): ssh login as root failed"));
  CHECK_THAT(message, Catch::Contains(SandboxDir() + "/id_rsa is an RSA key"));
  CHECK_THAT(message, Catch::Contains("OpenSSH 8.8 and later refuse"));
  CHECK_THAT(message, Catch::Contains("ssh-keygen -t ed25519"));
}

TEST_CASE("1 MB goes in and out, both ways at once, without a stall", "[ssh_transport]") {
  EnsureSandboxUp();
  std::string megabyte;
  for (int i = 0; i < (1 << 20); ++i) megabyte += static_cast<char>('a' + i % 26);
  for (const char* user : {"root", "deploy"}) {
    INFO("as " << user);
    auto transport = MustConnect(Pg1(user));
    CHECK(MustExec(*transport, "wc -c", megabyte).stdout_text == "1048576\n");
    CHECK(MustExec(*transport, "head -c 1048576 /dev/zero").stdout_text.size() == 1048576);
    // cat echoes while stdin still flows: both windows fill unless reads and
    // writes interleave.
    ExecResult echoed = MustExec(*transport, "cat; cat /dev/null >&2", megabyte);
    CHECK(echoed.stdout_text == megabyte);
    ExecResult both = MustExec(*transport, "tee /dev/stderr", megabyte);
    CHECK(both.stdout_text == megabyte);
    CHECK(both.stderr_text == megabyte);
    // A command that ignores its input still finishes.
    CHECK(MustExec(*transport, "echo done", megabyte).stdout_text == "done\n");
  }
}

TEST_CASE("a command past its timeout fails quickly, naming host and command", "[ssh_transport]") {
  EnsureSandboxUp();
  auto transport = MustConnect(Pg1("deploy"));
  Clock::time_point start = Clock::now();
  Result<ExecResult> result = transport->Exec("sleep 10", "", milliseconds(1000));
  milliseconds took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.status().message(), Catch::StartsWith("pg1 (198.18.0.11): `sleep`"));
  CHECK_THAT(result.status().message(), Catch::Contains("within 1 s"));
  CHECK(took < milliseconds(3000));
  // The connection survives the abandoned command.
  CHECK(MustExec(*transport, "echo still here").stdout_text == "still here\n");
}

TEST_CASE("a streaming command runs past its quiet limit while it reports, and ends when silent",
          "[ssh_transport]") {
  EnsureSandboxUp();
  auto transport = MustConnect(Pg1("deploy"));
  // Reports every 0.2 s for 4 s in all: four times its quiet limit of 1 s.
  std::string told;
  Result<ExecResult> reporting = transport->ExecStreaming(
      "i=0; while [ $i -lt 20 ]; do echo $i >&2; sleep 0.2; i=$((i+1)); done; echo done", "",
      milliseconds(1000), [&told](std::string_view piece) { told += piece; });
  INFO(reporting.status().message());
  REQUIRE(reporting.ok());
  CHECK(reporting->stdout_text == "done\n");
  CHECK_THAT(told, Catch::StartsWith("0\n1\n") && Catch::EndsWith("18\n19\n"));

  // Reports once, then falls silent: given up on, saying so.
  Result<ExecResult> stalled = transport->ExecStreaming(
      "echo started >&2; sleep 10", "", milliseconds(1000), [](std::string_view) {});
  REQUIRE_FALSE(stalled.ok());
  CHECK_THAT(stalled.status().message(), Catch::StartsWith("pg1 (198.18.0.11): `echo`") &&
                                             Catch::Contains("wrote nothing for 1 s"));
  CHECK(MustExec(*transport, "echo still here").stdout_text == "still here\n");
}

TEST_CASE("a connection that cannot be made fails within the connect timeout", "[ssh_transport]") {
  EnsureSandboxUp();
  // No host answers at this address on the sandbox's bridge.
  SshTarget target = Target("ghost", "198.18.0.250");
  target.ssh.connect_timeout_seconds = 1;
  Clock::time_point start = Clock::now();
  Result<std::unique_ptr<SshTransport>> transport = SshTransport::Connect(target);
  REQUIRE_FALSE(transport.ok());
  CHECK(Clock::now() - start < milliseconds(2500));
  CHECK_THAT(transport.status().message(),
             Catch::StartsWith("ghost (198.18.0.250): cannot connect to 198.18.0.250 port 22"));
}

TEST_CASE("WriteRemoteFileAtomic keeps owner and mode, ReadRemoteFile tells why it fails",
          "[remote_files]") {
  EnsureSandboxUp();
  auto transport = MustConnect(Pg1("deploy"));
  const std::string path = "/tmp/pgpair-it-atomic.conf";
  MustExec(*transport,
           "rm -f " + path + " && install -m 0640 -o postgres -g postgres /dev/null " + path);
  const std::string content = "password = 'not in argv'\n";
  Status written = WriteRemoteFileAtomic(*transport, path, content, {});
  INFO(written.message());
  REQUIRE(written.ok());
  CHECK(MustExec(*transport, "stat -c '%U:%G %a' " + path).stdout_text ==
        "postgres:postgres 640\n");
  CHECK(ReadRemoteFile(*transport, path).value() == content);
  // Nothing is left beside the target.
  CHECK(MustExec(*transport, "ls -a /tmp | grep -c pgpair-it-atomic").stdout_text == "1\n");

  Result<std::string> missing = ReadRemoteFile(*transport, "/tmp/pgpair-it-missing");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() ==
        "pg1 (198.18.0.11): /tmp/pgpair-it-missing cannot be read: it does not exist");
  // Without sudo, deploy may not read the file postgres keeps private.
  SshTarget plain = Pg1("deploy");
  plain.become = Become::kNone;
  auto unprivileged = MustConnect(plain);
  Result<std::string> denied = ReadRemoteFile(*unprivileged, path);
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.status().message() ==
        "pg1 (198.18.0.11): /tmp/pgpair-it-atomic.conf cannot be read: permission denied");
  MustExec(*transport, "rm -f " + path);
}

// Not run by default: `integration_tests "[.timing]" -s` prints how long a
// Connect plus one Exec takes, next to OpenSSH's `ssh HOST true`.
TEST_CASE("timing: Connect + Exec against ssh HOST true", "[.timing]") {
  EnsureSandboxUp();
  const int kRuns = 10;
  auto average = [](auto&& body) {
    Clock::time_point start = Clock::now();
    for (int i = 0; i < kRuns; ++i) body();
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count() / kRuns;
  };
  long pgpair = average([] {
    auto transport = MustConnect(Pg1());
    MustExec(*transport, "true");
  });
  auto ssh = [](const std::string& options) {
    return "ssh -i " + SandboxDir() + "/id_ed25519 -o UserKnownHostsFile=" + SandboxDir() +
           "/known_hosts -o BatchMode=yes -o IdentitiesOnly=yes " + options +
           " root@198.18.0.11 true";
  };
  long openssh = average([&] { REQUIRE(std::system(ssh("").c_str()) == 0); });
  long openssh_curve = average(
      [&] { REQUIRE(std::system(ssh("-o KexAlgorithms=curve25519-sha256").c_str()) == 0); });
  WARN("Connect + Exec(true): " << pgpair << " ms; ssh HOST true: " << openssh
                                << " ms; with curve25519-sha256: " << openssh_curve << " ms");
}

}  // namespace
}  // namespace pgpair
