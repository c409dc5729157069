#ifndef PGPAIR_ENGINE_MANIFEST_MANIFEST_FIELDS_H_
#define PGPAIR_ENGINE_MANIFEST_MANIFEST_FIELDS_H_

#include <optional>
#include <string>

#include "engine/manifest/manifest.h"
#include "engine/manifest/yaml_reader.h"

namespace pgpair {

// What every part of the manifest parser needs to hand around.
struct ParseContext {
  Diagnostics* diags;
  std::string base_dir;  // absolute directory of the manifest
};

// Readers for the kinds of value the manifest uses in several places. Like
// the readers of yaml_reader.h, each reports a problem and returns empty.

// A path on the machine running pgpair (an ssh key, known_hosts, a secret
// file): "~" and relative paths are expanded (see ExpandLocalPath).
std::optional<std::string> ReadLocalPath(const YamlEntry& entry, const ParseContext& context);

// A path on the database hosts: absolute, returned without a trailing '/'.
std::optional<std::string> ReadRemotePath(const YamlEntry& entry, Diagnostics* diags);

// A TCP port, 1-65535.
std::optional<int> ReadPort(const YamlEntry& entry, Diagnostics* diags);

// A duration ("10s", "5m", "1h" or seconds) in seconds.
std::optional<int> ReadDuration(const YamlEntry& entry, Diagnostics* diags);

// An IPv4 or IPv6 literal or a host name.
std::optional<std::string> ReadAddress(const YamlEntry& entry, Diagnostics* diags);

// A secret given by reference, {env: NAME} or {file: path}. A plain string is
// refused with a message that explains why and shows both forms. No message
// repeats what is written under the key: it may be the secret itself.
std::optional<SecretRef> ReadSecretRef(const YamlEntry& entry, const ParseContext& context);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_MANIFEST_MANIFEST_FIELDS_H_
