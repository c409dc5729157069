#ifndef PGPAIR_ENGINE_FACTS_GATHER_SCRIPT_H_
#define PGPAIR_ENGINE_FACTS_GATHER_SCRIPT_H_

#include <map>
#include <optional>
#include <string>

#include "engine/manifest/manifest.h"

namespace pgpair {

// What the gather script is asked to look at on a host, beyond the layout.
struct GatherRequest {
  std::string replication_role;  // may be empty
  std::string archive_dir;       // may be empty
};

// How to run engine/facts/gather.sh, which reads every raw fact of a host in
// one pass: `script` goes to the stdin of `command`, which passes the values
// as the script's arguments (each through ShellQuote). On stdin rather than
// in `sh -c`, the 17 kB script stays out of ps and of sudo's log.
struct GatherCall {
  std::string command;  // /bin/sh -s -- MARK CLUSTER PORT ... (gather.sh's twelve)
  std::string script;   // gather.sh itself, with nothing pasted into it
};

// The call for `host`: its layout overrides from the manifest, `request`, and
// `mark`, which frames the output's sections and must not occur in any file
// the script reads (use NewGatherMark()).
GatherCall BuildGatherCall(const HostSpec& host, const GatherRequest& request,
                           const std::string& mark);

// A marker that no configuration file will contain by accident.
std::string NewGatherMark();

// One section of the script's output.
struct GatherSection {
  std::string out;
  std::string err;
  int exit_status = -1;
};
// Sections by name ("uname", "sql", "file /etc/postgresql/15/main/pg_hba.conf", ...).
using GatherSections = std::map<std::string, GatherSection>;

// Splits the script's output into sections. A section cut short (the script
// died) is an error that names it.
Result<GatherSections> ParseGatherOutput(const std::string& output, const std::string& mark);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_GATHER_SCRIPT_H_
