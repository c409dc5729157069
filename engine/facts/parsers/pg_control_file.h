#ifndef PGPAIR_ENGINE_FACTS_PARSERS_PG_CONTROL_FILE_H_
#define PGPAIR_ENGINE_FACTS_PARSERS_PG_CONTROL_FILE_H_

#include <string_view>

#include "engine/facts/parsers/pg_controldata.h"
#include "engine/util/status.h"

namespace pgpair {

// Reads the leading fields of a data directory's global/pg_control from what
// the facts script prints when the host has no pg_controldata of the
// cluster's major (a pg_controldata of another major misreads the file):
//   od -An -t u8 -N 8 pg_control          the system identifier
//   od -An -v -t u4 -j 8 -N 56 pg_control  the next fourteen 32-bit words
//   od -An -t u8 -j 32 -N 8 pg_control     checkPoint (optional)
// all decoded by od in the host's byte order, which is the server's.
//
// ControlFileData has begun the same way in every major from 10 to 18:
// system_identifier (uint64), pg_control_version, catalog_version_no, state
// (uint32 each), time, checkPoint, then in 10 only prevCheckPoint (8 bytes
// each), then the checkpoint copy, whose redo LSN is followed by its
// timeline. Fills system_identifier, pg_control_version, catalog_version,
// cluster_state (in pg_controldata's words), timeline_id and, when the
// third line is there, latest_checkpoint_location ("0/5000028"); the other
// fields stay empty. Fails on a pg_control_version outside 10..18's
// (1002..1800) rather than guess at a layout.
Result<ControlData> ParsePgControlFile(std::string_view od_output);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_FACTS_PARSERS_PG_CONTROL_FILE_H_
