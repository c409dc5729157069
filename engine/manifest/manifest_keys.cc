#include "engine/manifest/manifest_keys.h"

namespace pgpair {

// Function-local statics: no global constructors, built on first use.

const std::vector<ManifestBlock>& AllManifestBlocks() {
  static const auto* const kBlocks = new std::vector<ManifestBlock>{
      ManifestBlock::kTop,      ManifestBlock::kHost,        ManifestBlock::kSsh,
      ManifestBlock::kPostgres, ManifestBlock::kReplication, ManifestBlock::kSecret,
      ManifestBlock::kArchive,  ManifestBlock::kHba,         ManifestBlock::kSettings};
  return *kBlocks;
}

const std::vector<std::string>& ManifestKeys(ManifestBlock block) {
  using Keys = std::vector<std::string>;
  static const auto* const kTop =
      new Keys{"pair",    "hosts", "primary",  "standby",          "replication",
               "archive", "hba",   "settings", "standby_streaming"};
  static const auto* const kHost = new Keys{"address", "ssh", "become", "postgres"};
  static const auto* const kSsh = new Keys{"user",
                                           "port",
                                           "key",
                                           "keys",
                                           "agent",
                                           "known_hosts",
                                           "host_key_policy",
                                           "connect_timeout",
                                           "command_timeout"};
  static const auto* const kPostgres =
      new Keys{"cluster",  "port",       "bin_dir", "data_dir",     "config_file",
               "hba_file", "socket_dir", "service", "systemd_unit", "os_user"};
  static const auto* const kReplication = new Keys{"role", "password", "connection_limit"};
  static const auto* const kSecret = new Keys{"env", "file"};
  static const auto* const kArchive = new Keys{"dir", "owner", "mode"};
  static const auto* const kHba = new Keys{"address", "method"};
  static const auto* const kSettings = new Keys{"primary", "standby"};
  switch (block) {
    case ManifestBlock::kTop:
      return *kTop;
    case ManifestBlock::kHost:
      return *kHost;
    case ManifestBlock::kSsh:
      return *kSsh;
    case ManifestBlock::kPostgres:
      return *kPostgres;
    case ManifestBlock::kReplication:
      return *kReplication;
    case ManifestBlock::kSecret:
      return *kSecret;
    case ManifestBlock::kArchive:
      return *kArchive;
    case ManifestBlock::kHba:
      return *kHba;
    case ManifestBlock::kSettings:
      return *kSettings;
  }
  return *kTop;  // unreachable: the switch covers every block
}

const std::vector<std::string>& RequiredManifestKeys(ManifestBlock block) {
  using Keys = std::vector<std::string>;
  static const auto* const kNone = new Keys{};
  static const auto* const kTop = new Keys{"pair", "hosts", "primary", "standby", "replication"};
  static const auto* const kHost = new Keys{"address"};
  static const auto* const kReplication = new Keys{"password"};
  static const auto* const kArchive = new Keys{"dir"};
  switch (block) {
    case ManifestBlock::kTop:
      return *kTop;
    case ManifestBlock::kHost:
      return *kHost;
    case ManifestBlock::kReplication:
      return *kReplication;
    case ManifestBlock::kArchive:
      return *kArchive;
    default:
      return *kNone;
  }
}

const char* ManifestBlockName(ManifestBlock block) {
  switch (block) {
    case ManifestBlock::kTop:
      return "the top level";
    case ManifestBlock::kHost:
      return "hosts.<name>";
    case ManifestBlock::kSsh:
      return "hosts.<name>.ssh";
    case ManifestBlock::kPostgres:
      return "hosts.<name>.postgres";
    case ManifestBlock::kReplication:
      return "replication";
    case ManifestBlock::kSecret:
      return "replication.password";
    case ManifestBlock::kArchive:
      return "archive";
    case ManifestBlock::kHba:
      return "hba";
    case ManifestBlock::kSettings:
      return "settings";
  }
  return "";
}

}  // namespace pgpair
