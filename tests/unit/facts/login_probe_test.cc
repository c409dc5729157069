#include "engine/facts/login_probe.h"

#include <catch2/catch.hpp>

#include "engine/facts/parsers/conninfo.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

TEST_CASE("The check's conninfo names the tunnel, the role and a replication login",
          "[login_probe]") {
  CHECK(ReplicationCheckConninfo(40001, "replicator", "s3cret") ==
        "host=127.0.0.1 port=40001 user=replicator password=s3cret dbname=replication "
        "replication=true connect_timeout=10 application_name='pgpair-check' sslmode=disable "
        "passfile='/dev/null/pgpass'");
}

TEST_CASE("The check's conninfo quotes values as libpq reads them", "[login_probe]") {
  struct Case {
    const char* role;
    const char* password;
    const char* quoted_password;  // as it must appear in the string
  };
  const Case kCases[] = {
      // A quote and a backslash are escaped with a backslash inside quotes.
      {"replicator", "it's a \\ test", "password='it\\'s a \\\\ test'"},
      // Blanks and '=' would end or split a bare value.
      {"replicator", "a b=c\td", "password='a b=c\td'"},
      // An empty value must still be a value, not swallow the next key.
      {"replicator", "", "password=''"},
      // A password that looks like more keys stays one value.
      {"replicator", "x' host='evil", "password='x\\' host=\\'evil'"},
      // Non-ASCII bytes pass through inside quotes.
      {"réplicateur", "pässwörd", "password='pässwörd'"},
  };
  for (const Case& c : kCases) {
    INFO("role " << c.role << ", password " << c.password);
    std::string conninfo = ReplicationCheckConninfo(5432, c.role, c.password);
    CHECK_THAT(conninfo, Catch::Contains(c.quoted_password));
    // libpq's own parsing (as ParseConninfo mirrors it) gives the values back.
    Result<ConninfoPairs> pairs = ParseConninfo(conninfo);
    REQUIRE(pairs.ok());
    REQUIRE(pairs->size() == 10);
    CHECK((*pairs)[2] == std::make_pair(std::string("user"), std::string(c.role)));
    CHECK((*pairs)[3] == std::make_pair(std::string("password"), std::string(c.password)));
    CHECK((*pairs)[5] == std::make_pair(std::string("replication"), std::string("true")));
  }
}

TEST_CASE("IsPasswordRefusal tells a refused password from other failures", "[login_probe]") {
  struct Case {
    const char* message;
    bool password_refused;
  };
  const Case kCases[] = {
      // scram-sha-256, md5 and password rules all say this (PG 15, captured
      // in tests/integration/tunnel_test.cc); also for a role that does not
      // exist, so as not to reveal which roles do.
      {"FATAL:  password authentication failed for user \"tunneltest\"", true},
      // External checks of a password kept outside PostgreSQL: setting the
      // role's password again cannot help, so the plan must not propose it.
      {"FATAL:  PAM authentication failed for user \"replicator\"", false},
      {"FATAL:  LDAP authentication failed for user \"replicator\"", false},
      {"FATAL:  RADIUS authentication failed for user \"replicator\"", false},
      {"FATAL:  BSD authentication failed for user \"replicator\"", false},
      // No rule matches: pg_hba.conf must change, not the password.
      {"FATAL:  no pg_hba.conf entry for replication connection from host \"198.18.0.12\", "
       "user \"tunneltest\", no encryption",
       false},
      // A reject rule matched.
      {"FATAL:  pg_hba.conf rejects replication connection for host \"198.18.0.12\", user "
       "\"tunneltest\", no encryption",
       false},
      // Methods that check no password.
      {"FATAL:  Ident authentication failed for user \"replicator\"", false},
      {"FATAL:  certificate authentication failed for user \"replicator\"", false},
      {"FATAL:  GSSAPI authentication failed for user \"replicator\"", false},
      // The password was right; the role may not do this.
      {"FATAL:  role \"tunneltest\" is not permitted to log in", false},
      {"FATAL:  must be superuser or replication role to start walsender", false},
      // The client had no password to give.
      {"fe_sendauth: no password supplied", false},
      // The network path, not the login.
      {"pg2 (198.18.0.12): cannot open a tunnel to 198.18.0.11:5432: the host could not connect "
       "there (Channel open failure (connect failed)): is a server listening on that address and "
       "port, and may the host reach it?",
       false},
      {"", false},
  };
  for (const Case& c : kCases) {
    INFO(c.message);
    CHECK(IsPasswordRefusal(c.message) == c.password_refused);
  }
}

