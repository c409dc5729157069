#include "engine/transport/host_key_check.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <sstream>

#include "engine/transport/fingerprint.h"
#include "engine/transport/libssh2_handles.h"
#include "engine/util/shell_quote.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

// The key types libssh2 1.10 can store in a known_hosts collection.
struct KnownKeyType {
  const char* name;
  int mask;
  const char* keyscan_name;  // for `ssh-keyscan -t`
};
constexpr KnownKeyType kKnownKeyTypes[] = {
    {"ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519, "ed25519"},
    {"ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa"},
    {"ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa"},
    {"ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa"},
    {"ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA, "rsa"},
    {"ssh-dss", LIBSSH2_KNOWNHOST_KEY_SSHDSS, "dsa"},
};

const KnownKeyType* FindKeyType(const std::string& name) {
  for (const KnownKeyType& type : kKnownKeyTypes) {
    if (name == type.name) return &type;
  }
  return nullptr;
}

std::string HostPattern(const std::string& host, int port) {
  return port == 22 ? host : "[" + host + "]:" + std::to_string(port);
}

// known_hosts loaded into libssh2's collection, plus the @revoked keys that
// libssh2 does not understand.
class KnownHostsFile {
 public:
  // A missing file gives an empty collection.
  static Result<std::unique_ptr<KnownHostsFile>> Load(const std::string& path) {
    EnsureLibssh2Initialized();
    auto file = std::unique_ptr<KnownHostsFile>(new KnownHostsFile());
    // The knownhost API wants a session only to allocate and report errors;
    // this one never touches a socket.
    file->session_.reset(libssh2_session_init());
    if (!file->session_) return Status::Error("cannot initialize libssh2");
    file->hosts_.reset(libssh2_knownhost_init(file->session_.get()));
    if (!file->hosts_) return Status::Error("cannot initialize libssh2's known_hosts store");

    std::string text;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return file;
      return Status::Error("cannot read known_hosts file " + path + ": " + std::strerror(errno));
    }
    char buffer[8192];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
    int read_errno = errno;
    close(fd);
    if (n < 0) {
      return Status::Error("cannot read known_hosts file " + path + ": " +
                           std::strerror(read_errno));
    }
    std::istringstream in(text);
    std::string line;
    int line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      line = std::string(Trim(line));
      if (line.empty() || line[0] == '#') continue;
      if (line[0] == '@') {
        file->AddMarkerLine(line);
        continue;
      }
      if (libssh2_knownhost_readline(file->hosts_.get(), line.data(), line.size(),
                                     LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0) {
        spdlog::debug("{}:{}: known_hosts line skipped, libssh2 cannot parse it", path,
                      line_number);
      }
    }
    return file;
  }

  bool IsRevoked(const HostKey& key) const {
    for (const std::string& blob : revoked_blobs_) {
      if (blob == key.blob) return true;
    }
    return false;
  }

  // libssh2_knownhost_checkp with the offered key; `key_type_mask` 0 makes
  // libssh2 compare against entries of every key type.
  int Check(const std::string& host, int port, const std::string& blob, int key_type_mask,
            libssh2_knownhost** entry) const {
    int typemask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | key_type_mask;
    return libssh2_knownhost_checkp(hosts_.get(), host.c_str(), port, blob.data(), blob.size(),
                                    typemask, entry);
  }

 private:
  KnownHostsFile() = default;

  // "@revoked <hosts> <type> <base64>": the key is refused for every host,
  // which is stricter than OpenSSH's per-pattern match and never wrong.
  // "@cert-authority" lines are ignored: pgpair does not accept certificates.
  void AddMarkerLine(const std::string& line) {
    std::istringstream fields(line);
    std::string marker, hosts, type, base64;
    fields >> marker >> hosts >> type >> base64;
    if (marker != "@revoked") return;
    if (std::optional<std::string> blob = Base64Decode(base64)) revoked_blobs_.push_back(*blob);
  }

  Libssh2SessionPtr session_;
  Libssh2KnownHostsPtr hosts_;
  std::vector<std::string> revoked_blobs_;
};

std::string KeyscanCommand(const std::string& host, int port, const HostKey& key,
                           const std::string& known_hosts_path) {
  const KnownKeyType* type = FindKeyType(key.type);
  std::string command = "ssh-keyscan";
  if (port != 22) command += " -p " + std::to_string(port);
  if (type != nullptr) command += std::string(" -t ") + type->keyscan_name;
  return command + " " + ShellQuote(host) + " >> " + ShellQuote(known_hosts_path);
}

}  // namespace

std::optional<HostKey> HostKey::FromBlob(std::string blob) {
  std::optional<std::string> type = KeyTypeOfBlob(blob);
  if (!type) return std::nullopt;
  return HostKey{*type, std::move(blob)};
}

std::optional<HostKey> HostKey::FromText(const std::string& type_and_base64) {
  std::istringstream fields(type_and_base64);
  std::string type, base64;
  fields >> type >> base64;
  std::optional<std::string> blob = Base64Decode(base64);
  if (!blob) return std::nullopt;
  std::optional<HostKey> key = FromBlob(*blob);
  if (!key || key->type != type) return std::nullopt;
  return key;
}

std::string HostKey::Fingerprint() const { return Sha256Fingerprint(blob); }

