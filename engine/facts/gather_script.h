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

// Returns the shell script that reads every raw fact of `host` in one pass
// (engine/facts/gather.sh behind a prologue of quoted variables). `mark` frames
// the output's sections and must not occur in any file the script reads: use
// NewGatherMark().
std::string BuildGatherScript(const HostSpec& host, const GatherRequest& request,
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
