#include "engine/transport/ssh_auth.h"

#include <fcntl.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "engine/transport/fingerprint.h"
#include "engine/transport/libssh2_handles.h"
#include "engine/util/text.h"

namespace pgpair {

const char kRsaRefusedExplanation[] =
    "libssh2 1.10 signs RSA keys only with ssh-rsa (SHA-1), which OpenSSH 8.8 and later refuse "
    "by default; use an ed25519 key (ssh-keygen -t ed25519) instead";

namespace {

bool Contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

// Reads the uint32 length-prefixed string at `*offset` of `data`.
std::optional<std::string> ReadSshString(const std::string& data, size_t* offset) {
  if (data.size() < *offset + 4) return std::nullopt;
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length = (length << 8) | static_cast<uint8_t>(data[*offset + i]);
  *offset += 4;
  if (length > data.size() - *offset) return std::nullopt;
  std::string value = data.substr(*offset, length);
  *offset += length;
  return value;
}

// The openssh-key-v1 format (PROTOCOL.key in OpenSSH) keeps the public key
// and the cipher name in clear, before the encrypted part.
KeyFileInfo InspectOpenSshKey(const std::string& text) {
  KeyFileInfo info;
  std::istringstream lines(text);
  std::string line, base64;
  bool inside = false;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("-----BEGIN", 0) == 0) {
      inside = true;
    } else if (line.rfind("-----END", 0) == 0) {
      break;
    } else if (inside) {
      base64 += line;
    }
  }
  std::optional<std::string> data = Base64Decode(base64);
  static const std::string kMagic("openssh-key-v1\0", 15);
  if (!data || data->compare(0, kMagic.size(), kMagic) != 0) return info;
  size_t offset = kMagic.size();
  std::optional<std::string> cipher = ReadSshString(*data, &offset);
  if (!cipher) return info;
  info.encrypted = *cipher != "none";
  if (!ReadSshString(*data, &offset) || !ReadSshString(*data, &offset)) return info;  // kdf
  offset += 4;  // number of keys
  if (std::optional<std::string> public_blob = ReadSshString(*data, &offset)) {
    info.type = KeyTypeOfBlob(*public_blob).value_or("");
  }
  return info;
}

// A public key file's first 64 KiB (a key is a line); empty when it cannot
// be read.
std::string ReadPublicKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string content(64 * 1024, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  return content;
}

bool FileExists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

std::string UserName(uid_t uid) {
  std::vector<char> buffer(4096);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid " + std::to_string(uid);
}

// libssh2's error code after a failed public key login, in words.
std::string DescribeKeyFailure(LIBSSH2_SESSION* session, int rc) {
  switch (rc) {
    case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
      return "refused by the server";
    case LIBSSH2_ERROR_FILE:
      return "libssh2 cannot load it (" + Libssh2LastError(session) + ")";
    default:
      return "failed (" + Libssh2LastError(session) + ")";
  }
}

struct AgentDeleter {
  void operator()(LIBSSH2_AGENT* agent) const {
    libssh2_agent_disconnect(agent);
    libssh2_agent_free(agent);
  }
};

