#include "engine/util/utc_time.h"

#include <ctime>

namespace pgpair {
namespace {

std::string FormatUtcNow(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  return std::string(text, std::strftime(text, sizeof(text), format, &utc));
}

}  // namespace

std::string UtcTimestamp() { return FormatUtcNow("%Y%m%dT%H%M%SZ"); }

std::string UtcIsoTime() { return FormatUtcNow("%Y-%m-%dT%H:%M:%SZ"); }

}  // namespace pgpair
