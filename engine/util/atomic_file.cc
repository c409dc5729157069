#include "engine/util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace pgpair {
namespace {

// A name nobody can guess ahead, so that a name planted to catch the
// temporary is unlikely to be the one tried; O_EXCL refuses it anyway.
std::string RandomSuffix() {
  static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device random;
  std::string suffix;
  for (int i = 0; i < 12; ++i) suffix += kDigits[random() % 36];
  return suffix;
}

std::string Why(int error) { return std::strerror(error); }

bool WriteAll(int fd, const std::string& content) {
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode) {
  size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty() || base == "." || base == "..") {
    return Status::Error("cannot write " + path + ": not a file name");
  }
  // Every later step is relative to this descriptor, so the directory
  // cannot be swapped between creating the temporary and renaming it.
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Status::Error("cannot write " + path + ": " + dir + ": " + Why(errno));

  struct stat old {};
  if (fstatat(dir_fd, base.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode)) {
    mode = old.st_mode & 07777;
  }
  std::string temporary;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    temporary = "." + base + ".pgpair-" + RandomSuffix();
    fd = openat(dir_fd, temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                0600);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    int error = errno;
    close(dir_fd);
    return Status::Error("cannot write " + path + ": cannot create a temporary file in " + dir +
                         ": " + Why(error));
  }
  std::string failed;  // the first step that failed, and why
  auto fail = [&failed](const std::string& step) {
    if (failed.empty()) failed = step + ": " + Why(errno);
  };
  // fchmod, not open's mode: the umask must not change the mode kept.
  if (fchmod(fd, mode) != 0) {
    fail("cannot set its mode");
  } else if (!WriteAll(fd, content)) {
    fail("cannot write it");
  } else if (fsync(fd) != 0) {
    fail("cannot sync it");
  }
  if (close(fd) != 0) fail("cannot close it");
  if (failed.empty() && renameat(dir_fd, temporary.c_str(), dir_fd, base.c_str()) != 0) {
    fail("cannot rename it to " + base);
  }
  if (!failed.empty()) {
    unlinkat(dir_fd, temporary.c_str(), 0);
    close(dir_fd);
    return Status::Error("cannot write " + path + ": temporary file " + dir + "/" + temporary +
                         ": " + failed);
  }
  // The rename is durable once the directory is.
  int dir_sync = fsync(dir_fd);
  int error = errno;
  close(dir_fd);
  if (dir_sync != 0) {
    return Status::Error("cannot write " + path + ": cannot sync directory " + dir + ": " +
                         Why(error));
  }
  return Status::Ok();
}

}  // namespace pgpair
