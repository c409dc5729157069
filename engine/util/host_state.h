#ifndef PGPAIR_ENGINE_UTIL_HOST_STATE_H_
#define PGPAIR_ENGINE_UTIL_HOST_STATE_H_

namespace pgpair {

// Where pgpair keeps what it must remember on a managed host, root's only
// (mode 0700). Outside the data directory, so that pg_basebackup never copies
// it to the standby, and outside the configuration directories, so that no
// include_dir ever reads it.
inline constexpr char kHostStateDir[] = "/var/lib/pgpair";

// Values the server refused at its last start (engine/facts/parsers/refused_settings.h).
inline constexpr char kRefusedSettingsFile[] = "/var/lib/pgpair/refused-settings";

// The last configuration files a server was seen to run with: each file's
// copy at this prefix plus the file's absolute path.
inline constexpr char kLastGoodDir[] = "/var/lib/pgpair/last-good";

// The versions a server refused, moved out of the way by a restore: this
// prefix, a timestamp, then the file's absolute path.
inline constexpr char kRefusedFilesDir[] = "/var/lib/pgpair/refused";

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_UTIL_HOST_STATE_H_
