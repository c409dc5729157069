#ifndef PGPAIR_RESOURCES_REPLICATION_ROLE_H_
#define PGPAIR_RESOURCES_REPLICATION_ROLE_H_

#include <optional>
#include <string>

#include "engine/plan/resource.h"

namespace pgpair {

// The role the standby logs in as, on the primary: it exists with LOGIN,
// REPLICATION, the declared CONNECTION LIMIT and a password the primary
// accepts. Address "replication_role[<primary>/<role>]"; impact none.
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
  // {"role", "connection_limit", "statement": "create" | "alter", "set_password"}
  nlohmann::json ToJson() const;
};

// The SQL that apply sends to create (`create`) or alter the role: session
// settings that keep the statement out of the server log, then one
// CREATE ROLE / ALTER ROLE ... WITH LOGIN REPLICATION CONNECTION LIMIT n
// [PASSWORD '<verifier>'].
std::string ReplicationRoleSql(bool create, const std::string& role, int connection_limit,
                               const std::optional<std::string>& verifier);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_REPLICATION_ROLE_H_
