#include "engine/manifest/host_parser.h"

#include "engine/manifest/manifest_keys.h"
#include "engine/manifest/path_expand.h"
#include "engine/manifest/value_checks.h"

namespace pgpair {
namespace {

const YamlEntry* Later(const YamlEntry* a, const YamlEntry* b) {
  return a->key_mark.pos > b->key_mark.pos ? a : b;
}

std::optional<std::string> ReadSshUser(const YamlEntry& entry, Diagnostics* diags) {
  std::optional<std::string> user = ReadString(entry, diags);
  if (user && user->find_first_of(" \t\r\n@") != std::string::npos) {
    ReportWrongValue(entry, "a login name without spaces or '@'", diags);
    return std::nullopt;
  }
  return user;
}

void ParseKeyList(const YamlEntry& entry, const ParseContext& context, SshSettings* ssh) {
  if (!entry.value.IsSequence() || entry.value.size() == 0) {
    ReportWrongValue(entry, "a list of key files (leave keys out to use only ssh-agent)",
                     context.diags);
    return;
  }
  for (size_t i = 0; i < entry.value.size(); ++i) {
    YamlEntry item;
    item.key = entry.key;
    item.path = entry.path + "[" + std::to_string(i) + "]";
    item.value = entry.value[i];
    item.key_mark = entry.key_mark;
    item.value_mark = item.value.IsNull() ? entry.key_mark : item.value.Mark();
    if (std::optional<std::string> path = ReadLocalPath(item, context)) {
      ssh->keys.push_back(*path);
    }
  }
}

void ParseSsh(const YamlEntry& entry, const ParseContext& context, SshSettings* ssh) {
  Diagnostics* diags = context.diags;
  MapReader reader = MapReader::Of(entry, &ManifestKeys(ManifestBlock::kSsh), diags);
  if (const YamlEntry* e = reader.Find("user")) {
    if (auto user = ReadSshUser(*e, diags)) ssh->user = *user;
  }
  if (const YamlEntry* e = reader.Find("port")) {
    if (auto port = ReadPort(*e, diags)) ssh->port = *port;
  }
  const YamlEntry* key = reader.Find("key");
  const YamlEntry* keys = reader.Find("keys");
  if (key != nullptr && keys != nullptr) {
    diags->Error(Later(key, keys)->key_mark,
                 entry.path + ": give key (one file) or keys (a list), not both");
  } else if (key != nullptr) {
    if (auto path = ReadLocalPath(*key, context)) ssh->keys.push_back(*path);
  } else if (keys != nullptr) {
    ParseKeyList(*keys, context, ssh);
  }
  const YamlEntry* agent = reader.Find("agent");
  if (agent != nullptr) {
    if (auto use_agent = ReadBool(*agent, diags)) ssh->use_agent = *use_agent;
  }
  if (agent != nullptr && !ssh->use_agent && key == nullptr && keys == nullptr) {
    diags->Error(agent->value_mark, entry.path +
                                        ": agent is false and no key is given, so pgpair has no "
                                        "way to log in; add key: PATH or set agent: true");
  }
  if (const YamlEntry* e = reader.Find("known_hosts")) {
    if (auto path = ReadLocalPath(*e, context)) ssh->known_hosts = *path;
  }
  if (const YamlEntry* e = reader.Find("host_key_policy")) {
    if (auto policy = ReadEnum<HostKeyPolicy>(
            *e, {{"strict", HostKeyPolicy::kStrict}, {"accept-new", HostKeyPolicy::kAcceptNew}},
            diags)) {
      ssh->host_key_policy = *policy;
    }
  }
  if (const YamlEntry* e = reader.Find("connect_timeout")) {
    if (auto seconds = ReadDuration(*e, diags)) ssh->connect_timeout_seconds = *seconds;
  }
  if (const YamlEntry* e = reader.Find("command_timeout")) {
    if (auto seconds = ReadDuration(*e, diags)) ssh->command_timeout_seconds = *seconds;
  }
}

void ParsePostgres(const YamlEntry& entry, const ParseContext& context, PostgresLayout* layout) {
  Diagnostics* diags = context.diags;
  MapReader reader = MapReader::Of(entry, &ManifestKeys(ManifestBlock::kPostgres), diags);
  if (const YamlEntry* e = reader.Find("cluster")) {
    std::optional<std::string> cluster = ReadString(*e, diags);
    if (cluster && !IsClusterName(*cluster)) {
      ReportWrongValue(*e, "a Debian cluster VERSION/NAME such as 15/main", diags);
    } else if (cluster) {
      layout->cluster = *cluster;
    }
  }
  if (const YamlEntry* e = reader.Find("port")) {
    if (auto port = ReadPort(*e, diags)) layout->port = *port;
  }
  struct PathField {
    const char* key;
    std::optional<std::string>* target;
  };
  for (const PathField& field :
       {PathField{"bin_dir", &layout->bin_dir}, PathField{"data_dir", &layout->data_dir},
        PathField{"config_file", &layout->config_file}, PathField{"hba_file", &layout->hba_file},
        PathField{"socket_dir", &layout->socket_dir}}) {
    if (const YamlEntry* e = reader.Find(field.key)) {
      if (auto path = ReadRemotePath(*e, diags)) *field.target = *path;
    }
  }
  if (const YamlEntry* e = reader.Find("service")) {
    layout->service = ReadEnum<ServiceManager>(*e,
                                               {{"pg_ctlcluster", ServiceManager::kPgCtlCluster},
                                                {"pg_ctl", ServiceManager::kPgCtl},
                                                {"systemctl", ServiceManager::kSystemctl}},
                                               diags);
  }
  if (const YamlEntry* e = reader.Find("systemd_unit")) {
    // A unit with another service manager would be silently ignored; say so
    // rather than guess that the user meant systemctl.
    if (reader.Find("service") == nullptr || layout->service != ServiceManager::kSystemctl) {
      diags->Error(e->key_mark,
                   e->path + ": a systemd unit is used only with service: systemctl; add it");
    } else if (auto unit = ReadString(*e, diags)) {
      layout->systemd_unit = *unit;
    }
  }
  if (const YamlEntry* e = reader.Find("os_user")) {
    std::optional<std::string> user = ReadString(*e, diags);
    if (user && !IsOsUserName(*user)) {
      ReportWrongValue(*e, "a system user name such as postgres", diags);
    } else if (user) {
      layout->os_user = *user;
    }
  }
}

HostSpec ParseHost(const YamlEntry& entry, const ParseContext& context) {
  Diagnostics* diags = context.diags;
  HostSpec host;
  host.name = entry.key;
  host.mark = diags->ToSourceMark(entry.key_mark);
  if (!IsManifestName(entry.key)) {
    diags->Error(entry.key_mark, "hosts: \"" + entry.key +
                                     "\" cannot name a host; use letters, digits, '_', '.' "
                                     "and '-', starting with a letter or digit");
  }
  MapReader reader = MapReader::Of(entry, &ManifestKeys(ManifestBlock::kHost), diags);
  if (!entry.value.IsMap()) return host;
  if (const YamlEntry* e =
          reader.Require("address", "the IP address or host name pgpair reaches it at")) {
    if (auto address = ReadAddress(*e, diags)) host.address = *address;
  }
  if (const YamlEntry* e = reader.Find("ssh")) ParseSsh(*e, context, &host.ssh);
  if (host.ssh.known_hosts.empty()) {
    Result<std::string> home = HomeDirectory();
    if (home.ok()) host.ssh.known_hosts = *home + "/.ssh/known_hosts";
  }
  // root needs no sudo; anyone else does unless the manifest says otherwise.
  host.become = host.ssh.user == "root" ? Become::kNone : Become::kSudo;
  if (const YamlEntry* e = reader.Find("become")) {
    if (auto become =
            ReadEnum<Become>(*e, {{"sudo", Become::kSudo}, {"none", Become::kNone}}, diags)) {
      host.become = *become;
    }
  }
  if (const YamlEntry* e = reader.Find("postgres")) ParsePostgres(*e, context, &host.postgres);
  return host;
}

}  // namespace

std::vector<HostSpec> ParseHosts(const YamlEntry& hosts, const ParseContext& context) {
  Diagnostics* diags = context.diags;
  MapReader reader = MapReader::Of(hosts, nullptr, diags);
  std::vector<HostSpec> result;
  if (!hosts.value.IsMap()) return result;
  for (const YamlEntry& entry : reader.entries()) result.push_back(ParseHost(entry, context));
  if (result.size() != 2) {
    diags->Error(hosts.key_mark,
                 "hosts: expected exactly two hosts (a primary and a standby), "
                 "found " +
                     std::to_string(result.size()));
  }
  if (result.size() == 2 && !result[0].address.empty() && result[0].address == result[1].address &&
      result[0].ssh.port == result[1].ssh.port) {
    diags->Error(result[1].mark, "hosts." + result[1].name + ": same address and ssh port as " +
                                     result[0].name + " (" + result[0].address +
                                     "); primary and standby must be two machines");
  }
  return result;
}

}  // namespace pgpair
