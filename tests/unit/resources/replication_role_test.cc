#include "resources/replication_role.h"

#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include "engine/apply/scram.h"
#include "engine/facts/interpret.h"
#include "tests/unit/fakes/fake_transport.h"
#include "tests/unit/gathered_facts.h"
#include "tests/unit/resources/resource_support.h"

namespace pgpair {
namespace {

using testing::RequireDetails;

using testing::GatheredFacts;

// Never in a plan, an argv or an error message.
const char kPassword[] = "S3cr3t'Pa\\55";

Manifest PairManifest() {
  Manifest manifest = testing::SandboxPair();
  manifest.pair = "sandbox";
  ReplicationSpec replication;
  replication.role = "replicator";
  replication.password =
      SecretRef{"PGPAIR_REPLICATION_PASSWORD", std::nullopt, "replication.password", {}};
  replication.connection_limit = 5;
  manifest.replication = replication;
  HbaSpec hba;
  hba.address = "198.18.0.12/32";
  manifest.hba = hba;
  return manifest;
}

RoleFact Converged() {
  RoleFact role;
  role.name = "replicator";
  role.exists = true;
  role.can_login = true;
  role.replication = true;
  role.superuser = false;
  role.connection_limit = 5;
  role.has_password = true;
  role.password_kind = "scram-sha-256";
  return role;
}

HostFacts PrimaryWith(std::optional<std::vector<RoleFact>> roles) {
  HostFacts facts;
  facts.name = "pg1";
  facts.address = "198.18.0.11";
  facts.layout.bin_dir = "/usr/lib/postgresql/15/bin";
  facts.layout.port = 5432;
  facts.layout.socket_dir = "/var/run/postgresql";
  facts.roles = std::move(roles);
  return facts;
}

Plan DiffOf(const Manifest& manifest, const HostFacts& primary,
            std::optional<ReplicationLoginCheck> login_check = std::nullopt) {
  HostFacts standby;
  standby.name = "pg2";
  return testing::DiffResource(ReplicationRoleResource(), manifest, primary, standby,
                               std::move(login_check));
}

void CheckNoSecret(const Plan& plan) {
  auto clean = [](const std::string& text) {
    INFO(text);
    CHECK(text.find(kPassword) == std::string::npos);
    CHECK(text.find("SCRAM-SHA-256$") == std::string::npos);
  };
  for (const Change& change : plan.changes) {
    clean(change.address);
    clean(change.before.value_or(""));
    clean(change.after.value_or(""));
    clean(change.reason);
    clean(change.details ? change.details->ToJson().dump() : "");
  }
  for (const std::string& note : plan.notes) clean(note);
  for (const Blocker& blocker : plan.blockers) clean(blocker.message);
}

ReplicationLoginCheck Failed(std::string message) { return {false, std::move(message)}; }

TEST_CASE("replication_role: diff against hand-built facts", "[replication_role]") {
  const Manifest manifest = PairManifest();
  struct Case {
    const char* proves;
    std::optional<std::vector<RoleFact>> roles;
    std::optional<ReplicationLoginCheck> login_check;
    size_t changes;
    size_t notes;
  };
  RoleFact absent;
  absent.name = "replicator";
  absent.exists = false;
  RoleFact nologin = Converged();
  nologin.can_login = false;
  RoleFact no_password = Converged();
  no_password.has_password = false;
  no_password.password_kind.reset();
  RoleFact md5 = Converged();
  md5.password_kind = "md5";
  RoleFact unknown_exists;
  unknown_exists.name = "replicator";
  RoleFact other;  // another replication role: not ours to touch
  other = Converged();
  other.name = "barman";
  other.connection_limit = -1;

  const Case cases[] = {
      {"converged: nothing to do", std::vector<RoleFact>{Converged()}, std::nullopt, 0, 0},
      {"a successful login changes nothing", std::vector<RoleFact>{Converged()},
       ReplicationLoginCheck{true, ""}, 0, 0},
      {"missing role: create", std::vector<RoleFact>{absent}, std::nullopt, 1, 0},
      {"a role the known list lacks is absent: create", std::vector<RoleFact>{other}, std::nullopt,
       1, 0},
      {"wrong attribute: update", std::vector<RoleFact>{nologin}, std::nullopt, 1, 0},
      {"no password: update", std::vector<RoleFact>{no_password}, std::nullopt, 1, 0},
      {"md5-stored password under a scram-sha-256 rule: update", std::vector<RoleFact>{md5},
       std::nullopt, 1, 0},
      {"password refused: update", std::vector<RoleFact>{Converged()},
       Failed("connection to server at \"198.18.0.11\", port 5432 failed: FATAL:  password "
              "authentication failed for user \"replicator\""),
       1, 0},
      {"no pg_hba entry is not a password problem", std::vector<RoleFact>{Converged()},
       Failed("FATAL:  no pg_hba.conf entry for replication connection from host "
              "\"198.18.0.12\", user \"replicator\", no encryption"),
       0, 0},
      {"a reject line is not a password problem", std::vector<RoleFact>{Converged()},
       Failed("FATAL:  pg_hba.conf rejects replication connection for host \"198.18.0.12\""), 0, 0},
      {"a refused connection is not a password problem", std::vector<RoleFact>{Converged()},
       Failed("connection to server at \"198.18.0.11\", port 5432 failed: Connection refused"), 0,
       0},
      {"ident failing is not a password problem", std::vector<RoleFact>{Converged()},
       Failed("FATAL:  Ident authentication failed for user \"replicator\""), 0, 0},
      {"PAM checks a password pgpair does not set", std::vector<RoleFact>{Converged()},
       Failed("FATAL:  PAM authentication failed for user \"replicator\""), 0, 0},
      {"roles unknown (server down): note, no change", std::nullopt, std::nullopt, 0, 1},
      {"existence unknown: note, no change", std::vector<RoleFact>{unknown_exists}, std::nullopt, 0,
       1},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    Plan plan = DiffOf(manifest, PrimaryWith(c.roles), c.login_check);
    CHECK(plan.changes.size() == c.changes);
    CHECK(plan.notes.size() == c.notes);
    CHECK(plan.blockers.empty());
    for (const Change& change : plan.changes) {
      CHECK(change.resource == "replication_role");
      CHECK(change.address == "replication_role[pg1/replicator]");
      CHECK(change.host == "pg1");
      CHECK(change.impact == Impact::kNone);
    }
    CheckNoSecret(plan);
  }
}

TEST_CASE("replication_role: a missing role is created with a password", "[replication_role]") {
  RoleFact absent;
  absent.name = "replicator";
  absent.exists = false;
  Plan plan = DiffOf(PairManifest(), PrimaryWith(std::vector<RoleFact>{absent}));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.action == Action::kCreate);
  CHECK_FALSE(change.before.has_value());
  CHECK(change.after == "login, replication, connection limit 5; password: declared");
  CHECK(RequireDetails<ReplicationRoleDetails>(change).create);
  CHECK(RequireDetails<ReplicationRoleDetails>(change).set_password);
  CHECK(RequireDetails<ReplicationRoleDetails>(change).connection_limit == 5);
}

TEST_CASE("replication_role: attributes show before and after", "[replication_role]") {
  RoleFact role = Converged();
  role.can_login = false;
  role.replication = false;
  role.connection_limit = -1;
  Plan plan = DiffOf(PairManifest(), PrimaryWith(std::vector<RoleFact>{role}));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.action == Action::kUpdate);
  CHECK(change.before == "nologin, noreplication, no connection limit");
  CHECK(change.after == "login, replication, connection limit 5");
  CHECK_FALSE(RequireDetails<ReplicationRoleDetails>(change).create);
  // The password works: it is left alone.
  CHECK_FALSE(RequireDetails<ReplicationRoleDetails>(change).set_password);
  CHECK(change.reason.find("connection limit is no limit, the manifest says 5") !=
        std::string::npos);
}

