#ifndef PGPAIR_ENGINE_OUTPUT_FACTS_REPORT_H_
#define PGPAIR_ENGINE_OUTPUT_FACTS_REPORT_H_

#include <string>
#include <vector>

#include "engine/facts/facts.h"

namespace pgpair {

// A summary of both hosts' facts for a terminal or a log: one block per host,
// one line per topic, unknowns spelled "unknown". `settings_of_interest` are
// shown with their value, source and pending state; others only when they
// wait for a restart.
std::string FormatFactsReport(const PairFacts& facts,
                              const std::vector<std::string>& settings_of_interest);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_OUTPUT_FACTS_REPORT_H_
