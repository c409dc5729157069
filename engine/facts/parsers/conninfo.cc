#include "engine/facts/parsers/conninfo.h"

#include <cctype>
#include <optional>

#include "engine/util/text.h"

namespace pgpair {
namespace {

constexpr char kRedacted[] = "********";

// A pair plus where its value sits in the original text, so that redaction
// can replace exactly that span and keep the rest as written.
struct Item {
  std::string key;
  std::string value;
  size_t value_begin = 0;
  size_t value_end = 0;
};

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

size_t UriPrefixLength(std::string_view s) {
  for (std::string_view prefix : {"postgresql://", "postgres://"}) {
    if (s.substr(0, prefix.size()) == prefix) return prefix.size();
  }
  return 0;
}

// conninfo_parse() of libpq.
Result<std::vector<Item>> ParseKeywordValue(std::string_view s) {
  std::vector<Item> items;
  size_t i = 0;
  while (i < s.size()) {
    if (IsSpace(s[i])) {
      ++i;
      continue;
    }
    size_t name_begin = i;
    while (i < s.size() && s[i] != '=' && !IsSpace(s[i])) ++i;
    std::string key(s.substr(name_begin, i - name_begin));
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') {
      return Status::Error("missing \"=\" after \"" + key + "\" in connection info string");
    }
    ++i;
    while (i < s.size() && IsSpace(s[i])) ++i;

    Item item;
    item.key = key;
    item.value_begin = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\') {
          if (++i < s.size()) item.value += s[i++];
          continue;
        }
        if (s[i] == '\'') {
          ++i;
          closed = true;
          break;
        }
        item.value += s[i++];
      }
      if (!closed) return Status::Error("unterminated quoted string in connection info string");
    } else {
      while (i < s.size() && !IsSpace(s[i])) {
        if (s[i] == '\\') {
          if (++i < s.size()) item.value += s[i++];
        } else {
          item.value += s[i++];
        }
      }
    }
    item.value_end = i;
    items.push_back(std::move(item));
  }
  return items;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// conninfo_uri_decode() of libpq.
Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int high = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
    int low = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return Status::Error("invalid percent-encoded token: \"" + std::string(s) + "\"");
    }
    if (high == 0 && low == 0) {
      return Status::Error("forbidden value %00 in percent-encoded value: \"" + std::string(s) +
                           "\"");
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

Status AddDecoded(std::vector<Item>* items, std::string key, std::string_view text, size_t begin,
                  size_t end) {
  Result<std::string> decoded = PercentDecode(text);
  if (!decoded.ok()) return decoded.status();
  items->push_back({std::move(key), std::move(*decoded), begin, end});
  return Status::Ok();
}

// conninfo_uri_parse_options() of libpq, keeping spans of the original text.
Result<std::vector<Item>> ParseUri(std::string_view s) {
  std::vector<Item> items;
  size_t i = UriPrefixLength(s);

  // Credentials come before an '@' that precedes the first '/'.
  size_t at = i;
  while (at < s.size() && s[at] != '@' && s[at] != '/') ++at;
  if (at < s.size() && s[at] == '@') {
    size_t colon = i;
    while (colon < at && s[colon] != ':') ++colon;
    if (colon > i) {
      Status st = AddDecoded(&items, "user", s.substr(i, colon - i), i, colon);
      if (!st.ok()) return st;
    }
    if (colon < at) {
      Status st =
          AddDecoded(&items, "password", s.substr(colon + 1, at - colon - 1), colon + 1, at);
      if (!st.ok()) return st;
    }
    i = at + 1;
  }

  // Hosts and ports, comma-separated; an IPv6 host is written in brackets.
  std::string hosts;
  std::string ports;
  bool any_port = false;
  size_t hosts_begin = i;
  while (true) {
    std::string_view host;
    if (i < s.size() && s[i] == '[') {
      size_t close = s.find(']', i);
      if (close == std::string_view::npos) {
        return Status::Error(
            "end of string reached when looking for matching \"]\" in IPv6 host address in URI: "
            "\"" +
            std::string(s) + "\"");
      }
      host = s.substr(i + 1, close - i - 1);
      if (host.empty()) return Status::Error("IPv6 host address may not be empty in URI");
      i = close + 1;
      if (i < s.size() && s[i] != ':' && s[i] != '/' && s[i] != '?' && s[i] != ',') {
        return Status::Error("unexpected character \"" + std::string(1, s[i]) +
                             "\" after IPv6 host address in URI");
      }
    } else {
      size_t begin = i;
      while (i < s.size() && s[i] != ':' && s[i] != '/' && s[i] != '?' && s[i] != ',') ++i;
      host = s.substr(begin, i - begin);
    }
    std::string_view port;
    if (i < s.size() && s[i] == ':') {
      size_t begin = ++i;
      while (i < s.size() && s[i] != '/' && s[i] != '?' && s[i] != ',') ++i;
      port = s.substr(begin, i - begin);
      any_port = true;
    }
    Result<std::string> decoded_host = PercentDecode(host);
    if (!decoded_host.ok()) return decoded_host.status();
    Result<std::string> decoded_port = PercentDecode(port);
    if (!decoded_port.ok()) return decoded_port.status();
    hosts += *decoded_host;
    ports += *decoded_port;
    if (i < s.size() && s[i] == ',') {
      hosts += ',';
      ports += ',';
      ++i;
      continue;
    }
    break;
  }
  if (!hosts.empty() && hosts != std::string(hosts.size(), ',')) {
    items.push_back({"host", hosts, hosts_begin, i});
  }
  if (any_port) items.push_back({"port", ports, hosts_begin, i});

  if (i < s.size() && s[i] == '/') {
    size_t begin = ++i;
    while (i < s.size() && s[i] != '?') ++i;
    if (i > begin) {
      Status st = AddDecoded(&items, "dbname", s.substr(begin, i - begin), begin, i);
      if (!st.ok()) return st;
    }
  }

  if (i < s.size() && s[i] == '?') {
    ++i;
    while (i < s.size()) {
      size_t end = s.find('&', i);
      if (end == std::string_view::npos) end = s.size();
      std::string_view param = s.substr(i, end - i);
      size_t equals = param.find('=');
      if (equals == std::string_view::npos) {
        return Status::Error("missing key/value separator \"=\" in URI query parameter: \"" +
                             std::string(param) + "\"");
      }
      Result<std::string> key = PercentDecode(param.substr(0, equals));
      if (!key.ok()) return key.status();
      Status st = AddDecoded(&items, *key, param.substr(equals + 1), i + equals + 1, end);
      if (!st.ok()) return st;
      i = end + 1;
    }
  }
  return items;
}

Result<std::vector<Item>> ParseItems(std::string_view s) {
  return UriPrefixLength(s) > 0 ? ParseUri(s) : ParseKeywordValue(s);
}

bool IsSecretKey(const std::string& key) {
  return Lowercase(key).find("password") != std::string::npos;
}

// libpq expands a dbname holding '=' or a URI into a connection string of its own.
bool IsNestedConninfo(const Item& item) {
  return item.key == "dbname" &&
         (item.value.find('=') != std::string::npos || UriPrefixLength(item.value) > 0);
}

// appendConnStrVal() of libpq's tools: plain ASCII words go bare.
std::string QuoteValue(const std::string& value) {
  bool bare = !value.empty();
  for (char c : value) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.';
    if (!plain) bare = false;
  }
  if (bare) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string RedactUnparsable(std::string_view conninfo) {
  if (size_t prefix = UriPrefixLength(conninfo)) {
    return std::string(conninfo.substr(0, prefix)) + kRedacted;
  }
  size_t word = Lowercase(conninfo).find("password");
  if (word == std::string::npos) return std::string(conninfo);
  return std::string(conninfo.substr(0, word + 8)) + kRedacted;
}

}  // namespace

