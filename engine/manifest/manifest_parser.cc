// ParseManifest: walks the YAML document once, reading each block into the
// Manifest, then checks what spans blocks (primary/standby against hosts, the
// hba default against the standby). Every reader reports to one Diagnostics,
// so one run shows the user every problem at once.

#include <map>

#include "engine/facts/setting_value.h"
#include "engine/manifest/host_parser.h"
#include "engine/manifest/manifest.h"
#include "engine/manifest/manifest_fields.h"
#include "engine/manifest/manifest_keys.h"
#include "engine/manifest/path_expand.h"
#include "engine/manifest/suggest.h"
#include "engine/manifest/value_checks.h"
#include "engine/manifest/yaml_reader.h"

namespace pgpair {
namespace {

// pg_basebackup -X stream opens two replication connections as this role.
constexpr int kMinConnectionLimit = 2;
// PostgreSQL's own ceiling for max_connections.
constexpr int kMaxConnectionLimit = 262143;

std::optional<std::string> ReadName(const YamlEntry& entry, Diagnostics* diags) {
  std::optional<std::string> name = ReadString(entry, diags);
  if (name && !IsManifestName(*name)) {
    ReportWrongValue(entry, "a name of letters, digits, '_', '.' and '-'", diags);
    return std::nullopt;
  }
  return name;
}

ReplicationSpec ParseReplication(const YamlEntry& entry, const ParseContext& context) {
  Diagnostics* diags = context.diags;
  ReplicationSpec spec;
  spec.mark = diags->ToSourceMark(entry.key_mark);
  MapReader reader = MapReader::Of(entry, &ManifestKeys(ManifestBlock::kReplication), diags);
  if (const YamlEntry* e = reader.Find("role")) {
    std::optional<std::string> role = ReadString(*e, diags);
    if (role && !IsRoleName(*role)) {
      ReportWrongValue(*e,
                       "a role name of letters, digits and '_', not starting with a digit, at "
                       "most 63 bytes",
                       diags);
    } else if (role) {
      spec.role = *role;
    }
  }
  if (entry.value.IsMap()) {
    // Without a password the standby cannot authenticate (hba methods are
    // md5 and scram-sha-256), so a plan could never converge.
    if (const YamlEntry* e = reader.Require(
            "password", "the replication role's password, as {env: NAME} or {file: path}")) {
      spec.password = ReadSecretRef(*e, context);
    }
  }
  if (const YamlEntry* e = reader.Find("connection_limit")) {
    std::optional<int> limit =
        ReadInt(*e, -1, kMaxConnectionLimit, "a connection limit (-1 for none)", diags);
    if (limit && *limit != -1 && *limit < kMinConnectionLimit) {
      diags->Error(e->value_mark, e->path + ": " + std::to_string(*limit) +
                                      " is too low: pg_basebackup -X stream opens two "
                                      "replication connections; use at least 2, or -1 for "
                                      "no limit");
    } else if (limit) {
      spec.connection_limit = *limit;
    }
  }
  return spec;
}

ArchiveSpec ParseArchive(const YamlEntry& entry, Diagnostics* diags) {
  ArchiveSpec spec;
  spec.mark = diags->ToSourceMark(entry.key_mark);
  MapReader reader = MapReader::Of(entry, &ManifestKeys(ManifestBlock::kArchive), diags);
  if (entry.value.IsMap()) {
    if (const YamlEntry* e =
            reader.Require("dir", "the absolute path of the WAL archive directory on the hosts")) {
      if (auto dir = ReadRemotePath(*e, diags)) spec.dir = *dir;
    }
  }
  if (const YamlEntry* e = reader.Find("owner")) {
    std::optional<std::string> owner = ReadString(*e, diags);
    if (owner && !IsOsUserName(*owner)) {
      ReportWrongValue(*e, "a system user name such as postgres", diags);
    } else if (owner) {
      spec.owner = *owner;
    }
  }
  if (const YamlEntry* e = reader.Find("mode")) {
    std::optional<std::string> mode;
    if (e->value.IsScalar()) mode = NormalizeOctalMode(e->value.Scalar());
    if (mode) {
      spec.mode = *mode;
    } else {
      ReportWrongValue(*e, "an octal file mode such as '0700'", diags);
    }
  }
  return spec;
}

HbaSpec ParseHba(const YamlEntry& entry, Diagnostics* diags) {
  HbaSpec spec;
  spec.mark = diags->ToSourceMark(entry.key_mark);
  MapReader reader = MapReader::Of(entry, &ManifestKeys(ManifestBlock::kHba), diags);
  if (const YamlEntry* e = reader.Find("address")) {
    std::optional<std::string> address = ReadString(*e, diags);
    if (address && !IsCidr(*address)) {
      ReportWrongValue(*e, "a CIDR address such as 198.18.0.12/32", diags);
    } else if (address) {
      spec.address = *address;
    }
  }
  if (const YamlEntry* e = reader.Find("method")) {
    if (auto method = ReadEnum<std::string>(
            *e, {{"scram-sha-256", "scram-sha-256"}, {"md5", "md5"}}, diags)) {
      spec.method = *method;
    }
  }
  return spec;
}

// What can be told of a setting without its server: a misspelling of a
// setting pgpair knows, and a value of the wrong type for one (a number, a
// unit, a boolean). Enum members and other names are the server's to judge
// at plan time: they differ between majors 10 to 18.
bool CheckSettingValue(const YamlEntry& e, const std::string& name, Diagnostics* diags) {
  std::optional<SettingType> type = KnownSettingType(name);
  if (!type) {
    if (name.find('.') != std::string::npos) return true;  // an extension's
    std::vector<std::string> known;
    for (const SettingType& t : KnownSettingTypes()) known.push_back(t.name);
    if (std::optional<std::string> hint = ClosestMatch(name, known)) {
      diags->Error(e.key_mark, e.path + ": PostgreSQL has no setting " + name + " (did you mean " +
                                   *hint + "?)");
      return false;
    }
    return true;
  }
  type->enumvals.clear();
  Result<std::string> canonical = CanonicalSettingValue(*type, e.value.Scalar());
  if (!canonical.ok()) {
    diags->Error(e.value_mark, e.path + ": " + canonical.status().message());
    return false;
  }
  return true;
}

std::vector<SettingSpec> ParseSettingMap(const YamlEntry& entry, Diagnostics* diags) {
  std::vector<SettingSpec> settings;
  MapReader reader = MapReader::Of(entry, nullptr, diags);
  std::map<std::string, const YamlEntry*> seen;  // by lowercased name
  for (const YamlEntry& e : reader.entries()) {
    std::optional<std::string> name = NormalizeSettingName(e.key);
    if (!name) {
      diags->Error(e.key_mark, entry.path + ": \"" + e.key +
                                   "\" is not a setting name; PostgreSQL setting names are "
                                   "letters, digits and '_' (with one '.' for an extension's "
                                   "setting)");
      continue;
    }
    auto [first, inserted] = seen.emplace(*name, &e);
    if (!inserted) {
      diags->Error(e.key_mark, entry.path + ": " + *name + " is given twice, first as \"" +
                                   first->second->key + "\" at line " +
                                   std::to_string(first->second->key_mark.line + 1) +
                                   " (setting names are case-insensitive)");
      continue;
    }
    if (*name == "primary_conninfo") {
      // pgpair derives it from replication: and the primary's address; a
      // second source would fight it, and a conninfo carries the password.
      diags->Error(e.key_mark, e.path +
                                   ": pgpair writes primary_conninfo itself from replication: "
                                   "and the primary's address; remove it");
      continue;
    }
    if (e.value.IsNull()) {
      ReportWrongValue(e, "a value (write '' for an empty string)", diags);
      continue;
    }
    if (!e.value.IsScalar()) {
      ReportWrongValue(e, "a single value (a string, number or boolean)", diags);
      continue;
    }
    if (!CheckSettingValue(e, *name, diags)) continue;
    settings.push_back(SettingSpec{*name, e.value.Scalar(), diags->ToSourceMark(e.key_mark)});
  }
  return settings;
}

void ParseSettings(const YamlEntry& entry, Diagnostics* diags, Manifest* manifest) {
  MapReader reader = MapReader::Of(entry, &ManifestKeys(ManifestBlock::kSettings), diags);
  if (const YamlEntry* e = reader.Find("primary")) {
    manifest->primary_settings = ParseSettingMap(*e, diags);
  }
  if (const YamlEntry* e = reader.Find("standby")) {
    manifest->standby_settings = ParseSettingMap(*e, diags);
  }
}

// Checks that `primary:` or `standby:` names one of the hosts. `other` is the
// host the other role names: it is never suggested, since primary and
// standby must differ.
void CheckHostName(const YamlEntry& entry, const std::string& name, const std::string& other,
                   const std::vector<HostSpec>& hosts, Diagnostics* diags) {
  std::vector<std::string> names;
  std::vector<std::string> candidates;
  for (const HostSpec& host : hosts) {
    if (host.name == name) return;
    names.push_back(host.name);
    if (host.name != other) candidates.push_back(host.name);
  }
  std::string message = entry.path + ": no host named \"" + name + "\" under hosts";
  if (std::optional<std::string> hint = ClosestMatch(name, candidates)) {
    message += " (did you mean \"" + *hint + "\"?)";
  } else {
    message += " (hosts are " + JoinChoices(names) + ")";
  }
  diags->Error(entry.value_mark, message);
}

// The hba rule admits the standby's replication connections by default; it
// needs the address the primary sees them from.
void FillHbaDefault(const Manifest& manifest, const YamlEntry* hba_entry,
                    const YamlEntry& standby_entry, Diagnostics* diags, HbaSpec* hba) {
  if (hba->address) return;
  const HostSpec* standby = manifest.FindHost(manifest.standby);
  if (standby == nullptr || standby->address.empty()) return;
  std::optional<int> version = IpVersion(standby->address);
  if (version) {
    hba->address = standby->address + (*version == 4 ? "/32" : "/128");
    return;
  }
  diags->Error(hba_entry != nullptr ? hba_entry->key_mark : standby_entry.value_mark,
               "hba.address is needed: the standby " + standby->name + " is known by host name (" +
                   standby->address +
                   ") and pg_hba.conf host names depend on reverse DNS; give the address the "
                   "primary sees it connect from, e.g. hba: {address: 10.0.0.12/32}");
}

void ParseDocument(const YAML::Node& root, const ParseContext& context, Manifest* manifest) {
  Diagnostics* diags = context.diags;
  MapReader top(root, "", &ManifestKeys(ManifestBlock::kTop), YAML::Mark(), diags);
  if (const YamlEntry* e = top.Require("pair", "a name for this pair, e.g. pair: maas")) {
    if (auto pair = ReadName(*e, diags)) manifest->pair = *pair;
  }
  if (const YamlEntry* e = top.Require("hosts", "the two hosts, by name")) {
    manifest->hosts = ParseHosts(*e, context);
  }
  const YamlEntry* primary = top.Require("primary", "the name of the host that is the primary");
  if (primary != nullptr) {
    if (auto name = ReadString(*primary, diags)) {
      manifest->primary = *name;
      manifest->primary_mark = diags->ToSourceMark(primary->value_mark);
    }
  }
  const YamlEntry* standby = top.Require("standby", "the name of the host that is the standby");
  if (standby != nullptr) {
    if (auto name = ReadString(*standby, diags)) {
      manifest->standby = *name;
      manifest->standby_mark = diags->ToSourceMark(standby->value_mark);
    }
  }
  if (!manifest->hosts.empty()) {
    if (!manifest->primary.empty()) {
      CheckHostName(*primary, manifest->primary, manifest->standby, manifest->hosts, diags);
    }
    if (!manifest->standby.empty()) {
      CheckHostName(*standby, manifest->standby, manifest->primary, manifest->hosts, diags);
    }
  }
  if (!manifest->primary.empty() && manifest->primary == manifest->standby) {
    diags->Error(standby->value_mark, "standby: names the same host as primary (" +
                                          manifest->primary + "); a pair needs two hosts");
  }
  if (const YamlEntry* e =
          top.Require("replication",
                      "the replication role, e.g. replication: {role: replicator, password: "
                      "{env: PGPAIR_REPLICATION_PASSWORD}}")) {
    manifest->replication = ParseReplication(*e, context);
  }
  if (const YamlEntry* e = top.Find("archive")) manifest->archive = ParseArchive(*e, diags);
  const YamlEntry* hba = top.Find("hba");
  manifest->hba = hba != nullptr ? ParseHba(*hba, diags) : HbaSpec{};
  if (hba == nullptr && standby != nullptr) manifest->hba->mark = manifest->standby_mark;
  if (standby != nullptr && manifest->primary != manifest->standby) {
    FillHbaDefault(*manifest, hba, *standby, diags, &*manifest->hba);
  }
  if (const YamlEntry* e = top.Find("settings")) ParseSettings(*e, diags, manifest);
  if (const YamlEntry* e = top.Find("standby_streaming")) {
    if (auto streaming = ReadBool(*e, diags)) manifest->standby_streaming = *streaming;
  }
}

}  // namespace

Result<Manifest> ParseManifest(const std::string& text, const std::string& path) {
  Diagnostics diags(path);
  std::optional<YAML::Node> root = ParseYamlDocument(text, &diags);
  if (!root) return diags.ToStatus();
  if (!root->IsMap()) {
    diags.Error(root->Mark(),
                "expected a mapping at the top level (pair:, hosts:, primary:, "
                "standby:, replication:), got " +
                    Describe(*root));
    return diags.ToStatus();
  }
  Manifest manifest;
  manifest.path = path;
  ParseContext context{&diags, ManifestDirectory(path)};
  try {
    ParseDocument(*root, context, &manifest);
  } catch (const YAML::Exception& e) {
    // The readers check node types before use, so this is a bug in pgpair;
    // still, point at the place rather than crash.
    diags.Error(e.mark, "internal error while reading the manifest: " + e.msg);
  }
  if (!diags.ok()) return diags.ToStatus();
  return manifest;
}

}  // namespace pgpair
