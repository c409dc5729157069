#ifndef PGPAIR_ENGINE_FACTS_PARSERS_APPLY_HOLDER_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_APPLY_HOLDER_H_

#include <string>
#include <string_view>

#include "engine/facts/facts.h"
#include "engine/util/status.h"

namespace pgpair {

// Parses the record of who holds pgpair's apply lock on a host, as the lease
// script (engine/apply/apply_lease.sh) writes it to its holder file and
// prints it when it refuses: key=value fields, one a line or separated by
// tabs (pair, user, machine, pid, since, lease_pid, lease_start).
// lease_start is for the scripts, which compare it with the kernel's start
// time of lease_pid; it is not kept. Unknown keys are skipped (a newer
// pgpair may write more), and so is a pid that is not a number. Fails when
// the text holds none of the known keys.
Result<ApplyHolderFact> ParseApplyHolder(std::string_view text);

// How messages name the holder:
// "user root on machine ctl1, pid 4242, since 2026-12-01T11:02:03Z (pair sandbox)";
// a field that is unknown is left out.
std::string DescribeApplyHolder(const ApplyHolderFact& holder);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_APPLY_HOLDER_H_
