#ifndef PGPAIR_ENGINE_TRANSPORT_SSH_AUTH_H_
#define PGPAIR_ENGINE_TRANSPORT_SSH_AUTH_H_

#include <libssh2.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/manifest/manifest.h"
#include "engine/util/status.h"

namespace pgpair {

// What a private key file tells about itself without being decrypted.
struct KeyFileInfo {
  std::string type;  // "ssh-ed25519", "ssh-rsa", "ecdsa", ...; empty when unknown
  bool encrypted = false;
};

// Reads the key type from the .pub text when given ("ssh-rsa AAAA... c"), else
// from the private key's PEM header or openssh-key-v1 public section.
KeyFileInfo InspectKeyFile(const std::string& private_key_text, const std::string& public_key_text);

// What is wrong with a private key file owned by `owner` with `mode`, for
// `user` (the user running pgpair) to log in with: the owner must be `user`
// or root, and group and others must have no access at all (as OpenSSH
// requires). Empty when nothing is; else the reason and the fix
// ("chmod 600 PATH").
std::string KeyFilePermissionProblem(const std::string& path, uid_t owner, mode_t mode, uid_t user);

// The private key file `path`: a regular file that passes
// KeyFilePermissionProblem for the user running pgpair, read whole (keys are
// small: more than 1 MiB is refused). The error says what is wrong and how
// to fix it, without the "key PATH" prefix.
Result<std::string> ReadPrivateKeyFile(const std::string& path);

// Why an RSA key is refused by current servers.
extern const char kRsaRefusedExplanation[];

// One login method tried, for the final error message.
struct AuthAttempt {
  std::string method;   // "key /root/.ssh/id_rsa (ssh-rsa)", "ssh-agent"
  std::string outcome;  // "refused by the server", "no identities", ...
  // Set when the server refused an RSA key: the file or agent identity to
  // name in the RSA explanation.
  std::string refused_rsa_key;
};

// "<label>: ssh login as <user> failed; tried: ..." plus, for each refused
// RSA key, kRsaRefusedExplanation naming it.
std::string AuthFailureMessage(const std::string& label, const std::string& user,
                               const std::vector<AuthAttempt>& attempts);

// Logs `session` (handshaken, blocking mode) in as ssh.user: with each
// ssh-agent identity when ssh.use_agent and SSH_AUTH_SOCK is set, then with
// each file of ssh.keys (paths already expanded), its public half taken from
// "<key>.pub" when that exists. Never asks for a passphrase.
Status Authenticate(LIBSSH2_SESSION* session, const std::string& label, const SshSettings& ssh);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_SSH_AUTH_H_
