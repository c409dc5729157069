#include "engine/facts/parsers/pg_control_file.h"

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace pgpair {
namespace {

// pg_control_version of PostgreSQL 10 (the first with this layout) and of 18.
constexpr uint32_t kOldestVersion = 1002;
constexpr uint32_t kNewestVersion = 1800;
// 11 dropped prevCheckPoint, moving the checkpoint copy 8 bytes up.
constexpr uint32_t kWithoutPrevCheckpoint = 1100;

// The 32-bit words after the system identifier, counted from byte 8.
constexpr size_t kVersionWord = 0;
constexpr size_t kCatalogWord = 1;
constexpr size_t kStateWord = 2;
constexpr size_t kTimelineWord10 = 12;  // byte 56: checkpoint copy at 48, + 8
constexpr size_t kTimelineWord = 10;    // byte 48: checkpoint copy at 40, + 8
constexpr size_t kWords = 14;

// The DBState enum, unchanged since 9.x, in pg_controldata's words.
constexpr const char* kStates[] = {"starting up",   "shut down",         "shut down in recovery",
                                   "shutting down", "in crash recovery", "in archive recovery",
                                   "in production"};

}  // namespace

Result<ControlData> ParsePgControlFile(std::string_view od_output) {
  std::istringstream in{std::string(od_output)};
  std::string identifier;
  if (!(in >> identifier) || identifier.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Error("pg_control: no system identifier in the od output");
  }
  std::vector<uint32_t> words;
  unsigned long long word = 0;
  while (words.size() < kWords && in >> word) {
    if (word > 0xffffffffULL)
      return Status::Error("pg_control: a 32-bit field reads as " + std::to_string(word));
    words.push_back(static_cast<uint32_t>(word));
  }
  if (words.size() < kWords) {
    return Status::Error("pg_control: the file is shorter than its leading fields (" +
                         std::to_string(8 + 4 * words.size()) + " bytes read)");
  }
  const uint32_t version = words[kVersionWord];
  if (version < kOldestVersion || version > kNewestVersion) {
    return Status::Error("pg_control version " + std::to_string(version) +
                         " is not one of PostgreSQL 10 to 18's (1002 to 1800); its fields are "
                         "not read");
  }
  ControlData control;
  control.system_identifier = identifier;
  control.pg_control_version = version;
  control.catalog_version = words[kCatalogWord];
  const uint32_t state = words[kStateWord];
  if (state < std::size(kStates)) control.cluster_state = kStates[state];
  control.timeline_id = words[version < kWithoutPrevCheckpoint ? kTimelineWord10 : kTimelineWord];
  // checkPoint as one 64-bit number, printed as PostgreSQL prints an LSN.
  unsigned long long checkpoint = 0;
  if (in >> checkpoint) {
    char text[32];
    std::snprintf(text, sizeof(text), "%X/%X", static_cast<unsigned>(checkpoint >> 32),
                  static_cast<unsigned>(checkpoint & 0xffffffffULL));
    control.latest_checkpoint_location = text;
  }
  return control;
}

}  // namespace pgpair
