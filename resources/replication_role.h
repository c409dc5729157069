#ifndef PGPAIR_RESOURCES_REPLICATION_ROLE_H_
#define PGPAIR_RESOURCES_REPLICATION_ROLE_H_

#include <optional>
#include <string>

#include "engine/plan/resource.h"

namespace pgpair {

// The role the standby logs in as, on the primary: it exists with LOGIN,
// REPLICATION, the declared CONNECTION LIMIT and a password the primary
// accepts. Address "replication_role[<primary>/<role>]"; impact none.
// From PostgreSQL 11 it may also execute the four file functions pg_rewind
// calls on its source (RewindFunctionsSql), so that a former primary can be
// rewound from this one after a failover (resources/standby_rewind.h); on 10
// pg_rewind needs a superuser, and pgpair rejoins by a new clone instead.
//
// The password is set as a SCRAM-SHA-256 verifier computed here (see
// engine/apply/scram.h), on psql's standard input: the plain password never
// reaches the server, its log or any argv. Neither it nor the verifier is
// ever in the plan.
const Resource& ReplicationRoleResource();

// What a replication_role change runs on the primary.
struct ReplicationRoleDetails {
  std::string role;
  int connection_limit = -1;
  bool create = false;        // CREATE ROLE, else ALTER ROLE
  bool set_password = false;  // from replication.password, as a SCRAM verifier
  bool grant_rewind = false;  // GRANT EXECUTE on pg_rewind's file functions (11+)
  // {"role", "connection_limit", "statement": "create" | "alter", "set_password",
  //  "grant_rewind"}
  nlohmann::json ToJson() const;
};

// The SQL that apply sends to create (`create`) or alter the role: session
// settings that keep the statement out of the server log, then one
// CREATE ROLE / ALTER ROLE ... WITH LOGIN REPLICATION CONNECTION LIMIT n
// [PASSWORD '<verifier>'], and with `grant_rewind` RewindFunctionsSql.
std::string ReplicationRoleSql(bool create, const std::string& role, int connection_limit,
                               const std::optional<std::string>& verifier,
                               bool grant_rewind = false);

// GRANT EXECUTE to `role` on pg_ls_dir(text, boolean, boolean),
// pg_stat_file(text, boolean) and both pg_read_binary_file forms: what
// pg_rewind's documentation asks of a source login that is no superuser.
std::string RewindFunctionsSql(const std::string& role);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_REPLICATION_ROLE_H_
