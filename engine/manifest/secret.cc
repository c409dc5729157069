#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine/manifest/manifest.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

std::string Where(const SecretRef& secret) {
  std::string where =
      secret.mark.file.empty() ? std::string("the manifest") : secret.mark.ToString();
  return secret.key.empty() ? where : where + ": " + secret.key;
}

Result<std::string> ReadSecretFile(const SecretRef& secret, const std::string& path) {
  const std::string where = Where(secret);
  // Open first and check the open file: checking the path and then opening
  // it would let the file be swapped in between.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    return Status::Error(where + ": cannot open secret file " + path + ": " + std::strerror(errno));
  }
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    int error = errno;
    close(fd);
    return Status::Error(where + ": cannot stat secret file " + path + ": " + std::strerror(error));
  }
  if (!S_ISREG(info.st_mode)) {
    close(fd);
    return Status::Error(where + ": secret file " + path + " is not a regular file");
  }
  if ((info.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) != 0) {
    close(fd);
    return Status::Error(where + ": secret file " + path + " has mode " +
                         FormatOctalMode(info.st_mode) +
                         ", so group or others can read or change it; run chmod 600 " + path);
  }
  std::string value;
  char buffer[4096];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      close(fd);
      return Status::Error(where + ": cannot read secret file " + path + ": " +
                           std::strerror(error));
    }
    if (n == 0) break;
    value.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  // Editors and `echo` add a newline that is not part of the password.
  if (!value.empty() && value.back() == '\n') value.pop_back();
  if (!value.empty() && value.back() == '\r') value.pop_back();
  if (value.empty()) return Status::Error(where + ": secret file " + path + " is empty");
  return value;
}

}  // namespace

Result<std::string> ResolveSecret(const SecretRef& secret) {
  if (secret.env) {
    const char* value = std::getenv(secret.env->c_str());
    if (value == nullptr || value[0] == '\0') {
      return Status::Error(Where(secret) + ": environment variable " + *secret.env + " is " +
                           (value == nullptr ? "not set" : "empty") +
                           "; export it before running pgpair");
    }
    return std::string(value);
  }
  if (secret.file) return ReadSecretFile(secret, *secret.file);
  return Status::Error(Where(secret) + ": the secret names neither env nor file");
}

Status CheckReplicationPassword(const std::string& password, const SecretRef& secret) {
  for (size_t i = 0; i < password.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(password[i]);
    std::string position = "character " + std::to_string(i + 1);
    if (c < 0x20 || c == 0x7f) {
      return Status::Error(Where(secret) + ": the password holds a control character (" + position +
                           (c == '\n' ? ", a line break" : "") +
                           "), which a libpq password file and recovery settings cannot carry; "
                           "use a password of printable characters");
    }
    if (c >= 0x80) {
      return Status::Error(Where(secret) + ": the password holds a non-ASCII character (" +
                           position +
                           "); the server and libpq prepare such SCRAM passwords with SASLprep, "
                           "which pgpair does not implement, so the standby could not log in: "
                           "use an ASCII password");
    }
  }
  return Status::Ok();
}

}  // namespace pgpair
