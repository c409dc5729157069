#include "resources/hba_rule.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <vector>

#include "engine/edit/hba_edit.h"
#include "engine/transport/remote_files.h"

namespace pgpair {
namespace {

constexpr char kKind[] = "hba_rule";

// An address range of pg_hba.conf: network and mask, either family.
struct IpRange {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> address{};
  std::array<unsigned char, 16> mask{};
};

// A numeric address into `bytes`; false for anything else (a host name).
bool ParseAddress(const std::string& text, int* family, std::array<unsigned char, 16>* bytes) {
  if (inet_pton(AF_INET, text.c_str(), bytes->data()) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes->data()) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

// "ADDR/BITS", "ADDR/MASK" (a non-contiguous netmask folded in) or "ADDR".
std::optional<IpRange> ParseRange(const std::string& text) {
  IpRange range;
  size_t slash = text.find('/');
  if (!ParseAddress(text.substr(0, slash), &range.family, &range.address)) return std::nullopt;
  const int size = range.family == AF_INET ? 4 : 16;
  if (slash == std::string::npos) {
    std::fill(range.mask.begin(), range.mask.begin() + size, 0xff);
    return range;
  }
  std::string suffix = text.substr(slash + 1);
  if (!suffix.empty() && std::all_of(suffix.begin(), suffix.end(), ::isdigit) &&
      suffix.size() <= 3) {
    int bits = std::stoi(suffix);
    if (bits > size * 8) return std::nullopt;
    for (int i = 0; i < size; ++i) {
      int here = std::min(8, std::max(0, bits - 8 * i));
      range.mask[i] = static_cast<unsigned char>(here == 0 ? 0 : 0xff << (8 - here));
    }
    return range;
  }
  int mask_family = 0;
  if (!ParseAddress(suffix, &mask_family, &range.mask) || mask_family != range.family) {
    return std::nullopt;
  }
  return range;
}

// Whether the rule range holds every client address, some of them, or none.
HbaMatch RangeCovers(const IpRange& rule, const IpRange& client) {
  // An IPv4 rule never matches an IPv6 client and the other way round.
  if (rule.family != client.family) return HbaMatch::kNo;
  bool all_bits_fixed = true;
  for (int i = 0; i < 16; ++i) {
    // Bits both masks fix must agree, or no client is in the rule.
    unsigned char common = rule.mask[i] & client.mask[i];
    if ((rule.address[i] & common) != (client.address[i] & common)) return HbaMatch::kNo;
    // Bits the rule fixes but the client range leaves free: only some match.
    if (rule.mask[i] & ~client.mask[i]) all_bits_fixed = false;
  }
  return all_bits_fixed ? HbaMatch::kYes : HbaMatch::kMaybe;
}

HbaMatch Weaker(HbaMatch a, HbaMatch b) { return std::min(a, b); }

std::string Unquoted(const std::string& token) {
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return token;
  std::string name;
  for (size_t i = 1; i + 1 < token.size(); ++i) {
    name += token[i];
    if (token[i] == '"' && token[i + 1] == '"') ++i;
  }
  return name;
}

HbaMatch MatchType(const std::string& type, std::optional<bool> ssl, std::string* why) {
  if (type == "host" || type == "hostnogssenc") return HbaMatch::kYes;
  if (type == "hostssl" || type == "hostnossl") {
    if (ssl == false) return type == "hostssl" ? HbaMatch::kNo : HbaMatch::kYes;
    *why = type == "hostssl" ? "when the standby's connection uses SSL"
                             : "when the standby's connection does not use SSL";
    return HbaMatch::kMaybe;
  }
  if (type == "hostgssenc") {
    *why = "when the standby's connection uses GSSAPI encryption";
    return HbaMatch::kMaybe;
  }
  if (type == "local") return HbaMatch::kNo;
  // include directives (16+) and what pgpair does not know.
  *why = "pgpair cannot see what `" + type + "` brings in";
  return HbaMatch::kMaybe;
}

HbaMatch MatchDatabases(const std::vector<std::string>& databases, std::string* why) {
  HbaMatch result = HbaMatch::kNo;
  for (const std::string& database : databases) {
    // Only the keyword matches a physical replication connection: not all,
    // and not a database called "replication".
    if (database == "replication") return HbaMatch::kYes;
    if (!database.empty() && database[0] == '@') {
      *why = "depending on what " + database + " lists";
      result = HbaMatch::kMaybe;
    }
  }
  return result;
}

HbaMatch MatchUsers(const std::vector<std::string>& users, const std::string& role,
                    std::string* why) {
  HbaMatch result = HbaMatch::kNo;
  for (const std::string& user : users) {
    if (user == "all" || Unquoted(user) == role) return HbaMatch::kYes;
    if (!user.empty() && (user[0] == '+' || user[0] == '@' || user[0] == '/')) {
      *why = user[0] == '+' ? "if " + role + " is a member of " + user.substr(1)
                            : "depending on what " + user + " stands for";
      result = HbaMatch::kMaybe;
    }
  }
  return result;
}

HbaMatch MatchAddress(const std::optional<std::string>& address, const std::string& client,
                      std::string* why) {
  if (!address) return HbaMatch::kNo;
  if (*address == "all") return HbaMatch::kYes;
  std::optional<IpRange> rule = ParseRange(*address);
  std::optional<IpRange> from = ParseRange(client);
  if (!rule || !from) {
    *why = *address == "samehost" || *address == "samenet"
               ? "depending on the primary's interfaces (" + *address + ")"
               : "depending on what " + *address + " resolves to";
    return HbaMatch::kMaybe;
  }
  HbaMatch covers = RangeCovers(*rule, *from);
  if (covers == HbaMatch::kMaybe) *why = *address + " covers only part of " + client;
  return covers;
}

// How a line reads in a plan: the record without comments, its physical
// lines joined, blanks collapsed.
std::string Display(const HbaLineFact& line) {
  if (!line.text.empty()) {
    std::string joined;
    size_t start = 0;
    while (start <= line.text.size()) {
      size_t end = std::min(line.text.find('\n', start), line.text.size());
      std::string part = NormalizeHbaLine(line.text.substr(start, end - start));
      if (!part.empty() && part.back() == '\\') part.pop_back();
      if (!part.empty()) joined += (joined.empty() ? "" : " ") + NormalizeHbaLine(part);
      start = end + 1;
    }
    return joined;
  }
  auto join = [](const std::vector<std::string>& items) {
    std::string joined;
    for (const std::string& item : items) joined += (joined.empty() ? "" : ",") + item;
    return joined;
  };
  std::string text = line.type + " " + join(line.databases) + " " + join(line.users);
  if (line.address) text += " " + *line.address;
  text += " " + line.method;
  for (const auto& [name, value] : line.options) text += " " + name + "=" + value;
  return text;
}

// What apply expects to find on the line's first physical line.
std::string FirstLine(const HbaLineFact& line) {
  if (line.text.empty()) return Display(line);
  return NormalizeHbaLine(line.text.substr(0, line.text.find('\n')));
}

bool SameRange(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::optional<IpRange> x = ParseRange(a);
  std::optional<IpRange> y = ParseRange(b);
  return x && y && x->family == y->family && x->mask == y->mask &&
         RangeCovers(*x, *y) == HbaMatch::kYes;
}

// pgpair's own rule, whatever its method: host replication <role> <address>.
bool IsOurs(const HbaLineFact& line, const std::string& role, const std::string& address) {
  return !line.error && line.type == "host" && line.databases.size() == 1 &&
         line.databases[0] == "replication" && line.users.size() == 1 &&
         Unquoted(line.users[0]) == role && line.address && SameRange(*line.address, address);
}

std::string WhatItDoes(const HbaLineFact& line, const std::string& method) {
  if (line.error) return "pgpair cannot read it (" + *line.error + ")";
  if (line.method == "reject") return "would refuse the standby";
  if (line.method != method) {
    return "would authenticate the standby with " + line.method + ", not " + method;
  }
  std::string options;
  for (const auto& [name, value] : line.options) {
    options += (options.empty() ? "" : " ") + name + "=" + value;
  }
  return "adds options the manifest does not declare (" + options + ")";
}

class HbaRule final : public TypedResource<HbaRuleDetails> {
 public:
  const char* kind() const override { return kKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    const Manifest& manifest = *input.manifest;
    if (!manifest.hba || !manifest.replication || !manifest.hba->address) return;
    const std::string& role = manifest.replication->role;
    const std::string& client = *manifest.hba->address;
    const std::string& method = manifest.hba->method;
    const HostSpec& primary = manifest.primary_host();
    const HostSpec& standby = manifest.standby_host();
    const std::string label = primary.label();
    const std::string address =
        std::string(kKind) + "[" + manifest.primary + "/replication " + role + " " + client + "]";

    const HostFacts* facts = input.primary;
    std::optional<std::string> file;
    if (facts != nullptr) file = facts->hba.file ? facts->hba.file : facts->layout.hba_file;
    if (facts == nullptr || !facts->hba.lines || !file) {
      plan->notes.push_back(address + ": pg_hba.conf on " + label +
                            " could not be read; the rule is checked once it can be");
      return;
    }

    // A file with errors is not loaded on reload: the server keeps its old
    // rules, and a line added now would not take effect.
    std::string errors;
    if (facts->hba.server_rules) {
      for (const HbaRuleFact& rule : *facts->hba.server_rules) {
        if (!rule.error) continue;
        errors += std::string(errors.empty() ? "" : "; ") + "line " +
                  (rule.line_number ? std::to_string(*rule.line_number) : "?") + ": " + *rule.error;
      }
    } else {
      for (const HbaLineFact& line : *facts->hba.lines) {
        if (!line.error) continue;
        errors += std::string(errors.empty() ? "" : "; ") + "line " +
                  std::to_string(line.line_number) + ": " + *line.error;
      }
    }
    if (!errors.empty()) {
      plan->blockers.push_back(
          {manifest.primary, label + ": " + *file + " has errors (" + errors +
                                 "); the server does not load a broken file on reload and "
                                 "keeps its old rules, so pgpair will not edit it. Fix these "
                                 "lines, then plan again"});
      return;
    }

    std::optional<bool> ssl;
    if (const SettingFact* setting = facts->FindSetting("ssl"); setting && setting->value) {
      ssl = *setting->value == "on";
    }

    Change change;
    change.address = address;
    change.host = manifest.primary;
    change.impact = Impact::kReload;
    // The server keeps its old rules when the file has an error, so the
    // reload "succeeds" either way: pg_hba_file_rules is asked.
    change.server_step = ServerStep::kReload;
    change.checks = {ServerCheck::kHbaRules};
    change.edited_files = {*file};
    HbaRuleDetails details;
    details.file = *file;
    details.line = FormatHbaLine("host", "replication", QuoteHbaName(role), client, method);
    details.comment = "pgpair: lets the standby " + standby.name + " stream (replication)";
    const std::string rule = details.line;
    change.after = NormalizeHbaLine(rule);
    const std::string from = " from " + standby.label();

    std::vector<HbaLineFact> lines = *facts->hba.lines;
    std::stable_sort(lines.begin(), lines.end(), [](const HbaLineFact& a, const HbaLineFact& b) {
      return a.line_number < b.line_number;
    });
    for (const HbaLineFact& line : lines) {
      std::string why;
      HbaMatch match = MatchReplicationLogin(line, role, client, ssl, &why);
      if (match == HbaMatch::kNo) continue;
      const bool same = !line.error && line.method == method && line.options.empty();
      const std::string shown =
          "line " + std::to_string(line.line_number) + " `" + Display(line) + "`";
      if (match == HbaMatch::kMaybe) {
        // Taking the connection or not, it lets the standby in the same way.
        if (same) continue;
        change.action = Action::kCreate;
        change.reason = shown + " may match first (" + why + ") and " + WhatItDoes(line, method);
      } else if (same) {
        if (!IsOurs(line, role, client)) {
          plan->notes.push_back(address + ": " + shown + " already lets the standby in with " +
                                method + "; pgpair adds no rule of its own");
        }
        NoteFailedLogin(input, address, plan);
        return;
      } else if (IsOurs(line, role, client)) {
        change.action = Action::kUpdate;
        change.before = Display(line);
        change.reason = shown + " is the rule for the standby but " + WhatItDoes(line, method);
        details.placement = HbaRuleDetails::Placement::kReplace;
        details.line_number = line.line_number;
        details.expected_text = FirstLine(line);
        plan->changes.push_back(Attach(std::move(change), std::move(details)));
        return;
      } else {
        change.action = Action::kCreate;
        change.reason = shown + " matches first and " + WhatItDoes(line, method);
      }
      change.reason += "; pgpair's rule goes before it";
      details.placement = HbaRuleDetails::Placement::kInsertBefore;
      details.line_number = line.line_number;
      details.expected_text = FirstLine(line);
      plan->changes.push_back(Attach(std::move(change), std::move(details)));
      return;
    }
    change.action = Action::kCreate;
    change.reason = "no line of " + *file + " matches a replication connection as " + role + from +
                    ": the primary would refuse the standby";
    plan->changes.push_back(Attach(std::move(change), std::move(details)));
  }

  Status Perform(const Change& change, const HbaRuleDetails& details,
                 ApplyContext& context) const override {
    const HostSpec* host = context.manifest->FindHost(change.host);
    if (host == nullptr) return Status::Error(change.address + ": unknown host " + change.host);
    const std::string label = host->label();
    const std::string& file = details.file;
    const std::string& rule = details.line;
    const std::string& expected = details.expected_text;
    const bool replace = details.placement == HbaRuleDetails::Placement::kReplace;
    const bool insert = details.placement == HbaRuleDetails::Placement::kInsertBefore;
    const int line_number = details.line_number;

    Transport& transport = context.For(change.host);
    Result<std::string> text = ReadRemoteFile(transport, file);
    if (!text.ok()) return text.status();

    const std::string changed = label + ": " + file + " changed since the plan";
    if (replace || insert) {
      std::optional<std::string> now = HbaPhysicalLine(*text, line_number);
      if (!now || NormalizeHbaLine(*now) != NormalizeHbaLine(expected)) {
        return Status::Error(changed + " (line " + std::to_string(line_number) + " is now `" +
                             NormalizeHbaLine(now.value_or("")) + "`, the plan expected `" +
                             expected + "`); run plan again");
      }
    }
    std::string current = *text;
    if (!replace) {
      for (int n = 1; std::optional<std::string> line = HbaPhysicalLine(current, n); ++n) {
        if (NormalizeHbaLine(*line) != NormalizeHbaLine(rule)) continue;
        // A copy of pgpair's rule that an earlier line shadows is moved up:
        // the copy is commented out and the rule goes before that line.
        // A copy that already takes effect means a second run of the same
        // plan, which must not add a second line.
        if (!insert || n < line_number) {
          return Status::Error(changed + " (line " + std::to_string(n) +
                               " already holds pgpair's rule); run plan again");
        }
        Result<std::string> moved =
            ReplaceHbaLine(current, n, "#" + *line + "  # moved up by pgpair");
        if (!moved.ok()) return moved.status().WithContext(label + ": " + file);
        current = *moved;
      }
    }

    Result<std::string> edited =
        replace
            ? ReplaceHbaLine(current, line_number, rule)
            : InsertHbaLine(current, rule, insert ? std::optional<int>(line_number) : std::nullopt,
                            details.comment);
    if (!edited.ok()) return edited.status().WithContext(label + ": " + file);
    if (context.progress) context.progress("editing " + file + " on " + label);
    return WriteRemoteFileAtomic(transport, file, *edited, FileAttributes{});
  }

 private:
  // A login that still failed for want of an hba line although the file has
  // one: the file was not reloaded, or the standby comes from elsewhere.
  static void NoteFailedLogin(const PlanInput& input, const std::string& address, Plan* plan) {
    if (!input.login_check || input.login_check->succeeded) return;
    const std::string& message = input.login_check->message;
    if (message.find("pg_hba.conf") == std::string::npos) return;
    plan->notes.push_back(address +
                          ": the rule is in the file, yet the standby's replication "
                          "login failed: " +
                          message +
                          ". The server may not have reloaded pg_hba.conf, or the standby "
                          "connects from another address than hba.address");
  }
};

}  // namespace

nlohmann::json HbaRuleDetails::ToJson() const {
  nlohmann::json out = {{"file", file}, {"line", line}, {"comment", comment}};
  switch (placement) {
    case Placement::kAppend:
      out["placement"] = "append";
      return out;
    case Placement::kInsertBefore:
      out["placement"] = "insert_before";
      break;
    case Placement::kReplace:
      out["placement"] = "replace";
      break;
  }
  out["line_number"] = line_number;
  out["expected_text"] = expected_text;
  return out;
}

HbaMatch MatchReplicationLogin(const HbaLineFact& line, const std::string& role,
                               const std::string& client, std::optional<bool> server_ssl,
                               std::string* why) {
  std::string reason;
  if (line.error) {
    reason = "pgpair cannot read it";
    if (why) *why = reason;
    return HbaMatch::kMaybe;
  }
  HbaMatch match = MatchType(line.type, server_ssl, &reason);
  if (match == HbaMatch::kNo) return match;
  if (line.type == "local") return HbaMatch::kNo;
  bool directive = line.type.rfind("include", 0) == 0;
  if (!directive) {
    std::string part;
    // The first reason a line may match is the one worth telling.
    auto combine = [&](HbaMatch next) {
      if (next == HbaMatch::kMaybe && reason.empty()) reason = part;
      match = Weaker(match, next);
      part.clear();
    };
    combine(MatchDatabases(line.databases, &part));
    if (match == HbaMatch::kNo) return match;
    combine(MatchUsers(line.users, role, &part));
    if (match == HbaMatch::kNo) return match;
    combine(MatchAddress(line.address, client, &part));
  }
  if (why && match == HbaMatch::kMaybe) *why = reason;
  return match;
}

const Resource& HbaRuleResource() {
  static const HbaRule resource;
  return resource;
}

}  // namespace pgpair
