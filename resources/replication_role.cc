#include "resources/replication_role.h"

#include <string>
#include <vector>

#include "engine/apply/remote_sql.h"
#include "engine/apply/scram.h"
#include "engine/facts/login_probe.h"
#include "engine/util/sql_quote.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

constexpr char kKind[] = "replication_role";

std::string DescribeAttributes(bool login, bool replication, int connection_limit) {
  return std::string(login ? "login" : "nologin") + ", " +
         (replication ? "replication" : "noreplication") + ", " +
         (connection_limit < 0 ? std::string("no connection limit")
                               : "connection limit " + std::to_string(connection_limit));
}

std::string DescribeLimit(int connection_limit) {
  return connection_limit < 0 ? "no limit" : std::to_string(connection_limit);
}

// Replaces every occurrence of `secret` in `text`, so that an error message
// that quotes the statement (psql's "LINE 1: ...") does not carry it on.
std::string Redact(std::string text, const std::string& secret, const std::string& mark) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), mark);
    at += mark.size();
  }
  return text;
}

class ReplicationRole final : public TypedResource<ReplicationRoleDetails> {
 public:
  const char* kind() const override { return kKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    const Manifest& manifest = *input.manifest;
    if (!manifest.replication) return;
    const ReplicationSpec& spec = *manifest.replication;
    const HostSpec& primary_host = manifest.primary_host();
    const std::string address = std::string(kKind) + "[" + manifest.primary + "/" + spec.role + "]";

    const HostFacts* facts = input.primary;
    if (facts == nullptr || !facts->roles) {
      if (facts != nullptr && facts->server.running == false) {
        plan->notes.push_back(address + ": the role waits: " + primary_host.label() +
                              "'s server is stopped; apply starts it first and then checks "
                              "the role");
        plan->deferred.push_back(address);
        return;
      }
      plan->notes.push_back(address + ": the roles on " + primary_host.label() +
                            " are unknown (the server could not be queried); the role is "
                            "checked once they can be read");
      return;
    }

    Change change;
    change.address = address;
    change.host = manifest.primary;
    change.impact = Impact::kNone;
    change.writes_on_primary = true;
    ReplicationRoleDetails details{spec.role, spec.connection_limit, false, false, false};
    // pg_rewind on 10 logs in as a superuser only; pgpair does not make one.
    const bool rewind_grants_apply = facts->server.major.value_or(0) >= 11;
    const std::string desired =
        DescribeAttributes(true, true, spec.connection_limit) + "; password: declared";

    // The gatherer lists the declared role whenever it exists, so a role the
    // known list lacks is absent.
    const RoleFact* role = facts->FindRole(spec.role);
    if (role == nullptr || role->exists == false) {
      change.action = Action::kCreate;
      change.after = desired;
      change.reason = "role " + spec.role + " does not exist on " + primary_host.label() +
                      "; the standby logs in with it";
      details.create = true;
      details.set_password = true;
      details.grant_rewind = rewind_grants_apply;
      if (rewind_grants_apply)
        change.after = *change.after + "; may run pg_rewind's file functions";
      plan->changes.push_back(Attach(std::move(change), details));
      return;
    }
    if (!role->exists || !role->can_login || !role->replication || !role->connection_limit ||
        !role->has_password) {
      plan->notes.push_back(address + ": the attributes of role " + spec.role + " on " +
                            primary_host.label() +
                            " could not all be read; the role is not checked");
      return;
    }

    std::vector<std::string> reasons;
    bool attributes_differ = false;
    if (!*role->can_login) reasons.push_back("it cannot log in");
    if (!*role->replication) reasons.push_back("it lacks the REPLICATION attribute");
    if (*role->connection_limit != spec.connection_limit) {
      reasons.push_back("its connection limit is " + DescribeLimit(*role->connection_limit) +
                        ", the manifest says " + DescribeLimit(spec.connection_limit));
    }
    attributes_differ = !reasons.empty();

    bool set_password = false;
    std::string password_before;
    if (!*role->has_password) {
      set_password = true;
      password_before = "none";
      reasons.push_back("it has no password");
    } else {
      password_before = role->password_kind.value_or("set");
      if (role->password_kind == std::string("md5") && manifest.hba &&
          manifest.hba->method == "scram-sha-256") {
        // A scram-sha-256 hba line cannot check an md5-stored password.
        set_password = true;
        reasons.push_back(
            "its password is stored as md5, which the declared scram-sha-256 "
            "pg_hba rule cannot check");
      }
      if (input.login_check && !input.login_check->succeeded &&
          IsPasswordRefusal(input.login_check->message)) {
        const HostSpec& standby = manifest.standby_host();
        if (!set_password) password_before += ", refused";
        set_password = true;
        reasons.push_back(
            "the declared password was refused by the primary for a replication "
            "login from " +
            standby.label());
      }
    }
    const bool grant_rewind = rewind_grants_apply && role->rewind_functions == false;
    if (grant_rewind) {
      reasons.push_back(
          "it may not execute the file functions pg_rewind reads its source with, so a former "
          "primary could not be rewound from " +
          primary_host.label() + " after a failover (only cloned again)");
    }
    if (!attributes_differ && !set_password && !grant_rewind) return;

    change.action = Action::kUpdate;
    std::string before =
        DescribeAttributes(*role->can_login, *role->replication, *role->connection_limit);
    std::string after = DescribeAttributes(true, true, spec.connection_limit);
    if (set_password) {
      before += "; password: " + password_before;
      after += "; password: declared";
    }
    if (grant_rewind) {
      before += "; pg_rewind's file functions: not granted";
      after += "; pg_rewind's file functions: granted";
    }
    change.before = before;
    change.after = after;
    change.reason = "role " + spec.role + ": " + Join(reasons, "; ");
    details.set_password = set_password;
    details.grant_rewind = grant_rewind;
    plan->changes.push_back(Attach(std::move(change), details));
  }