TEST_CASE("replication_role: a refused password is set again", "[replication_role]") {
  Plan plan = DiffOf(PairManifest(), PrimaryWith(std::vector<RoleFact>{Converged()}),
                     Failed("FATAL:  password authentication failed for user \"replicator\""));
  REQUIRE(plan.changes.size() == 1);
  const Change& change = plan.changes[0];
  CHECK(change.action == Action::kUpdate);
  CHECK(change.reason ==
        "role replicator: the declared password was refused by the primary for a replication "
        "login from pg2 (198.18.0.12)");
  CHECK(change.before ==
        "login, replication, connection limit 5; password: scram-sha-256, "
        "refused");
  CHECK(change.after == "login, replication, connection limit 5; password: declared");
  CHECK(RequireDetails<ReplicationRoleDetails>(change).set_password);
}

TEST_CASE("replication_role: md5 is fine under an md5 rule", "[replication_role]") {
  Manifest manifest = PairManifest();
  manifest.hba->method = "md5";
  RoleFact md5 = Converged();
  md5.password_kind = "md5";
  CHECK(DiffOf(manifest, PrimaryWith(std::vector<RoleFact>{md5})).empty());
}

TEST_CASE("The role's SQL, created and altered", "[replication_role]") {
  const std::string quiet =
      "SET log_statement = 'none';\n"
      "SET log_min_error_statement = 'panic';\n"
      "SET log_min_duration_statement = -1;\n";
  CHECK(ReplicationRoleSql(true, "replicator", 5, std::string("SCRAM-SHA-256$4096:c2FsdA==$a:b")) ==
        quiet +
            "CREATE ROLE \"replicator\" WITH LOGIN REPLICATION CONNECTION LIMIT 5 PASSWORD "
            "'SCRAM-SHA-256$4096:c2FsdA==$a:b';\n");
  CHECK(ReplicationRoleSql(false, "we\"ird", -1, std::nullopt) ==
        quiet + "ALTER ROLE \"we\"\"ird\" WITH LOGIN REPLICATION CONNECTION LIMIT -1;\n");
}

