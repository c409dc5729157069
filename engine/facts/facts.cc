#include "engine/facts/facts.h"

#include "engine/util/text.h"

namespace pgpair {

std::string PathInside(const std::string& path, std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (path.size() <= dir.size() + 1 || path.compare(0, dir.size() + 1, dir + "/") != 0) return "";
  return path.substr(dir.size() + 1);
}

std::optional<std::string> ConfigOutsideDataDir(const LayoutFacts& layout) {
  if (!layout.config_file || !layout.data_dir) return std::nullopt;
  if (!PathInside(*layout.config_file, *layout.data_dir).empty()) return std::nullopt;
  return layout.config_file;
}

const SettingFact* HostFacts::FindSetting(std::string_view name) const {
  if (!settings) return nullptr;
  for (const SettingFact& setting : *settings) {
    if (EqualsIgnoringCase(setting.name, name)) return &setting;
  }
  return nullptr;
}

const RoleFact* HostFacts::FindRole(const std::string& name) const {
  if (!roles) return nullptr;
  for (const RoleFact& role : *roles) {
    if (role.name == name) return &role;
  }
  return nullptr;
}

const FileSettingFact* WinningFileSetting(const HostFacts& facts, std::string_view name) {
  if (!facts.file_settings) return nullptr;
  // A later line overrides an earlier one, also across included files.
  const FileSettingFact* winning = nullptr;
  for (const FileSettingFact& row : *facts.file_settings) {
    if (EqualsIgnoringCase(row.name, name)) winning = &row;
  }
  return winning;
}

SettingType SettingTypeFor(const std::string& name, const SettingFact* server) {
  std::optional<SettingType> known = KnownSettingType(name);
  SettingType type;
  if (known) type = *known;
  type.name = name;
  if (!server) return type;
  if (server->vartype) {
    Result<SettingVartype> vartype = ParseSettingVartype(*server->vartype);
    if (vartype.ok() && *vartype != type.vartype) {
      type.vartype = *vartype;
      type.enumvals.clear();
    }
  }
  type.unit = server->unit.value_or("");
  if (server->context) type.context = server->context;
  return type;
}

}  // namespace pgpair
