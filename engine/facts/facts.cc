#include "engine/facts/facts.h"

namespace pgpair {

const SettingFact* HostFacts::FindSetting(const std::string& name) const {
  if (!settings) return nullptr;
  for (const SettingFact& setting : *settings) {
    if (setting.name == name) return &setting;
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

}  // namespace pgpair
