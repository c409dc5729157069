#include "engine/util/sql_quote.h"

namespace pgpair {

std::string QuoteSqlIdentifier(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string QuoteSqlLiteral(const std::string& value) {
  bool backslash = value.find('\\') != std::string::npos;
  std::string quoted = backslash ? "E'" : "'";
  for (char c : value) {
    if (c == '\'' || (backslash && c == '\\')) quoted += c;
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace pgpair