// Tries every agent identity; true once one is accepted.
bool TryAgent(LIBSSH2_SESSION* session, const std::string& label, const SshSettings& ssh,
              std::vector<AuthAttempt>* attempts) {
  const char* socket = std::getenv("SSH_AUTH_SOCK");
  if (!ssh.use_agent) return false;
  if (socket == nullptr || *socket == '\0') {
    attempts->push_back({"ssh-agent", "not used, SSH_AUTH_SOCK is not set", ""});
    return false;
  }
  std::unique_ptr<LIBSSH2_AGENT, AgentDeleter> agent(libssh2_agent_init(session));
  if (!agent || libssh2_agent_connect(agent.get()) != 0 ||
      libssh2_agent_list_identities(agent.get()) != 0) {
    attempts->push_back({"ssh-agent at " + std::string(socket), "cannot be reached", ""});
    return false;
  }
  libssh2_agent_publickey* identity = nullptr;
  libssh2_agent_publickey* previous = nullptr;
  bool any = false;
  while (libssh2_agent_get_identity(agent.get(), &identity, previous) == 0) {
    previous = identity;
    any = true;
    std::string blob(reinterpret_cast<const char*>(identity->blob), identity->blob_len);
    std::string type = KeyTypeOfBlob(blob).value_or("unknown type");
    std::string name = "ssh-agent key " + std::string(identity->comment ? identity->comment : "") +
                       " (" + type + ")";
    int rc = libssh2_agent_userauth(agent.get(), ssh.user.c_str(), identity);
    if (rc == 0) {
      spdlog::debug("{}: logged in as {} with {}", label, ssh.user, name);
      return true;
    }
    AuthAttempt attempt{name, DescribeKeyFailure(session, rc), ""};
    if (type == "ssh-rsa" && attempt.outcome == "refused by the server") {
      attempt.refused_rsa_key = name;
    }
    attempts->push_back(attempt);
  }
  if (!any) attempts->push_back({"ssh-agent", "holds no identities", ""});
  return false;
}

bool TryKeyFile(LIBSSH2_SESSION* session, const std::string& label, const SshSettings& ssh,
                const std::string& key_path, std::vector<AuthAttempt>* attempts) {
  Result<std::string> private_key = ReadPrivateKeyFile(key_path);
  if (!private_key.ok()) {
    attempts->push_back({"key " + key_path, private_key.status().message(), ""});
    return false;
  }
  const std::string& private_text = *private_key;
  std::string public_path = key_path + ".pub";
  bool has_public = FileExists(public_path);
  KeyFileInfo info = InspectKeyFile(private_text, has_public ? ReadPublicKeyFile(public_path) : "");
  std::string name = "key " + key_path + (info.type.empty() ? "" : " (" + info.type + ")");
  if (info.encrypted) {
    attempts->push_back({name,
                         "is protected by a passphrase, which pgpair never asks for; load it "
                         "into ssh-agent (ssh-add) instead",
                         ""});
    return false;
  }
  int rc = libssh2_userauth_publickey_fromfile_ex(
      session, ssh.user.c_str(), static_cast<unsigned int>(ssh.user.size()),
      has_public ? public_path.c_str() : nullptr, key_path.c_str(), /*passphrase=*/nullptr);
  if (rc == 0) {
    spdlog::debug("{}: logged in as {} with {}", label, ssh.user, name);
    return true;
  }
  AuthAttempt attempt{name, DescribeKeyFailure(session, rc), ""};
  if (info.type == "ssh-rsa" && attempt.outcome == "refused by the server") {
    attempt.refused_rsa_key = key_path;
  }
  attempts->push_back(attempt);
  return false;
}

}  // namespace

std::string KeyFilePermissionProblem(const std::string& path, uid_t owner, mode_t mode,
                                     uid_t user) {
  // OpenSSH refuses a key others can use ("UNPROTECTED PRIVATE KEY FILE"):
  // it is no longer secret. A key another user owns is that user's to
  // change or hand out.
  if (owner != user && owner != 0) {
    return "is owned by " + UserName(owner) + ", not by " + UserName(user) + " who runs pgpair" +
           (user == 0 ? "" : ", nor by root") + "; a private key must belong to its user: chown " +
           UserName(user) + " " + path;
  }
  if ((mode & 077) != 0) {
    return "has mode " + FormatOctalMode(mode) +
           ", so group or others can use it; OpenSSH refuses such a key: chmod 600 " + path;
  }
  return "";
}