struct ApplyFixture : testing::FakePair {
  ApplyFixture() {
    manifest = PairManifest();
    primary = PrimaryWith(std::vector<RoleFact>{});
    context.replication_password = kPassword;
  }
  Change PlannedChange(std::vector<RoleFact> roles) {
    primary.roles = std::move(roles);
    Plan plan;
    ReplicationRoleResource().Diff(input, &plan);
    REQUIRE(plan.changes.size() == 1);
    return plan.changes[0];
  }
};

// The verifier in `sql` checks out against `password`.
void CheckVerifierIn(const std::string& sql, const std::string& password) {
  size_t start = sql.find("PASSWORD 'SCRAM-SHA-256$4096:");
  REQUIRE(start != std::string::npos);
  start += 10;
  std::string verifier = sql.substr(start, sql.find('\'', start) - start);
  // Recompute with the salt it carries: only the right password gives it.
  std::string salt_b64 = verifier.substr(19, verifier.find('$', 19) - 19);
  std::string salt(salt_b64.size(), '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(&salt[0]),
                               reinterpret_cast<const unsigned char*>(salt_b64.data()),
                               static_cast<int>(salt_b64.size()));
  REQUIRE(length == 18);  // 16 bytes and two "=" of padding
  salt.resize(16);
  CHECK(ScramSha256Verifier(password, salt).value() == verifier);
}

TEST_CASE("replication_role apply: the password travels as a verifier on stdin",
          "[replication_role]") {
  ApplyFixture f;
  RoleFact absent;
  absent.name = "replicator";
  absent.exists = false;
  Change change = f.PlannedChange({absent});
  f.pg1.OnCommand("psql", FakeTransport::Stdout(""));
  REQUIRE(ReplicationRoleResource().Apply(change, f.context).ok());

  REQUIRE(f.pg1.calls().size() == 1);
  CHECK(f.pg2.calls().empty());
  const FakeTransport::Call& call = f.pg1.calls()[0];
  CHECK(call.command.find("runuser -u postgres -- /usr/lib/postgresql/15/bin/psql") !=
        std::string::npos);
  // Neither the password nor its verifier is in argv.
  CHECK(call.command.find(kPassword) == std::string::npos);
  CHECK(call.command.find("SCRAM") == std::string::npos);
  CHECK(call.command.find("replicator") == std::string::npos);
  // On stdin: the statement with the verifier, never the password itself.
  CHECK(call.stdin_data.find("CREATE ROLE \"replicator\" WITH LOGIN REPLICATION CONNECTION "
                             "LIMIT 5 PASSWORD 'SCRAM-SHA-256$4096:") != std::string::npos);
  CHECK(call.stdin_data.find(kPassword) == std::string::npos);
  CheckVerifierIn(call.stdin_data, kPassword);
}

