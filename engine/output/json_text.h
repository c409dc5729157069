#ifndef PGPAIR_ENGINE_OUTPUT_JSON_TEXT_H_
#define PGPAIR_ENGINE_OUTPUT_JSON_TEXT_H_

#include <nlohmann/json.hpp>
#include <string>

namespace pgpair {

// `value` as JSON text, indented by `indent` spaces (-1: on one line). Every
// JSON document pgpair prints goes through here: strings come from hosts'
// files and commands, where any byte can appear, so bytes that are not UTF-8
// are replaced by U+FFFD (shown as the replacement character) rather than
// making nlohmann::json throw. Never throws; the result is valid UTF-8.
std::string ToJsonText(const nlohmann::json& value, int indent = 2);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_OUTPUT_JSON_TEXT_H_
