#include "tests/fuzz/fuzz_targets.h"

#include <nlohmann/json.hpp>

#include "engine/edit/conf_edit.h"
#include "engine/edit/hba_edit.h"
#include "engine/facts/facts_json.h"
#include "engine/facts/interpret.h"
#include "engine/facts/parsers/conninfo.h"
#include "engine/facts/parsers/hba_address.h"
#include "engine/facts/parsers/os_release.h"
#include "engine/facts/parsers/pg_control_file.h"
#include "engine/facts/parsers/pg_controldata.h"
#include "engine/facts/parsers/pg_hba.h"
#include "engine/facts/parsers/pg_lsclusters.h"
#include "engine/facts/parsers/postgresql_conf.h"
#include "engine/facts/parsers/recovery_conf.h"
#include "engine/manifest/manifest.h"
#include "engine/output/json_text.h"
#include "engine/util/utf8.h"

namespace pgpair::fuzzing {
namespace {

// The editors take several arguments: they come from `data` split at NUL
// bytes, the first field first, so that a plain file (a fixture) is the
// text argument with the others empty.
std::vector<std::string> Fields(std::string_view data, size_t count) {
  std::vector<std::string> fields;
  while (fields.size() + 1 < count) {
    size_t nul = data.find('\0');
    if (nul == std::string_view::npos) break;
    fields.emplace_back(data.substr(0, nul));
    data.remove_prefix(nul + 1);
  }
  fields.emplace_back(data);
  fields.resize(count);
  return fields;
}

// A small number from a field's first byte, for line numbers.
int SmallNumber(const std::string& field, int modulo) {
  return field.empty() ? 0 : static_cast<unsigned char>(field[0]) % modulo;
}

bool IsIdentifier(const std::string& name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string FuzzManifest(std::string_view data) {
  Result<Manifest> manifest = ParseManifest(std::string(data), "/fuzz/pair.yaml");
  if (!manifest.ok()) {
    return manifest.status().message().empty() ? "an error without a message" : "";
  }
  // The contract of a manifest ParseManifest returns (manifest.h).
  if (manifest->hosts.size() != 2) return "a valid manifest without exactly two hosts";
  if (manifest->primary == manifest->standby) return "primary and standby are one host";
  if (!manifest->FindHost(manifest->primary) || !manifest->FindHost(manifest->standby)) {
    return "primary or standby names no host";
  }
  if (!manifest->replication || !manifest->replication->password || !manifest->hba) {
    return "a valid manifest without replication, its password or hba";
  }
  return "";
}

std::string FuzzPgHba(std::string_view data) {
  int previous = 0;
  for (const HbaLine& line : ParsePgHba(data)) {
    if (line.line_number <= previous) return "record line numbers not increasing";
    previous = line.line_number;
    if (line.address) {
      (void)HbaAddressCoverage(*line.address, "10.0.0.1");
      (void)HbaAddressCoverage(*line.address, "fd00::1/64");
      (void)SameHbaRange(*line.address, "10.0.0.0/8");
    }
  }
  return "";
}

std::string FuzzHbaEdit(std::string_view data) {
  std::vector<std::string> f = Fields(data, 6);
  const std::string& text = f[0];
  // A name, quoted, reads back as that name: the rule admits whom it says.
  for (const std::string& name : {f[3], f[4]}) {
    if (name.empty() || name.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
      continue;
    }
    std::string rule = FormatHbaLine("host", QuoteHbaName(name), QuoteHbaName(name), "10.0.0.1/32",
                                     "scram-sha-256");
    std::vector<HbaLine> parsed = ParsePgHba(rule);
    if (parsed.size() != 1 || parsed[0].error || parsed[0].users.size() != 1 ||
        parsed[0].users[0].value != name || parsed[0].databases.size() != 1 ||
        parsed[0].databases[0].value != name) {
      return "QuoteHbaName(\"" + name + "\") does not read back as one name: " + rule;
    }
  }
  const std::string& line = f[1];
  std::optional<int> before;
  if (int n = SmallNumber(f[5], 64); n > 0) before = n;
  const bool breaks = (line + f[2]).find_first_of("\r\n") != std::string::npos;
  Result<std::string> inserted = InsertHbaLine(text, line, before, f[2]);
  if (inserted.ok() && breaks) return "InsertHbaLine wrote a line break it was given";
  int at = before ? *before + (f[2].empty() ? 0 : 1) : 0;
  if (inserted.ok() && before && HbaPhysicalLine(*inserted, at) != line) {
    return "InsertHbaLine did not put the line at line " + std::to_string(at);
  }
  if (before) (void)ReplaceHbaLine(text, *before, line);
  (void)NormalizeHbaLine(text);
  return "";
}

std::string FuzzPostgresqlConf(std::string_view data) {
  Result<std::vector<ConfEntry>> entries = ParseConfFile(data);
  if (entries.ok()) {
    for (const ConfEntry& entry : *entries) {
      Result<std::string> value = UnquoteConfValue(entry.raw_value);
      if (!value.ok() || *value != entry.value) return "an entry's raw value unquotes otherwise";
    }
  }
  // What pgpair writes, the server reads back unchanged (no NUL: C strings).
  std::string value(data.substr(0, data.find('\0')));
  Result<std::string> back = UnquoteConfValue(QuoteConfValue(value));
  if (!back.ok() || *back != value) return "QuoteConfValue does not read back";
  return "";
}

std::string FuzzConfEdit(std::string_view data) {
  std::vector<std::string> f = Fields(data, 3);
  const std::string &text = f[0], &name = f[1], &value = f[2];
  if (!IsIdentifier(name) || value.find('\0') != std::string::npos) {
    (void)SetConfValue(text, "port", value.substr(0, value.find('\0')));
    (void)RemoveConfValue(text, "port");
    return "";
  }
  Result<std::string> set = SetConfValue(text, name, value);
  if (set.ok()) {
    Result<std::vector<ConfEntry>> entries = ParseConfFile(*set);
    if (!entries.ok()) return "SetConfValue wrote a file that does not parse";
    const ConfEntry* last = nullptr;
    for (const ConfEntry& entry : *entries) {
      if (!entry.is_include && entry.name == name) last = &entry;
    }
    if (last == nullptr || last->value != value) return "SetConfValue's value is not read back";
  }
  Result<std::string> removed = RemoveConfValue(text, name);
  if (removed.ok()) {
    Result<std::vector<ConfEntry>> entries = ParseConfFile(*removed);
    if (!entries.ok()) return "RemoveConfValue wrote a file that does not parse";
    for (const ConfEntry& entry : *entries) {
      if (!entry.is_include && entry.name == name) return "RemoveConfValue left the setting";
    }
  }
  return "";
}

std::string FuzzConninfo(std::string_view data) {
  (void)RedactConninfo(data);
  Result<ConninfoPairs> pairs = ParseConninfo(data);
  if (!pairs.ok()) return "";
  ConninfoPairs plain;
  for (const auto& [key, value] : *pairs) {
    if (IsIdentifier(key) && value.find('\0') == std::string::npos) plain.push_back({key, value});
  }
  std::string built = BuildConninfo(plain);
  Result<ConninfoPairs> back = ParseConninfo(built);
  if (!back.ok() || *back != plain) return "BuildConninfo does not read back: " + built;
  std::string redacted = RedactConninfo(built);
  for (const auto& [key, value] : plain) {
    // A password that appears once in the string, and not as part of the mask.
    if (key == "password" && value.size() >= 4 &&
        value.find_first_not_of('*') != std::string::npos &&
        built.find(value) == built.rfind(value) && redacted.find(value) != std::string::npos) {
      return "RedactConninfo kept the password of " + built;
    }
  }
  return "";
}

std::string FuzzPgControldata(std::string_view data) {
  (void)ParsePgControldata(data);
  return "";
}

std::string FuzzPgControlFile(std::string_view data) {
  (void)ParsePgControlFile(data);
  return "";
}

std::string FuzzOsRelease(std::string_view data) {
  (void)ParseOsRelease(data);
  return "";
}

std::string FuzzRecoveryConf(std::string_view data) {
  (void)ParseRecoveryConf(data);
  return "";
}

std::string FuzzPgLsclusters(std::string_view data) {
  (void)ParsePgLsclusters(data);
  return "";
}

// The gather output of one host as the facts command reads it, up to the
// JSON it prints. The fixtures' mark (tests/fixtures/gather) frames sections.
std::string FuzzInterpret(std::string_view data) {
  Result<GatherSections> sections = ParseGatherOutput(std::string(data), "@@pgpair-fixture");
  if (!sections.ok()) return "";
  GatherRequest request;
  request.replication_role = "replicator";
  request.archive_dir = "/var/backups/pgsql/archive";
  HostFacts host;
  host.name = "pg1";
  host.address = "198.18.0.11";
  InterpretGather(*sections, request, &host);
  PairFacts facts;
  facts.pair = "fuzz";
  facts.hosts.push_back(std::move(host));
  std::string text = ToJsonText(FactsToJson(facts));
  if (FirstInvalidUtf8(text)) return "the facts JSON is not UTF-8";
  if (nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false).is_discarded()) {
    return "the facts JSON does not parse";
  }
  return "";
}

}  // namespace

const std::vector<FuzzTarget>& FuzzTargets() {
  static const std::vector<FuzzTarget> kTargets = {
      {"manifest", FuzzManifest},
      {"pg_hba", FuzzPgHba},
      {"hba_edit", FuzzHbaEdit},
      {"postgresql_conf", FuzzPostgresqlConf},
      {"conf_edit", FuzzConfEdit},
      {"conninfo", FuzzConninfo},
      {"pg_controldata", FuzzPgControldata},
      {"pg_control_file", FuzzPgControlFile},
      {"os_release", FuzzOsRelease},
      {"recovery_conf", FuzzRecoveryConf},
      {"pg_lsclusters", FuzzPgLsclusters},
      {"interpret", FuzzInterpret},
  };
  return kTargets;
}

const FuzzTarget* FindFuzzTarget(std::string_view name) {
  for (const FuzzTarget& target : FuzzTargets()) {
    if (name == target.name) return &target;
  }
  return nullptr;
}

}  // namespace pgpair::fuzzing
