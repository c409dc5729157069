#ifndef PGPAIR_ENGINE_UTIL_UTC_TIME_H_
#define PGPAIR_ENGINE_UTIL_UTC_TIME_H_

#include <string>

namespace pgpair {

// Now in UTC, for names: "20261126T061500Z" (moved-aside data directories,
// recovery.conf copies).
std::string UtcTimestamp();

// Now in UTC, for documents and logs: "2026-12-01T18:02:03Z".
std::string UtcIsoTime();

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_UTC_TIME_H_
