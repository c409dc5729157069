#ifndef PGPAIR_ENGINE_CLI_LOGGING_H_
#define PGPAIR_ENGINE_CLI_LOGGING_H_

#include <string>

#include "engine/util/status.h"

namespace pgpair {

// Logs go to stderr so that --json output on stdout stays machine-readable;
// with --log-file, also to that file at debug level (or `level`, if lower),
// created 0600. pgpair logs no secret at any level: a password is never
// passed to a log call.
// Each line: time, level, the pair in a run over many (engine/util/log_pair.h),
// the message. `level` is spdlog's name of a level ("info", "debug", "off").
Status ConfigureLogging(const std::string& level, const std::string& log_file);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_CLI_LOGGING_H_
