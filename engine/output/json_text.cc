#include "engine/output/json_text.h"

namespace pgpair {

std::string ToJsonText(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pgpair
