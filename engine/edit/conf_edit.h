#ifndef PGPAIR_ENGINE_EDIT_CONF_EDIT_H_
#define PGPAIR_ENGINE_EDIT_CONF_EDIT_H_

#include <string>

#include "engine/util/status.h"

namespace pgpair {

// Returns `text` (a postgresql.conf-syntax file: postgresql.conf,
// postgresql.auto.conf, recovery.conf) with `name` set to `value` (the value
// as the server should read it; it is quoted here). The last active line for
// `name` is rewritten in place, keeping its indentation and trailing comment;
// earlier active lines for it are commented out with a note, since the last
// one wins anyway and two values confuse readers. Without an active line, the
// setting is appended at the end. Comments, blank lines and every other line
// are kept byte for byte. It is an error if `text` does not parse.
Result<std::string> SetConfValue(const std::string& text, const std::string& name,
                                 const std::string& value);

// Returns `text` without any active line for `name` (each is commented out,
// so the user's history stays readable). Not an error if there is none.
Result<std::string> RemoveConfValue(const std::string& text, const std::string& name);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_EDIT_CONF_EDIT_H_
