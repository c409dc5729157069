#include "engine/manifest/manifest_fields.h"

#include "engine/manifest/manifest_keys.h"
#include "engine/manifest/path_expand.h"
#include "engine/manifest/value_checks.h"

namespace pgpair {

std::optional<std::string> ReadLocalPath(const YamlEntry& entry, const ParseContext& context) {
  std::optional<std::string> text = ReadString(entry, context.diags);
  if (!text) return std::nullopt;
  Result<std::string> path = ExpandLocalPath(*text, context.base_dir);
  if (!path.ok()) {
    context.diags->Error(entry.value_mark, entry.path + ": " + path.status().message());
    return std::nullopt;
  }
  return *path;
}

std::optional<std::string> ReadRemotePath(const YamlEntry& entry, Diagnostics* diags) {
  std::optional<std::string> text = ReadString(entry, diags);
  if (!text) return std::nullopt;
  // A relative path on the hosts would depend on the remote shell's working
  // directory, which pgpair does not control.
  if ((*text)[0] != '/') {
    ReportWrongValue(entry, "an absolute path on the host", diags);
    return std::nullopt;
  }
  if (text->find_first_of(std::string("\n\r\0", 3)) != std::string::npos) {
    ReportWrongValue(entry, "a path on one line", diags);
    return std::nullopt;
  }
  while (text->size() > 1 && text->back() == '/') text->pop_back();
  return text;
}

std::optional<int> ReadPort(const YamlEntry& entry, Diagnostics* diags) {
  return ReadInt(entry, 1, 65535, "a port", diags);
}

std::optional<int> ReadDuration(const YamlEntry& entry, Diagnostics* diags) {
  std::optional<int> seconds;
  if (entry.value.IsScalar()) seconds = ParseDurationSeconds(entry.value.Scalar());
  if (!seconds) {
    ReportWrongValue(
        entry, "a duration such as 10s, 5m or 1h, or a number of seconds (at most a day)", diags);
  }
  return seconds;
}

std::optional<std::string> ReadAddress(const YamlEntry& entry, Diagnostics* diags) {
  std::optional<std::string> text = ReadString(entry, diags);
  if (!text) return std::nullopt;
  if (!IpVersion(*text) && !IsHostName(*text)) {
    ReportWrongValue(entry, "an IPv4 or IPv6 address or a host name", diags);
    return std::nullopt;
  }
  return text;
}

namespace {

constexpr const char* kSecretForms =
    "{env: PGPAIR_REPLICATION_PASSWORD} (an environment variable) or "
    "{file: /etc/pgpair/replication-password} (a file only you can read: chmod 600)";

}  // namespace

std::optional<SecretRef> ReadSecretRef(const YamlEntry& entry, const ParseContext& context) {
  Diagnostics* diags = context.diags;
  if (entry.value.IsScalar()) {
    diags->Error(entry.value_mark,
                 entry.path +
                     ": a password written in the manifest is refused: manifests live in git, "
                     "where every clone and every past commit would keep it. Give a reference "
                     "instead: " +
                     entry.key + ": " + kSecretForms);
    return std::nullopt;
  }
  if (!entry.value.IsMap()) {
    diags->Error(entry.value_mark,
                 entry.path + ": expected " + kSecretForms + ", got " + Describe(entry.value));
    return std::nullopt;
  }
  MapReader reader = MapReader::Of(entry, &ManifestKeys(ManifestBlock::kSecret), diags);
  const YamlEntry* env = reader.Find("env");
  const YamlEntry* file = reader.Find("file");
  if (env != nullptr && file != nullptr) {
    const YamlEntry* second = env->key_mark.pos > file->key_mark.pos ? env : file;
    diags->Error(second->key_mark,
                 entry.path +
                     ": give either env or file, not both: pgpair could not tell which "
                     "one holds the secret");
    return std::nullopt;
  }
  SecretRef secret;
  secret.key = entry.path;
  secret.mark = diags->ToSourceMark(entry.key_mark);
  if (env != nullptr) {
    // The value is not repeated: someone may have written the password here.
    if (!env->value.IsScalar() || !IsEnvVarName(env->value.Scalar())) {
      diags->Error(env->value_mark,
                   env->path +
                       ": expected the name of an environment variable (letters, digits "
                       "and '_', not starting with a digit)");
      return std::nullopt;
    }
    secret.env = env->value.Scalar();
    return secret;
  }
  if (file != nullptr) {
    std::optional<std::string> path = ReadLocalPath(*file, context);
    if (!path) return std::nullopt;
    secret.file = *path;
    return secret;
  }
  // An empty mapping or one with only unknown keys (already reported).
  if (reader.entries().empty() && entry.value.size() == 0) {
    diags->Error(entry.value_mark,
                 entry.path + ": expected " + std::string(kSecretForms) + ", got an empty mapping");
  }
  return std::nullopt;
}

}  // namespace pgpair
