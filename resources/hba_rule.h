#ifndef PGPAIR_RESOURCES_HBA_RULE_H_
#define PGPAIR_RESOURCES_HBA_RULE_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/facts/facts.h"
#include "engine/plan/resource.h"

namespace pgpair {

// The primary's pg_hba.conf rule that lets the standby's replication
// connections in: `host replication,postgres <role> <hba.address>
// <hba.method>`, and no line above it that would take those connections
// first (the first matching line wins). The `postgres` database admits
// pg_rewind's login, with which a former primary at the standby's address
// is rewound after a failover (resources/standby_rewind.h); pgpair's rule
// from before it (`host replication ...` alone) is updated. Address
// "hba_rule[<primary>/replication <role> <hba.address>]"; impact reload.
//
// Its apply edits the file only (an insertion before the shadowing line, an
// appended line, or the method of pgpair's own line replaced) and keeps
// owner and mode; the orchestrator reloads and reads pg_hba_file_rules back.
const Resource& HbaRuleResource();

// What an hba_rule change writes, and where.
struct HbaRuleDetails {
  enum class Placement { kAppend, kInsertBefore, kReplace };
  std::string file;     // the primary's pg_hba.conf
  std::string line;     // pgpair's rule
  std::string comment;  // the comment line written above an appended or inserted rule
  Placement placement = Placement::kAppend;
  // kInsertBefore, kReplace: the line it goes before or replaces, and that
  // line's text when planned (apply refuses if the file changed since).
  int line_number = 0;
  std::string expected_text;
  // {"file", "line", "comment", "placement": "append" | "insert_before" |
  // "replace", "line_number", "expected_text"} (the last two except for append)
  nlohmann::json ToJson() const;
};

enum class HbaMatch { kNo, kMaybe, kYes };

// The database pg_rewind logs in to on its source.
inline constexpr char kRewindDatabase[] = "postgres";

// What a connection asks for: physical replication, or a login to the
// database `name`.
struct HbaDatabase {
  bool replication = false;
  std::string name;
};

// Whether `line` takes a connection to `database` as `role` from `client`;
// MatchReplicationLogin below for replication, the same rules otherwise
// (`all`, the name, `sameuser`; samerole and @file are kMaybe).
HbaMatch MatchLogin(const HbaLineFact& line, const HbaDatabase& database, const std::string& role,
                    const std::string& client, std::optional<bool> server_ssl,
                    std::string* why = nullptr);

// Whether the first of `lines` (in any order; read by line number) that may
// take pg_rewind's login (database postgres, as `role`, from `client`)
// admits it with `method` and no options; `why` gets what the first such
// line does else, or that none matches.
bool AdmitsRewindLogin(std::vector<HbaLineFact> lines, const std::string& role,
                       const std::string& client, const std::string& method,
                       std::optional<bool> ssl, std::string* why);

// Whether the declared primary's pg_hba.conf admits pg_rewind's login from
// the standby's address once this plan's hba_rule change, if it has one, is
// made: the rewind of a former primary runs after the new primary's
// changes. `why` gets what stops it.
bool RewindLoginAdmittedAfterPlan(const PlanInput& input, std::string* why);

// Whether pg_hba.conf line `line` takes a physical replication connection
// logging in as `role` from the clients in `client` (a CIDR, "ADDR/BITS",
// or one address). kMaybe where it depends on what pgpair cannot see: SSL
// or GSSAPI encryption (`server_ssl` is the primary's ssl setting; off means
// no connection uses SSL), +group and @file membership, host names,
// samehost/samenet, an address range that only partly covers `client`.
// Names are read as the server reads them: only an unquoted `replication`
// matches a replication connection, and a quoted "all", "+group" or
// "@file" is a role's own name. Addresses are compared by
// HbaAddressCoverage (engine/facts/parsers/hba_address.h).
// `why` (when given) gets what the kMaybe depends on.
HbaMatch MatchReplicationLogin(const HbaLineFact& line, const std::string& role,
                               const std::string& client, std::optional<bool> server_ssl,
                               std::string* why = nullptr);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_HBA_RULE_H_
