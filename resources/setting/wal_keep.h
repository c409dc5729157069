#ifndef PGPAIR_RESOURCES_SETTING_WAL_KEEP_H_
#define PGPAIR_RESOURCES_SETTING_WAL_KEEP_H_

#include <string>
#include <vector>

#include "engine/facts/facts.h"
#include "engine/plan/change.h"
#include "resources/setting/desired.h"

namespace pgpair {

// wal_keep_segments (up to 12: a count of WAL segments) became wal_keep_size
// (13: a size) with the same meaning: the manifest may use either, and each
// host gets the name its server has. Rewrites the entry of `desired` into the
// host's name, with a `why` that shows the arithmetic; a size that is not a
// whole number of segments rounds up, so that no less WAL is kept.
//
// Returns false, with a blocker for `host` in `plan`, when that cannot be done
// safely: both names declared, a stopped server (its name for the setting
// and its segment size are the running server's to say, and the wrong name
// keeps it from starting) unless its major already has the declared name, an
// unreadable wal_segment_size, or a value that is not a count or size. The
// caller then leaves both names out and plans the other settings.
bool TranslateWalKeep(const HostFacts& facts, const std::string& host,
                      std::vector<DesiredSetting>* desired, Plan* plan);

}  // namespace pgpair

#endif  // PGPAIR_RESOURCES_SETTING_WAL_KEEP_H_
