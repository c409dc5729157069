#include "engine/facts/parsers/postgresql_conf.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>

#include "engine/util/text.h"

namespace pgpair {
namespace {

// The token kinds of guc-file.l, in the order of its rules: when two patterns
// match the same length, the earlier rule wins, as in flex.
enum class TokenKind {
  kId,
  kQualifiedId,
  kString,
  kUnquotedString,
  kInteger,
  kReal,
  kEquals,
  kError
};

struct Token {
  TokenKind kind;
  std::string_view text;
};

bool IsLetter(char c) {
  // The server's lexer counts every byte >= 0x80 as a letter, so UTF-8 works.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetterOrDigit(char c) { return IsLetter(c) || IsDigit(c); }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUnitLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Each Match* returns the length of the longest match of one pattern at the
// start of `s`, or 0.
size_t MatchId(std::string_view s) {
  if (s.empty() || !IsLetter(s[0])) return 0;
  size_t i = 1;
  while (i < s.size() && IsLetterOrDigit(s[i])) ++i;
  return i;
}

size_t MatchQualifiedId(std::string_view s) {
  size_t first = MatchId(s);
  if (first == 0 || first >= s.size() || s[first] != '.') return 0;
  size_t second = MatchId(s.substr(first + 1));
  return second == 0 ? 0 : first + 1 + second;
}

size_t MatchUnquotedString(std::string_view s) {
  if (s.empty() || !IsLetter(s[0])) return 0;
  size_t i = 1;
  while (i < s.size() && (IsLetterOrDigit(s[i]) || s[i] == '-' || s[i] == '.' || s[i] == '_' ||
                          s[i] == ':' || s[i] == '/')) {
    ++i;
  }
  return i;
}

// \'([^'\\\n]|\\.|\'\')*\' with flex's longest-match rule: a doubled quote
// continues the string when the string closes later, and closes it otherwise.
size_t MatchString(std::string_view s) {
  if (s.empty() || s[0] != '\'') return 0;
  size_t longest = 0;
  size_t i = 1;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') break;
    if (c == '\\') {
      if (i + 1 >= s.size() || s[i + 1] == '\n') break;
      i += 2;
    } else if (c == '\'') {
      longest = i + 1;
      if (i + 1 < s.size() && s[i + 1] == '\'') {
        i += 2;
      } else {
        break;
      }
    } else {
      ++i;
    }
  }
  return longest;
}

size_t MatchSign(std::string_view s) { return !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0; }

// {SIGN}?({DIGIT}+|0x{HEXDIGIT}+){UNIT_LETTER}*
size_t MatchInteger(std::string_view s) {
  size_t start = MatchSign(s);
  size_t best = 0;
  size_t i = start;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i > start) {
    while (i < s.size() && IsUnitLetter(s[i])) ++i;
    best = i;
  }
  if (s.substr(start, 2) == "0x") {
    size_t j = start + 2;
    while (j < s.size() && IsHexDigit(s[j])) ++j;
    if (j > start + 2) {
      while (j < s.size() && IsUnitLetter(s[j])) ++j;
      best = std::max(best, j);
    }
  }
  return best;
}

// {SIGN}?{DIGIT}*"."{DIGIT}*{EXPONENT}? (a lone "." is a REAL to the server too)
size_t MatchReal(std::string_view s) {
  size_t i = MatchSign(s);
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i >= s.size() || s[i] != '.') return 0;
  ++i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    j += MatchSign(s.substr(j));
    size_t digits = j;
    while (j < s.size() && IsDigit(s[j])) ++j;
    if (j > digits) i = j;
  }
  return i;
}

// Splits one line (without its newline) into tokens; a comment ends it.
std::vector<Token> Tokenize(std::string_view line) {
  std::vector<Token> tokens;
  size_t pos = 0;
  while (pos < line.size()) {
    char c = line[pos];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos;
      continue;
    }
    if (c == '#') break;
    std::string_view rest = line.substr(pos);
    const size_t lengths[] = {MatchId(rest),
                              MatchQualifiedId(rest),
                              MatchString(rest),
                              MatchUnquotedString(rest),
                              MatchInteger(rest),
                              MatchReal(rest),
                              c == '=' ? size_t{1} : size_t{0}};
    size_t best_length = 0;
    TokenKind best_kind = TokenKind::kError;
    for (size_t k = 0; k < std::size(lengths); ++k) {
      if (lengths[k] > best_length) {
        best_length = lengths[k];
        best_kind = static_cast<TokenKind>(k);
      }
    }
    if (best_length == 0) best_length = 1;
    tokens.push_back({best_kind, rest.substr(0, best_length)});
    pos += best_length;
  }
  return tokens;
}

