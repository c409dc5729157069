#ifndef PGPAIR_ENGINE_MANIFEST_MANIFEST_H_
#define PGPAIR_ENGINE_MANIFEST_MANIFEST_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/util/status.h"

namespace pgpair {

// Where a manifest value came from, for messages of the form
// "file:line:column: message". Lines and columns count from 1.
struct SourceMark {
  std::string file;
  int line = 0;
  int column = 0;
  std::string ToString() const;  // "examples/sandbox.yaml:12:5"
};

enum class HostKeyPolicy { kStrict, kAcceptNew };
enum class Become { kNone, kSudo };
// How pgpair starts, stops and reloads the server on a host.
enum class ServiceManager { kPgCtlCluster, kPgCtl, kSystemctl };

// Local paths (keys, known_hosts) are absolute once the manifest is parsed:
// "~" and relative paths are resolved then.
struct SshSettings {
  std::string user = "root";
  int port = 22;
  // Private key files tried in order; empty means ssh-agent only.
  std::vector<std::string> keys;
  bool use_agent = true;
  // Defaults to ~/.ssh/known_hosts of the user running pgpair; the parser
  // fills the default in (empty only if that home cannot be found).
  std::string known_hosts;
  HostKeyPolicy host_key_policy = HostKeyPolicy::kStrict;
  int connect_timeout_seconds = 10;
  int command_timeout_seconds = 300;
};

// Where PostgreSQL lives on a host. Every field is optional: what is not given
// is discovered (pg_lsclusters on Debian's layout, the running server's own
// settings otherwise).
struct PostgresLayout {
  std::optional<std::string> cluster;  // Debian's "15/main"
  std::optional<int> port;
  std::optional<std::string> bin_dir;
  std::optional<std::string> data_dir;
  std::optional<std::string> config_file;
  std::optional<std::string> hba_file;
  std::optional<std::string> socket_dir;
  std::optional<ServiceManager> service;
  std::optional<std::string> systemd_unit;  // for kSystemctl
  std::string os_user = "postgres";
};

struct HostSpec {
  std::string name;     // the key under `hosts:`
  std::string address;  // where SSH connects, and the address the peer sees
  SshSettings ssh;
  // The parser's default: kSudo when ssh.user is not root, kNone for root.
  Become become = Become::kNone;
  PostgresLayout postgres;
  SourceMark mark;  // the host's name under `hosts:`

  // How messages and logs name the host: "pg1 (198.18.0.11)".
  std::string label() const { return name + " (" + address + ")"; }
};

// A secret given by reference: the manifest is committed to git and never
// holds a secret itself.
// Exactly one of env and file is set.
struct SecretRef {
  std::optional<std::string> env;   // name of an environment variable
  std::optional<std::string> file;  // absolute path of a file readable only by its owner
  std::string key;                  // what the secret is, for messages: "replication.password"
  SourceMark mark;
};

struct ReplicationSpec {
  std::string role = "replicator";
  std::optional<SecretRef> password;  // always set in a parsed manifest
  int connection_limit = 5;           // -1: no limit, as in CREATE ROLE
  SourceMark mark;
};

// The WAL archive directory. It is on the hosts, so `dir` is an absolute
// remote path and is not expanded.
struct ArchiveSpec {
  std::string dir;
  std::string owner = "postgres";
  std::string mode = "0700";  // always four octal digits
  SourceMark mark;
};

// The pg_hba rule that lets the standby's replication connections in.
// A parsed manifest always has one, with the address filled in: the
// standby's address/32 (/128 for IPv6) unless the manifest gives a CIDR. A
// standby known by host name needs an explicit address: pg_hba host names
// depend on reverse DNS.
struct HbaSpec {
  std::optional<std::string> address;    // default: the standby's address/32
  std::string method = "scram-sha-256";  // or "md5"
  SourceMark mark;
};

struct SettingSpec {
  std::string name;   // lowercased: PostgreSQL setting names are case-insensitive
  std::string value;  // as written in the manifest, before normalization ("on", "10", "*")
  SourceMark mark;
};

// A manifest as ParseManifest returns it is valid: exactly two hosts, primary
// and standby name different ones, replication (with its password) and hba
// are set. Only `archive` is truly optional.
struct Manifest {
  std::string path;
  std::string pair;
  std::vector<HostSpec> hosts;  // in manifest order
  std::string primary;          // a key of `hosts`
  std::string standby;          // a key of `hosts`
  SourceMark primary_mark;      // where `primary:` names its host
  SourceMark standby_mark;
  std::optional<ReplicationSpec> replication;
  std::optional<ArchiveSpec> archive;
  std::optional<HbaSpec> hba;
  std::vector<SettingSpec> primary_settings;  // in manifest order
  std::vector<SettingSpec> standby_settings;
  bool standby_streaming = true;

  const HostSpec* FindHost(const std::string& name) const;
  const HostSpec& primary_host() const;  // requires a validated manifest
  const HostSpec& standby_host() const;
};

// Reads and validates a manifest. Every problem is reported as
// "file:line:column: message", all of them in file order, one a line;
// unknown keys are errors. Relative paths in the manifest (keys, known_hosts,
// secret files) are taken relative to the manifest's directory, and "~" to
// the home of the user running pgpair. Secrets are not read here: see
// ResolveSecret.
Result<Manifest> LoadManifest(const std::string& path);
// Same, from text; `path` names the source in messages and its directory is
// the base of relative paths.
Result<Manifest> ParseManifest(const std::string& text, const std::string& path);

// Reads a secret's value: the environment variable, which must be set and
// non-empty, or the file, which must be a regular file that group and others
// can neither read nor write; one trailing newline is stripped. Errors name
// the variable or file and the manifest location, never the value.
Result<std::string> ResolveSecret(const SecretRef& secret);

// Whether pgpair can carry `password` everywhere the replication role's
// password goes (a SCRAM verifier, primary_conninfo, recovery.conf, a libpq
// password file): control characters (a newline from a file with two lines,
// say) cannot be written to a password file, and non-ASCII text would need
// SASLprep (RFC 4013), which the server and libpq apply to SCRAM passwords
// and pgpair does not. The error names `secret`'s place and the position of
// the first bad character, never the value.
Status CheckReplicationPassword(const std::string& password, const SecretRef& secret);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_MANIFEST_MANIFEST_H_
