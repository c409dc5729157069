#ifndef PGPAIR_ENGINE_UTIL_ATOMIC_FILE_H_
#define PGPAIR_ENGINE_UTIL_ATOMIC_FILE_H_

#include <sys/types.h>

#include <string>

#include "engine/util/status.h"

namespace pgpair {

// Replaces the local file `path` with `content` so that a reader sees the
// old file or the whole new one, never a part. The new file is created
// exclusively (O_CREAT|O_EXCL|O_NOFOLLOW) under a random name in the
// directory of `path`, written, synced, renamed over `path`, and the
// directory is synced. No symbolic link is followed: a link planted at any
// name of the temporary is never opened, and a link at `path` is replaced,
// not written through. The file gets the mode of the regular file it
// replaces, else `mode`. On failure the temporary is removed and `path` is
// left as it was; the message names the file and the reason.
Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode = 0644);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_ATOMIC_FILE_H_
