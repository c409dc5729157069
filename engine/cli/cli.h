#ifndef PGPAIR_ENGINE_CLI_CLI_H_
#define PGPAIR_ENGINE_CLI_CLI_H_

namespace pgpair {

// Exit statuses shared by every command.
inline constexpr int kExitOk = 0;     // done; for plan and check: nothing to change
inline constexpr int kExitError = 1;  // something failed; the message says what
inline constexpr int kExitDrift = 2;  // plan/check: changes are needed

// Parses the command line and runs the command. Returns the exit status.
int RunCli(int argc, char** argv);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_CLI_H_