bool IsValueToken(TokenKind kind) {
  // QUALIFIED_ID is a name only: "x = a.b" is a syntax error in the server.
  return kind == TokenKind::kId || kind == TokenKind::kString ||
         kind == TokenKind::kUnquotedString || kind == TokenKind::kInteger ||
         kind == TokenKind::kReal;
}

// The body of DeescapeQuotedString() in guc-file.l; `quoted` is a whole STRING token.
std::string Deescape(std::string_view quoted) {
  std::string out;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c == '\\') {
      c = quoted[++i];
      switch (c) {
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
          int octal = 0;
          size_t k = 0;
          for (; k < 3 && i + k + 1 < quoted.size() && quoted[i + k] >= '0' && quoted[i + k] <= '7';
               ++k) {
            octal = (octal << 3) + (quoted[i + k] - '0');
          }
          i += k - 1;
          out += static_cast<char>(octal);
          break;
        }
        default:
          out += c;
          break;
      }
    } else if (c == '\'') {
      // Inside a matched STRING a quote is always the first of a doubled pair.
      out += '\'';
      ++i;
    } else {
      out += c;
    }
  }
  // The server keeps values as C strings: an escaped NUL ends the value.
  size_t nul = out.find('\0');
  if (nul != std::string::npos) out.resize(nul);
  return out;
}

}  // namespace

Result<std::string> UnquoteConfValue(std::string_view raw) {
  if (raw.empty() || raw[0] != '\'') return std::string(raw);
  size_t length = MatchString(raw);
  if (length == 0) return Status::Error("unterminated quoted string: " + std::string(raw));
  if (length != raw.size()) {
    return Status::Error("text after the closing quote: " + std::string(raw));
  }
  return Deescape(raw);
}

std::string QuoteConfValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    switch (c) {
      case '\0':
        return out + "'";
      case '\'':
        out += "''";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += c;
        break;
    }
  }
  return out + "'";
}

Result<std::vector<ConfEntry>> ParseConfFile(std::string_view text) {
  std::vector<ConfEntry> entries;
  std::string errors;
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;

    std::vector<Token> tokens = Tokenize(line);
    if (tokens.empty()) continue;
    // The first token that breaks "name [=] value", if any, is what the server
    // reports as "near token".
    std::optional<std::string> bad;
    size_t i = 0;
    if (tokens[i].kind != TokenKind::kId && tokens[i].kind != TokenKind::kQualifiedId) {
      bad = std::string(tokens[i].text);
    } else {
      ++i;
      if (i < tokens.size() && tokens[i].kind == TokenKind::kEquals) ++i;
      if (i >= tokens.size()) {
        bad = "";  // the line ends before its value
      } else if (!IsValueToken(tokens[i].kind)) {
        bad = std::string(tokens[i].text);
      } else if (i + 1 < tokens.size()) {
        bad = std::string(tokens[i + 1].text);
      }
    }
    if (bad) {
      if (!errors.empty()) errors += "; ";
      errors += "line " + std::to_string(line_number) + ": syntax error near " +
                (bad->empty() ? "end of line" : "token \"" + *bad + "\"");
      continue;
    }

    ConfEntry entry;
    entry.name = Lowercase(tokens[0].text);
    entry.raw_value = std::string(tokens[i].text);
    entry.value = tokens[i].kind == TokenKind::kString ? Deescape(tokens[i].text) : entry.raw_value;
    entry.line_number = line_number;
    entry.is_include =
        entry.name == "include" || entry.name == "include_if_exists" || entry.name == "include_dir";
    entries.push_back(std::move(entry));
  }
  if (!errors.empty()) return Status::Error(errors);
  return entries;
}

}  // namespace pgpair