TEST_CASE("LoginFailureMessage keeps the server's words and drops the tunnel's address",
          "[login_probe]") {
  // libpq 15's message for a refused password, as pqxx::broken_connection
  // carries it.
  CHECK(LoginFailureMessage("connection to server at \"127.0.0.1\", port 41234 failed: FATAL:  "
                            "password authentication failed for user \"tunneltest\"\n",
                            "s3cret") ==
        "FATAL:  password authentication failed for user \"tunneltest\"");
  // Each attempt has its prefix.
  CHECK(LoginFailureMessage("connection to server at \"127.0.0.1\", port 1 failed: first\n"
                            "connection to server at \"127.0.0.1\", port 1 failed: second\n",
                            "s3cret") == "first\nsecond");
  // A message without the prefix is kept as it is, less trailing blanks.
  CHECK(LoginFailureMessage("fe_sendauth: no password supplied\n", "s3cret") ==
        "fe_sendauth: no password supplied");
  // The password never comes back, should anything echo it.
  CHECK(LoginFailureMessage("FATAL:  odd server echoing s3cret twice: s3cret", "s3cret") ==
        "FATAL:  odd server echoing ******** twice: ********");
  CHECK(LoginFailureMessage("FATAL:  nothing to hide", "") == "FATAL:  nothing to hide");
}

// The standby's connection, refusing every tunnel the way SshTransport does
// when the host cannot reach the destination, and noting where it was asked
// to go.
class RefusingTunnels : public FakeTransport {
 public:
  using FakeTransport::FakeTransport;
  Result<std::unique_ptr<Tunnel>> OpenTunnel(const std::string& remote_host,
                                             int remote_port) override {
    asked.push_back(remote_host + ":" + std::to_string(remote_port));
    return Status::Error(host_label() + ": cannot open a tunnel to " + asked.back() +
                         ": the host could not connect there");
  }
  std::vector<std::string> asked;
};

TEST_CASE("The probe goes from the standby to the manifest's primary address and its port",
          "[login_probe]") {
  Manifest manifest = testing::SandboxPair();
  manifest.replication = ReplicationSpec();
  HostFacts primary;
  primary.address = "10.9.9.9";  // what the facts say is not where the standby connects
  primary.layout.port = 5433;
  RefusingTunnels pg2("pg2 (198.18.0.12)");
  ReplicationLoginCheck check = ProbeReplicationLogin(pg2, manifest, primary, "s3cret");
  CHECK(pg2.asked == std::vector<std::string>{"198.18.0.11:5433"});
  // The tunnel's own error is the probe's answer: a network problem, not a
  // refused password, and it names the host it came from.
  CHECK_FALSE(check.succeeded);
  CHECK(check.message ==
        "pg2 (198.18.0.12): cannot open a tunnel to 198.18.0.11:5433: the host could not "
        "connect there");
  CHECK_FALSE(IsPasswordRefusal(check.message));
  // No command runs on the standby: the probe needs only the tunnel.
  CHECK(pg2.exec_count() == 0);

  primary.layout.port.reset();
  ProbeReplicationLogin(pg2, manifest, primary, "s3cret");
  CHECK(pg2.asked.back() == "198.18.0.11:5432");
}

TEST_CASE("A connection that cannot forward ports says so, naming the host", "[login_probe]") {
  FakeTransport pg2("pg2 (198.18.0.12)");
  ReplicationLoginCheck check =
      CheckReplicationLogin(pg2, "198.18.0.11", 5432, "replicator", "s3cret");
  CHECK_FALSE(check.succeeded);
  CHECK(check.message ==
        "pg2 (198.18.0.12): cannot open a tunnel to 198.18.0.11:5432: this connection cannot "
        "forward ports");
}

}  // namespace
}  // namespace pgpair
