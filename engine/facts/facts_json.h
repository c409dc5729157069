#ifndef PGPAIR_ENGINE_FACTS_FACTS_JSON_H_
#define PGPAIR_ENGINE_FACTS_FACTS_JSON_H_

#include <nlohmann/json.hpp>

#include "engine/facts/facts.h"

namespace pgpair {

// The facts as the JSON document described by schemas/facts.schema.json.
// Unknown facts are null; every key is always present.
nlohmann::json FactsToJson(const PairFacts& facts);
nlohmann::json HostFactsToJson(const HostFacts& facts);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_FACTS_JSON_H_
