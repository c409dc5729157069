#ifndef PGPAIR_ENGINE_TRANSPORT_BECOME_H_
#define PGPAIR_ENGINE_TRANSPORT_BECOME_H_

#include <string>

#include "engine/manifest/manifest.h"
#include "engine/transport/transport.h"
#include "engine/util/status.h"

namespace pgpair {

// Whether commands for a login as `login_user` go through sudo: only with
// Become::kSudo and a login other than root.
bool UsesSudo(Become become, const std::string& login_user);

// The command line that runs `command` with administrative rights:
// `sudo -n -- /bin/sh -c '<command>'` when UsesSudo, else `command` itself.
// -n makes sudo fail instead of waiting for a password nobody will type.
std::string BecomeCommand(const std::string& command, Become become, const std::string& login_user);

// An error when `result` is sudo refusing to run the command (a password is
// required, the user may not run it, sudo is missing), naming `label`, the
// user and the fix. Ok for any result of the command itself, and always ok
// when sudo was not used.
Status CheckSudoRefusal(const ExecResult& result, Become become, const std::string& login_user,
                        const std::string& label);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_BECOME_H_
