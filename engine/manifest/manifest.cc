#include "engine/manifest/manifest.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

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
  std::error_code ignored;
  // An ifstream opens a directory and then reads nothing from it.
  if (std::filesystem::is_directory(path, ignored)) {
    return Status::Error(path + ": cannot read the manifest: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Error(path + ": cannot read the manifest: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return Status::Error(path + ": cannot read the manifest: " + std::strerror(errno));
  }
  return ParseManifest(text.str(), path);
}

}  // namespace pgpair