  Status Perform(const Change& change, const ReplicationRoleDetails& details,
                 ApplyContext& context) const override {
    const HostSpec* host = context.manifest->FindHost(change.host);
    if (host == nullptr) return Status::Error(change.address + ": unknown host " + change.host);
    const std::string label = host->label();
    const std::string& role = details.role;
    const bool create = details.create;

    std::optional<std::string> verifier;
    if (details.set_password) {
      if (context.replication_password.empty()) {
        return Status::Error(label + ": " + change.address +
                             ": replication.password was not resolved; the role is unchanged");
      }
      Result<std::string> computed = ScramSha256Verifier(context.replication_password);
      if (!computed.ok()) {
        return Status::Error(label + ": " + change.address + ": replication.password: " +
                             computed.status().message() + "; the role is unchanged");
      }
      verifier = *computed;
    }

    if (context.progress) {
      context.progress((create ? "creating role " : "altering role ") + role + " on " + label);
    }
    Transport& transport = context.For(change.host);
    Result<std::string> run = RunRemoteSql(
        transport, *host, context.FactsFor(change.host),
        ReplicationRoleSql(create, role, details.connection_limit, verifier, details.grant_rewind));
    if (!run.ok()) {
      std::string message = Redact(run.status().message(), verifier.value_or(""), "<verifier>");
      return Status::Error(change.address + ": " + (create ? "CREATE" : "ALTER") +
                           " ROLE failed: " + message);
    }
    return Status::Ok();
  }
};

}  // namespace

nlohmann::json ReplicationRoleDetails::ToJson() const {
  return {{"role", role},
          {"connection_limit", connection_limit},
          {"statement", create ? "create" : "alter"},
          {"set_password", set_password},
          {"grant_rewind", grant_rewind}};
}

std::string ReplicationRoleSql(bool create, const std::string& role, int connection_limit,
                               const std::optional<std::string>& verifier, bool grant_rewind) {
  // The verifier is not the password, but it allows an offline guessing
  // attack: keep the statement out of the server log, also on error.
  std::string sql =
      "SET log_statement = 'none';\n"
      "SET log_min_error_statement = 'panic';\n"
      "SET log_min_duration_statement = -1;\n";
  sql += create ? "CREATE ROLE " : "ALTER ROLE ";
  sql += QuoteSqlIdentifier(role) + " WITH LOGIN REPLICATION CONNECTION LIMIT " +
         std::to_string(connection_limit);
  if (verifier) sql += " PASSWORD " + QuoteSqlLiteral(*verifier);
  sql += ";\n";
  if (grant_rewind) sql += RewindFunctionsSql(role);
  return sql;
}

std::string RewindFunctionsSql(const std::string& role) {
  static const char* const kFunctions[] = {
      "pg_catalog.pg_ls_dir(text, boolean, boolean)",
      "pg_catalog.pg_stat_file(text, boolean)",
      "pg_catalog.pg_read_binary_file(text)",
      "pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)",
  };
  std::string sql;
  for (const char* function : kFunctions) {
    sql += std::string("GRANT EXECUTE ON FUNCTION ") + function + " TO " +
           QuoteSqlIdentifier(role) + ";\n";
  }
  return sql;
}

const Resource& ReplicationRoleResource() {
  static const ReplicationRole resource;
  return resource;
}

}  // namespace pgpair
