#ifndef PGPAIR_TESTS_UNIT_JSON_SCHEMA_H_
#define PGPAIR_TESTS_UNIT_JSON_SCHEMA_H_

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

namespace pgpair::testing {

// The schema file schemas/NAME of the source tree.
inline nlohmann::json LoadSchema(const std::string& name) {
  std::ifstream in(std::string(PGPAIR_SOURCE_DIR) + "/schemas/" + name);
  if (!in) return nullptr;
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// Checks `value` against `schema` for the keywords pgpair's schemas use
// (type, const, enum, properties, required, additionalProperties, items,
// minimum, pattern, and $ref to "#/$defs/NAME" of `root`), so that unit
// tests hold JSON output to its schema without a validator package; the
// end-to-end tests run a full validator (python3-jsonschema). Returns one
// line per violation, "PATH: what", empty when `value` conforms. A keyword
// outside that set is itself reported, so that the schema cannot outgrow
// this check unnoticed.
inline std::vector<std::string> SchemaViolations(const nlohmann::json& value,
                                                 const nlohmann::json& schema,
                                                 const nlohmann::json& root,
                                                 const std::string& path = "") {
  using nlohmann::json;
  std::vector<std::string> violations;
  const std::string where = path.empty() ? "/" : path;
  auto add = [&](const std::string& what) { violations.push_back(where + ": " + what); };
  auto append = [&](const std::vector<std::string>& more) {
    violations.insert(violations.end(), more.begin(), more.end());
  };
  if (!schema.is_object()) {
    add("the schema is not an object");
    return violations;
  }
  static const std::vector<std::string> kKnown = {
      "$schema", "$id",   "title",    "description", "type",
      "const",   "enum",  "items",    "minimum",     "pattern",
      "$ref",    "$defs", "required", "properties",  "additionalProperties"};
  for (const auto& [keyword, unused] : schema.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), keyword) == kKnown.end()) {
      add("schema keyword " + keyword + " is not checked by tests/unit/json_schema.h");
    }
  }
  if (schema.contains("$ref")) {
    const std::string ref = schema.at("$ref").get<std::string>();
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0 || !root.contains("$defs") ||
        !root.at("$defs").contains(ref.substr(prefix.size()))) {
      add("unresolved $ref " + ref);
      return violations;
    }
    append(SchemaViolations(value, root.at("$defs").at(ref.substr(prefix.size())), root, path));
  }
  if (schema.contains("type")) {
    std::vector<std::string> types;
    if (schema.at("type").is_string()) {
      types.push_back(schema.at("type").get<std::string>());
    } else {
      types = schema.at("type").get<std::vector<std::string>>();
    }
    auto is = [&value](const std::string& type) {
      if (type == "null") return value.is_null();
      if (type == "boolean") return value.is_boolean();
      if (type == "integer") return value.is_number_integer();
      if (type == "number") return value.is_number();
      if (type == "string") return value.is_string();
      if (type == "array") return value.is_array();
      if (type == "object") return value.is_object();
      return false;
    };
    if (std::none_of(types.begin(), types.end(), is)) {
      add(std::string("is ") + value.type_name() + ", not " + schema.at("type").dump());
      return violations;
    }
  }
  if (schema.contains("const") && value != schema.at("const")) {
    add(value.dump() + " is not " + schema.at("const").dump());
  }
  if (schema.contains("enum")) {
    const json& allowed = schema.at("enum");
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      add(value.dump() + " is not one of " + allowed.dump());
    }
  }
  if (schema.contains("minimum") && value.is_number() &&
      value.get<double>() < schema.at("minimum").get<double>()) {
    add(value.dump() + " is below " + schema.at("minimum").dump());
  }
  if (schema.contains("pattern") && value.is_string() &&
      !std::regex_search(value.get<std::string>(),
                         std::regex(schema.at("pattern").get<std::string>()))) {
    add(value.dump() + " does not match " + schema.at("pattern").dump());
  }
  if (value.is_object()) {
    for (const std::string& key : schema.value("required", std::vector<std::string>{})) {
      if (!value.contains(key)) add("lacks " + key);
    }
    const json properties = schema.value("properties", json::object());
    for (const auto& [key, item] : value.items()) {
      if (properties.contains(key)) {
        append(SchemaViolations(item, properties.at(key), root, path + "/" + key));
      } else if (schema.contains("additionalProperties") &&
                 schema.at("additionalProperties") == false) {
        add("has " + key + ", which the schema does not allow");
      }
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < value.size(); ++i) {
      append(SchemaViolations(value[i], schema.at("items"), root, path + "/" + std::to_string(i)));
    }
  }
  return violations;
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_JSON_SCHEMA_H_
