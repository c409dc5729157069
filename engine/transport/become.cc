#include "engine/transport/become.h"

#include "engine/util/shell_quote.h"

namespace pgpair {
namespace {

bool Contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

bool UsesSudo(Become become, const std::string& login_user) {
  return become == Become::kSudo && login_user != "root";
}

std::string BecomeCommand(const std::string& command, Become become,
                          const std::string& login_user) {
  if (!UsesSudo(become, login_user)) return command;
  // An explicit shell keeps pipes, redirections and `cd` inside the command
  // running as root, not half of them as the login user.
  return "sudo -n -- /bin/sh -c " + ShellQuote(command);
}

Status CheckSudoRefusal(const ExecResult& result, Become become, const std::string& login_user,
                        const std::string& label) {
  if (!UsesSudo(become, login_user)) return Status::Ok();
  const std::string& err = result.stderr_text;
  // sudo exits 1 when it refuses; the command's own failures rarely print
  // these exact sudo messages, so both must hold.
  if (result.exit_status == 1) {
    if (Contains(err, "sudo: a password is required") ||
        Contains(err, "sudo: a terminal is required")) {
      return Status::Error(label + ": sudo needs a password for user " + login_user +
                           "; pgpair needs passwordless sudo (NOPASSWD) or an ssh login as root");
    }
    if (Contains(err, "is not in the sudoers file") || Contains(err, "is not allowed to execute")) {
      return Status::Error(label + ": sudo refuses user " + login_user +
                           "; pgpair needs passwordless sudo (NOPASSWD) for it, or an ssh login "
                           "as root");
    }
  }
  if (result.exit_status == 127 &&
      (Contains(err, "sudo: not found") || Contains(err, "sudo: command not found"))) {
    return Status::Error(label + ": sudo is not installed, but user " + login_user +
                         " is not root; install sudo or log in as root");
  }
  return Status::Ok();
}

}  // namespace pgpair
