#ifndef PGPAIR_ENGINE_EDIT_HBA_EDIT_H_
#define PGPAIR_ENGINE_EDIT_HBA_EDIT_H_

#include <optional>
#include <string>

#include "engine/util/status.h"

namespace pgpair {

// `name` as one pg_hba.conf database or user token: as is when it is a plain
// word, else in double quotes with inner quotes doubled. Keywords (all,
// replication, sameuser, samerole, samegroup) and names starting with + or @
// are quoted so that they stay names.
std::string QuoteHbaName(const std::string& name);

// A host-type rule laid out in the columns of Debian's pg_hba.conf (type 8,
// database 16, user 16, address 24 wide; a longer value gets one space).
// Values are written as given: quote names with QuoteHbaName first.
std::string FormatHbaLine(const std::string& type, const std::string& database,
                          const std::string& user, const std::string& address,
                          const std::string& method);

// Returns `text` with `comment` (when not empty, as its own line; a leading
// "# " is added if missing) and `line` inserted before the 1-based physical
// line `before_line`, or appended at the end when it is empty. Every other
// byte is kept; a file without a final newline gets one before the
// insertion. Errors: `line` or `comment` holds a line break (CR or LF),
// `before_line` is not a line of `text`, or it continues the record of the
// line above it (a trailing backslash), or appending would join the previous
// record.
Result<std::string> InsertHbaLine(const std::string& text, const std::string& line,
                                  std::optional<int> before_line, const std::string& comment = "");

// Returns `text` with the record starting at the 1-based physical line
// `line_number` (with its continuation lines) replaced by `line`. A comment
// at the end of the record is kept after the new line. Errors: `line` holds
// a line break, there is no such line, or it is blank, a comment, or the
// continuation of a record above it.
Result<std::string> ReplaceHbaLine(const std::string& text, int line_number,
                                   const std::string& line);

// The physical line `line_number` (1-based) of `text`, without its line
// ending; empty if there is no such line.
std::optional<std::string> HbaPhysicalLine(const std::string& text, int line_number);

// The rule part of a physical line: its comment (from the first # outside
// double quotes) removed, each run of blanks made one space, no leading or
// trailing blanks; so that two spellings of a rule compare equal.
std::string NormalizeHbaLine(const std::string& line);

// How a record reads on one line (in a plan, in facts): `record` is its
// physical lines joined by '\n' (HbaLineFact::text); each is normalized as
// NormalizeHbaLine does, continuation backslashes dropped, and they are
// joined by one space.
std::string HbaRecordDisplay(const std::string& record);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_EDIT_HBA_EDIT_H_