Result<ConninfoPairs> ParseConninfo(std::string_view conninfo) {
  Result<std::vector<Item>> items = ParseItems(conninfo);
  if (!items.ok()) return items.status();
  ConninfoPairs pairs;
  for (Item& item : *items) pairs.emplace_back(std::move(item.key), std::move(item.value));
  return pairs;
}

std::string RedactConninfo(std::string_view conninfo) {
  Result<std::vector<Item>> items = ParseItems(conninfo);
  if (!items.ok()) return RedactUnparsable(conninfo);
  std::string out;
  size_t copied = 0;
  for (const Item& item : *items) {
    std::optional<std::string> replacement;
    if (IsSecretKey(item.key)) {
      replacement = kRedacted;
    } else if (IsNestedConninfo(item)) {
      std::string inner = RedactConninfo(item.value);
      if (inner != item.value) {
        replacement = UriPrefixLength(conninfo) > 0 ? inner : QuoteValue(inner);
      }
    }
    if (!replacement) continue;
    out += conninfo.substr(copied, item.value_begin - copied);
    out += *replacement;
    copied = item.value_end;
  }
  out += conninfo.substr(copied);
  return out;
}

std::string BuildConninfo(const ConninfoPairs& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += ' ';
    out += key + "=" + QuoteValue(value);
  }
  return out;
}

}  // namespace pgpair