Result<HostKeyVerdict> CheckKnownHosts(const std::string& known_hosts_path, const std::string& host,
                                       int port, const HostKey& offered) {
  Result<std::unique_ptr<KnownHostsFile>> file = KnownHostsFile::Load(known_hosts_path);
  if (!file.ok()) return file.status();
  if ((*file)->IsRevoked(offered)) return HostKeyVerdict{HostKeyStatus::kRevoked, std::nullopt};

  const KnownKeyType* type = FindKeyType(offered.type);
  int type_mask = type != nullptr ? type->mask : LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
  libssh2_knownhost* entry = nullptr;
  int rc = (*file)->Check(host, port, offered.blob, type_mask, &entry);
  if (rc == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND) {
    // libssh2 reports NOTFOUND when the host is known only under another key
    // type; a server that stopped offering the known type is as suspicious
    // as one with a changed key, so look again across all types.
    rc = (*file)->Check(host, port, offered.blob, 0, &entry);
  }
  switch (rc) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
      return HostKeyVerdict{HostKeyStatus::kKnown, std::nullopt};
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
      return HostKeyVerdict{HostKeyStatus::kUnknown, std::nullopt};
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: {
      HostKeyVerdict verdict{HostKeyStatus::kChanged, std::nullopt};
      if (entry != nullptr && entry->key != nullptr) {
        if (std::optional<std::string> blob = Base64Decode(entry->key)) {
          verdict.known_key = HostKey::FromBlob(*blob);
        }
      }
      return verdict;
    }
    default:
      return Status::Error("cannot check " + host + " against known_hosts file " +
                           known_hosts_path);
  }
}

Result<std::vector<std::string>> KnownHostKeyTypes(const std::string& known_hosts_path,
                                                   const std::string& host, int port) {
  Result<std::unique_ptr<KnownHostsFile>> file = KnownHostsFile::Load(known_hosts_path);
  if (!file.ok()) return file.status();
  // A probe key that no real entry equals: a MISMATCH then means "the host
  // has a key of this type", which also works for hashed host names.
  static const std::string kProbe = "not a key";
  std::vector<std::string> types;
  for (const KnownKeyType& type : kKnownKeyTypes) {
    libssh2_knownhost* entry = nullptr;
    if ((*file)->Check(host, port, kProbe, type.mask, &entry) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
      types.push_back(type.name);
    }
  }
  return types;
}

Status AddKnownHost(const std::string& known_hosts_path, const std::string& host, int port,
                    const HostKey& key) {
  std::string failure =
      "cannot add " + HostPattern(host, port) + " to known_hosts file " + known_hosts_path + ": ";
  size_t slash = known_hosts_path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    // Like ~/.ssh: private to its owner. An existing directory is left as is.
    if (mkdir(known_hosts_path.substr(0, slash).c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::Error(failure + std::strerror(errno));
    }
  }
  int fd = open(known_hosts_path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Error(failure + std::strerror(errno));
  std::string line = HostPattern(host, port) + " " + key.type + " " + Base64Encode(key.blob) + "\n";
  // A file whose last line lacks its newline would otherwise glue the new
  // entry onto it.
  struct stat info;
  if (fstat(fd, &info) == 0 && info.st_size > 0) {
    char last = '\n';
    if (pread(fd, &last, 1, info.st_size - 1) == 1 && last != '\n') line = "\n" + line;
  }
  bool written = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  int write_errno = errno;
  bool closed = close(fd) == 0;
  if (!written || !closed) return Status::Error(failure + std::strerror(write_errno));
  return Status::Ok();
}

Status VerifyHostKey(const std::string& label, const std::string& host, int port,
                     const std::string& known_hosts_path, HostKeyPolicy policy,
                     const HostKey& offered) {
  // Pairs checked at once may meet the same new host (a fleet run over
  // manifests that share hosts): the check and the append are one step per
  // process, so that a second pair finds the key the first one added
  // instead of adding it again or reading a half-written line.
  static std::mutex known_hosts_mutex;
  std::lock_guard<std::mutex> lock(known_hosts_mutex);
  Result<HostKeyVerdict> verdict = CheckKnownHosts(known_hosts_path, host, port, offered);
  if (!verdict.ok()) return verdict.status().WithContext(label);
  std::string offered_text = offered.type + " key " + offered.Fingerprint();
  switch (verdict->status) {
    case HostKeyStatus::kKnown:
      return Status::Ok();
    case HostKeyStatus::kRevoked:
      return Status::Error(label + ": the server offered " + offered_text +
                           ", which known_hosts file " + known_hosts_path +
                           " marks @revoked; refusing to connect");
    case HostKeyStatus::kChanged: {
      std::string expected = verdict->known_key ? verdict->known_key->type + " key " +
                                                      verdict->known_key->Fingerprint()
                                                : "another key";
      return Status::Error(
          label + ": HOST KEY MISMATCH, refusing to connect: known_hosts file " + known_hosts_path +
          " expects " + expected + " for " + HostPattern(host, port) + ", but the server offered " +
          offered_text +
          ". Someone may be intercepting the connection, or the host was reinstalled; "
          "once you have verified the new key, remove the old one with `ssh-keygen -R " +
          ShellQuote(HostPattern(host, port)) + " -f " + ShellQuote(known_hosts_path) + "`");
    }
    case HostKeyStatus::kUnknown:
      break;
  }
  if (policy == HostKeyPolicy::kAcceptNew) {
    Status added = AddKnownHost(known_hosts_path, host, port, offered);
    if (!added.ok()) return added.WithContext(label);
    spdlog::info("{}: host key {} added to {}", label, offered_text, known_hosts_path);
    return Status::Ok();
  }
  return Status::Error(label + ": host key not known: the server offered " + offered_text +
                       ", which known_hosts file " + known_hosts_path +
                       " does not hold; verify the fingerprint, then add it with `" +
                       KeyscanCommand(host, port, offered, known_hosts_path) +
                       "`, or set ssh.host_key_policy: accept-new in the manifest");
}

}  // namespace pgpair