TEST_CASE("replication_role apply: attributes alone leave the password", "[replication_role]") {
  ApplyFixture f;
  RoleFact role = Converged();
  role.connection_limit = 2;
  Change change = f.PlannedChange({role});
  f.pg1.OnCommand("psql", FakeTransport::Stdout(""));
  REQUIRE(ReplicationRoleResource().Apply(change, f.context).ok());
  REQUIRE(f.pg1.calls().size() == 1);
  CHECK(f.pg1.calls()[0].stdin_data.find(
            "ALTER ROLE \"replicator\" WITH LOGIN REPLICATION CONNECTION LIMIT 5;") !=
        std::string::npos);
  CHECK(f.pg1.calls()[0].stdin_data.find("PASSWORD") == std::string::npos);
}

// Answers psql with an error that quotes the statement, as psql does.
class EchoingTransport : public FakeTransport {
 public:
  using FakeTransport::FakeTransport;
  Result<ExecResult> Exec(const std::string& command, const std::string& stdin_data,
                          std::chrono::milliseconds timeout) override {
    (void)FakeTransport::Exec(command, stdin_data, timeout);
    return FakeTransport::Exit(3, "ERROR:  syntax error\nLINE 1: " + stdin_data);
  }
};

TEST_CASE("replication_role apply: failures name the role and keep secrets out",
          "[replication_role]") {
  ApplyFixture f;
  EchoingTransport echoing("pg1 (198.18.0.11)");
  f.context.primary = &echoing;
  RoleFact no_password = Converged();
  no_password.has_password = false;
  Change change = f.PlannedChange({no_password});
  Status status = ReplicationRoleResource().Apply(change, f.context);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message().find("replication_role[pg1/replicator]: ALTER ROLE failed: pg1 "
                              "(198.18.0.11): psql failed (exit 3)") != std::string::npos);
  CHECK(status.message().find("<verifier>") != std::string::npos);
  CHECK(status.message().find("SCRAM-SHA-256$") == std::string::npos);
  CHECK(status.message().find(kPassword) == std::string::npos);
}

TEST_CASE("replication_role apply: passwords SCRAM cannot take are refused before any SQL",
          "[replication_role]") {
  ApplyFixture f;
  RoleFact absent;
  absent.name = "replicator";
  absent.exists = false;
  Change change = f.PlannedChange({absent});

  f.context.replication_password = "pässword";
  Status non_ascii = ReplicationRoleResource().Apply(change, f.context);
  REQUIRE_FALSE(non_ascii.ok());
  CHECK(non_ascii.message().find("non-ASCII") != std::string::npos);
  CHECK(non_ascii.message().find("pässword") == std::string::npos);

  f.context.replication_password.clear();
  CHECK_FALSE(ReplicationRoleResource().Apply(change, f.context).ok());
  CHECK(f.pg1.calls().empty());
}

TEST_CASE("replication_role: real facts of a fresh Debian cluster", "[replication_role]") {
  Plan running = DiffOf(PairManifest(), GatheredFacts("gather/pg15_debian_running.txt"));
  REQUIRE(running.changes.size() == 1);
  CHECK(running.changes[0].action == Action::kCreate);
  // Stopped: the roles cannot be read, which is not the same as absent.
  Plan stopped = DiffOf(PairManifest(), GatheredFacts("gather/pg15_debian_stopped.txt"));
  CHECK(stopped.changes.empty());
  CHECK(stopped.notes.size() == 1);
}

}  // namespace
}  // namespace pgpair
