#ifndef PGPAIR_ENGINE_TRANSPORT_HOST_KEY_CHECK_H_
#define PGPAIR_ENGINE_TRANSPORT_HOST_KEY_CHECK_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/manifest/manifest.h"
#include "engine/util/status.h"

namespace pgpair {

// A public host key: what a server offers, or what known_hosts holds.
struct HostKey {
  std::string type;  // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...
  std::string blob;  // the wire format, as base64-decoded from known_hosts

  // Empty when the blob does not name a key type.
  static std::optional<HostKey> FromBlob(std::string blob);
  // Parses the "<type> <base64>" part of a known_hosts or .pub line.
  static std::optional<HostKey> FromText(const std::string& type_and_base64);
  // "SHA256:..." as OpenSSH prints it.
  std::string Fingerprint() const;
};

enum class HostKeyStatus {
  kKnown,    // known_hosts holds exactly this key for the host
  kUnknown,  // known_hosts holds no key at all for the host
  kChanged,  // known_hosts holds another key (of this or another type) for the host
  kRevoked,  // the key is marked @revoked in known_hosts
};

struct HostKeyVerdict {
  HostKeyStatus status = HostKeyStatus::kUnknown;
  // For kChanged: the key known_hosts holds for the host (the first found).
  std::optional<HostKey> known_key;
};

// What `known_hosts_path` says of `offered` for host:port. Entries are looked
// up as "[host]:port" first, then as "host" (hashed names included), as
// libssh2's knownhost API does. A missing file knows no host; an unreadable
// one is an error. Lines libssh2 cannot parse (@cert-authority, key types it
// does not know) are skipped, so one exotic entry does not block every host.
Result<HostKeyVerdict> CheckKnownHosts(const std::string& known_hosts_path, const std::string& host,
                                       int port, const HostKey& offered);

// The key types known_hosts holds for host:port, e.g. {"ssh-ed25519"}; the
// transport asks the server for these first, as OpenSSH does, so that a host
// known by its ed25519 key is not reported unknown for offering ECDSA.
Result<std::vector<std::string>> KnownHostKeyTypes(const std::string& known_hosts_path,
                                                   const std::string& host, int port);

// Appends "host type base64" (or "[host]:port ..." when port is not 22) to
// known_hosts, creating the file with mode 0600 (and its directory with 0700)
// when missing. Existing lines are left untouched.
Status AddKnownHost(const std::string& known_hosts_path, const std::string& host, int port,
                    const HostKey& key);

// Applies `policy` to the verdict for `offered`: ok means the connection may
// proceed. kUnknown is refused under kStrict and added to known_hosts under
// kAcceptNew; kChanged and kRevoked are always refused. Error messages start
// with `label` and name the key type, the fingerprints and what to do.
// Safe to call from several threads: calls run one at a time.
Status VerifyHostKey(const std::string& label, const std::string& host, int port,
                     const std::string& known_hosts_path, HostKeyPolicy policy,
                     const HostKey& offered);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_HOST_KEY_CHECK_H_
