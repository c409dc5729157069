#include "engine/facts/parsers/apply_holder.h"

#include <charconv>
#include <vector>

namespace pgpair {
namespace {

std::optional<int> PositiveNumber(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace

Result<ApplyHolderFact> ParseApplyHolder(std::string_view text) {
  ApplyHolderFact holder;
  bool known = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\n\t", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view field = text.substr(pos, end - pos);
    pos = end + 1;
    if (!field.empty() && field.back() == '\r') field.remove_suffix(1);
    size_t equals = field.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view key = field.substr(0, equals);
    std::string value(field.substr(equals + 1));
    if (key == "pair") {
      holder.pair = value;
    } else if (key == "user") {
      holder.user = value;
    } else if (key == "machine") {
      holder.machine = value;
    } else if (key == "since") {
      holder.since = value;
    } else if (key == "pid") {
      holder.pid = PositiveNumber(value);
    } else if (key == "lease_pid") {
      holder.lease_pid = PositiveNumber(value);
    } else if (key != "lease_start") {
      continue;
    }
    known = true;
  }
  if (!known) return Status::Error("the apply lock's holder record names no holder");
  return holder;
}

std::string DescribeApplyHolder(const ApplyHolderFact& holder) {
  auto known = [](const std::optional<std::string>& value) { return value && !value->empty(); };
  // "user root on machine ctl1" is one part: who, and from where.
  std::string who;
  if (known(holder.user)) who = "user " + *holder.user;
  if (known(holder.machine)) who += (who.empty() ? "" : " ") + ("on machine " + *holder.machine);
  std::vector<std::string> parts;
  if (!who.empty()) parts.push_back(who);
  if (holder.pid) parts.push_back("pid " + std::to_string(*holder.pid));
  if (known(holder.since)) parts.push_back("since " + *holder.since);
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) text += (i == 0 ? "" : ", ") + parts[i];
  if (known(holder.pair)) text += (text.empty() ? "" : " ") + ("(pair " + *holder.pair + ")");
  return text.empty() ? "a holder that did not say who it is" : text;
}

}  // namespace pgpair
