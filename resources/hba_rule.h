#ifndef PGPAIR_RESOURCES_HBA_RULE_H_
#define PGPAIR_RESOURCES_HBA_RULE_H_

#include <optional>
#include <string>

#include "engine/facts/facts.h"
#include "engine/plan/resource.h"

namespace pgpair {

// The primary's pg_hba.conf rule that lets the standby's replication
// connections in: `host replication <role> <hba.address> <hba.method>`, and
// no line above it that would take those connections first (the first
// matching line wins). Address
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

// Whether pg_hba.conf line `line` takes a physical replication connection
// logging in as `role` from the clients in `client` (a CIDR, "ADDR/BITS",
// or one address). kMaybe where it depends on what pgpair cannot see: SSL
// or GSSAPI encryption (`server_ssl` is the primary's ssl setting; off means
// no connection uses SSL), +group and @file membership, host names,
// samehost/samenet, an address range that only partly covers `client`.
// `why` (when given) gets what the kMaybe depends on.
HbaMatch MatchReplicationLogin(const HbaLineFact& line, const std::string& role,
                               const std::string& client, std::optional<bool> server_ssl,
                               std::string* why = nullptr);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_HBA_RULE_H_
