#include "engine/manifest/manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "engine/manifest/yaml_reader.h"

namespace pgpair {

std::string SourceMark::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const HostSpec* Manifest::FindHost(const std::string& name) const {
  for (const HostSpec& host : hosts) {
    if (host.name == name) return &host;
  }
  return nullptr;
}

namespace {

const HostSpec& HostOrDie(const Manifest& manifest, const std::string& name, const char* role) {
  const HostSpec* host = manifest.FindHost(name);
  if (host == nullptr) {
    // ParseManifest never returns such a manifest: reaching this is a bug in
    // code that built a Manifest by hand.
    std::cerr << "pgpair: internal error: " << role << " \"" << name << "\" is not a host of "
              << manifest.path << "\n";
    std::abort();
  }
  return *host;
}

}  // namespace

const HostSpec& Manifest::primary_host() const { return HostOrDie(*this, primary, "primary"); }

const HostSpec& Manifest::standby_host() const { return HostOrDie(*this, standby, "standby"); }

Result<Manifest> LoadManifest(const std::string& path) {
  const std::string cannot = path + ": cannot read the manifest: ";
  const std::string too_long =
      "; a manifest may hold at most " + std::to_string(kMaxYamlBytes / 1024) + " KiB";
  // O_NONBLOCK: opening a FIFO nobody writes to would wait forever. Reads
  // block again below, so a pipe being written (`<(...)`) is read whole.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return Status::Error(cannot + std::strerror(errno));
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    int error = errno;
    close(fd);
    return Status::Error(cannot + std::strerror(error));
  }
  if (S_ISDIR(info.st_mode)) {
    close(fd);
    return Status::Error(cannot + "it is a directory");
  }
  if (S_ISREG(info.st_mode) && static_cast<uintmax_t>(info.st_size) > kMaxYamlBytes) {
    close(fd);
    return Status::Error(cannot + "it is " + std::to_string(info.st_size) + " bytes long" +
                         too_long);
  }
  // At most one byte past the limit, whatever the file is (a pipe, a
  // device, a file still growing): reading stays bounded.
  std::string text;
  char buffer[8192];
  while (text.size() <= kMaxYamlBytes) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      close(fd);
      return Status::Error(cannot + std::strerror(error));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  if (text.size() > kMaxYamlBytes) {
    return Status::Error(cannot + "it is longer than " + std::to_string(kMaxYamlBytes) + " bytes" +
                         too_long);
  }
  return ParseManifest(text, path);
}

}  // namespace pgpair