Result<std::string> ReadPrivateKeyFile(const std::string& path) {
  constexpr size_t kMaxKeyBytes = 1024 * 1024;
  // The checks are made on the file opened, which cannot be swapped after.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return Status::Error("cannot be read: " + std::string(std::strerror(errno)));
  struct stat info {};
  std::string problem;
  if (fstat(fd, &info) != 0) {
    problem = "cannot be read: " + std::string(std::strerror(errno));
  } else if (!S_ISREG(info.st_mode)) {
    problem = "is not a regular file";
  } else if (static_cast<uintmax_t>(info.st_size) > kMaxKeyBytes) {
    problem = "is " + std::to_string(info.st_size) + " bytes long, too long for a key";
  } else {
    problem = KeyFilePermissionProblem(path, info.st_uid, info.st_mode, getuid());
  }
  std::string text;
  char buffer[4096];
  while (problem.empty() && text.size() <= kMaxKeyBytes) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) problem = "cannot be read: " + std::string(std::strerror(errno));
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  if (problem.empty() && text.size() > kMaxKeyBytes) problem = "is too long for a key";
  if (!problem.empty()) return Status::Error(problem);
  return text;
}

KeyFileInfo InspectKeyFile(const std::string& private_key_text,
                           const std::string& public_key_text) {
  KeyFileInfo info;
  if (Contains(private_key_text, "-----BEGIN OPENSSH PRIVATE KEY-----")) {
    info = InspectOpenSshKey(private_key_text);
  } else if (Contains(private_key_text, "-----BEGIN RSA PRIVATE KEY-----")) {
    info.type = "ssh-rsa";
  } else if (Contains(private_key_text, "-----BEGIN EC PRIVATE KEY-----")) {
    info.type = "ecdsa";
  } else if (Contains(private_key_text, "-----BEGIN DSA PRIVATE KEY-----")) {
    info.type = "ssh-dss";
  }
  // Legacy PEM marks encryption in a header; PKCS#8 in the label.
  if (Contains(private_key_text, "Proc-Type: 4,ENCRYPTED") ||
      Contains(private_key_text, "-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
    info.encrypted = true;
  }
  std::istringstream public_fields(public_key_text);
  std::string public_type;
  if (public_fields >> public_type) info.type = public_type;
  return info;
}

std::string AuthFailureMessage(const std::string& label, const std::string& user,
                               const std::vector<AuthAttempt>& attempts) {
  std::string message = label + ": ssh login as " + user + " failed; ";
  if (attempts.empty()) {
    message += "no login method to try: ssh.use_agent is off and ssh.keys is empty";
  } else {
    message += "tried ";
    for (size_t i = 0; i < attempts.size(); ++i) {
      if (i > 0) message += "; ";
      message += attempts[i].method + ": " + attempts[i].outcome;
    }
  }
  for (const AuthAttempt& attempt : attempts) {
    if (attempt.refused_rsa_key.empty()) continue;
    message += ". " + attempt.refused_rsa_key + " is an RSA key: " + kRsaRefusedExplanation;
  }
  return message;
}

Status Authenticate(LIBSSH2_SESSION* session, const std::string& label, const SshSettings& ssh) {
  // Asking for the method list is also the "none" login: some servers let
  // a user in without credentials.
  const char* methods =
      libssh2_userauth_list(session, ssh.user.c_str(), static_cast<unsigned int>(ssh.user.size()));
  if (methods == nullptr) {
    if (libssh2_userauth_authenticated(session)) return Status::Ok();
    return Status::Error(label + ": ssh login as " + ssh.user +
                         " failed: cannot ask the server for its login methods (" +
                         Libssh2LastError(session) + ")");
  }
  if (!Contains(methods, "publickey")) {
    return Status::Error(label + ": ssh login as " + ssh.user + " failed: the server offers only " +
                         methods + ", and pgpair logs in with keys only (ssh-agent or ssh.keys)");
  }
  std::vector<AuthAttempt> attempts;
  if (TryAgent(session, label, ssh, &attempts)) return Status::Ok();
  for (const std::string& key_path : ssh.keys) {
    if (TryKeyFile(session, label, ssh, key_path, &attempts)) return Status::Ok();
  }
  return Status::Error(AuthFailureMessage(label, ssh.user, attempts));
}

}  // namespace pgpair
