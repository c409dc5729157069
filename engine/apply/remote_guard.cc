#include "engine/apply/remote_guard.h"

#include "engine/apply/remote_guard.sh.inc"
#include "engine/util/shell_quote.h"

namespace pgpair {

std::string GuardedCommand(const std::string& command, std::optional<int> lease_pid) {
  if (!lease_pid) return command;
  // $0 names the guard in ps and in the shell's own messages.
  return ScriptCommand(kRemoteGuardScript, "pgpair-remote-guard",
                       {std::to_string(*lease_pid), command});
}

}  // namespace pgpair
