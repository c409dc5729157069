#include "engine/facts/parsers/pg_hba.h"

#include "engine/facts/parsers/hba_address.h"

namespace pgpair {
namespace {

using Field = std::vector<HbaToken>;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// next_token() of the server's hba.c: a token ends at unquoted whitespace or
// an unquoted comma (which continues the field), "" inside quotes is a quote,
// and an unquoted # ends the line. Returns false when the line has no more.
// Sets `unterminated` when the token opens a double quote and never closes it.
bool NextToken(const std::string& line, size_t* pos, HbaToken* token, bool* terminating_comma,
               bool* unterminated) {
  token->value.clear();
  token->quoted = false;
  *terminating_comma = false;
  while (*pos < line.size() && (IsBlank(line[*pos]) || line[*pos] == ',')) ++*pos;

  bool in_quote = false;
  bool was_quote = false;
  bool saw_quote = false;
  while (*pos < line.size() && (!IsBlank(line[*pos]) || in_quote)) {
    char c = line[*pos];
    if (c == '#' && !in_quote) {
      *pos = line.size();
      break;
    }
    if (c == ',' && !in_quote) {
      *terminating_comma = true;
      ++*pos;
      break;
    }
    if (c != '"' || was_quote) token->value += c;
    was_quote = in_quote && c == '"' ? !was_quote : false;
    if (c == '"') {
      in_quote = !in_quote;
      saw_quote = true;
      if (token->value.empty()) token->quoted = true;
    }
    ++*pos;
  }
  if (in_quote) *unterminated = true;
  return saw_quote || !token->value.empty();
}

// Splits a record into fields; each field is a comma-separated token list.
// Sets `unterminated` when a double quote is never closed (the server then
// swallows the rest of the line into one token).
std::vector<Field> Tokenize(const std::string& record, bool* unterminated) {
  std::vector<Field> fields;
  size_t pos = 0;
  *unterminated = false;
  while (pos < record.size()) {
    Field field;
    HbaToken token;
    bool comma = false;
    do {
      if (!NextToken(record, &pos, &token, &comma, unterminated)) break;
      field.push_back(token);
    } while (comma);
    if (!field.empty()) fields.push_back(std::move(field));
  }
  return fields;
}

bool IsConnectionType(const std::string& type) {
  return type == "local" || type == "host" || type == "hostssl" || type == "hostnossl" ||
         type == "hostgssenc" || type == "hostnogssenc";
}

bool IsMethod(const std::string& method) {
  static const char* const kMethods[] = {"trust", "reject", "md5",   "password", "scram-sha-256",
                                         "gss",   "sspi",   "ident", "peer",     "pam",
                                         "ldap",  "radius", "cert",  "bsd"};
  for (const char* m : kMethods) {
    if (method == m) return true;
  }
  return false;
}

// parse_hba_line() of the server, without the checks that need its build or
// configuration. Fills `line` and returns false with line->error on failure.
bool ParseRecord(const std::vector<Field>& fields, HbaLine* line) {
  auto fail = [line](std::string message) {
    line->error = std::move(message);
    return false;
  };
  size_t f = 0;
  if (fields[f].size() > 1) return fail("multiple values specified for connection type");
  const HbaToken& first = fields[f][0];
  if (!first.quoted && (first.value == "include" || first.value == "include_if_exists" ||
                        first.value == "include_dir")) {
    line->type = first.value;
    if (fields.size() != 2 || fields[1].size() != 1) {
      return fail("\"" + first.value + "\" must be followed by exactly one file name");
    }
    line->include_path = fields[1][0].value;
    return true;
  }
  if (!IsConnectionType(first.value)) {
    return fail("invalid connection type \"" + first.value + "\"");
  }
  line->type = first.value;

  if (++f >= fields.size()) return fail("end-of-line before database specification");
  line->databases = fields[f];
  if (++f >= fields.size()) return fail("end-of-line before role specification");
  line->users = fields[f];

  if (line->type != "local") {
    if (++f >= fields.size()) return fail("end-of-line before IP address specification");
    if (fields[f].size() > 1) return fail("multiple values specified for host address");
    const HbaToken& address = fields[f][0];
    if (address.IsKeyword("all") || address.IsKeyword("samehost") || address.IsKeyword("samenet")) {
      line->address = address.value;
    } else {
      const std::string& text = address.value;
      size_t slash = text.find('/');
      if (!IsIpAddress(text.substr(0, slash))) {
        // The server takes whatever is not a numeric address for a host name.
        if (slash != std::string::npos) {
          return fail("specifying both host name and CIDR mask is invalid: \"" + text + "\"");
        }
        line->address = text;
      } else {
        std::optional<std::string_view> netmask;
        if (slash == std::string::npos) {
          if (++f >= fields.size()) return fail("end-of-line before netmask specification");
          if (fields[f].size() > 1) return fail("multiple values specified for netmask");
          netmask = fields[f][0].value;
        }
        Result<std::string> normalized = NormalizeHbaAddress(text, netmask);
        if (!normalized.ok()) return fail(normalized.status().message());
        line->address = *normalized;
      }
    }
  }

  if (++f >= fields.size()) return fail("end-of-line before authentication method");
  if (fields[f].size() > 1) return fail("multiple values specified for authentication type");
  line->method = fields[f][0].value;
  if (!IsMethod(line->method)) {
    return fail("invalid authentication method \"" + line->method + "\"");
  }

  for (++f; f < fields.size(); ++f) {
    for (const HbaToken& option : fields[f]) {
      size_t equals = option.value.find('=');
      if (equals == std::string::npos) {
        return fail("authentication option not in name=value format: " + option.value);
      }
      line->options[option.value.substr(0, equals)] = option.value.substr(equals + 1);
    }
  }
  return true;
}

}  // namespace

std::vector<HbaLine> ParsePgHba(std::string_view text) {
  std::vector<HbaLine> lines;
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    // Collect one record: a backslash as the last character (before CR LF)
    // continues it on the next line, comment lines included, as in the server.
    std::string record;
    std::string raw;
    int first_line = line_number + 1;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view physical = text.substr(start, end - start);
      start = end + 1;
      ++line_number;
      if (!raw.empty() || line_number > first_line) raw += '\n';
      raw += physical;
      while (!physical.empty() && physical.back() == '\r') physical.remove_suffix(1);
      if (!physical.empty() && physical.back() == '\\') {
        physical.remove_suffix(1);
        record += physical;
        continue;
      }
      record += physical;
      break;
    }

    bool unterminated = false;
    std::vector<Field> fields = Tokenize(record, &unterminated);
    if (fields.empty()) continue;
    HbaLine line;
    line.line_number = first_line;
    line.raw = raw;
    if (unterminated) {
      line.error = "unterminated quoted string";
    } else {
      ParseRecord(fields, &line);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace pgpair
