#include "resources/hba_rule.h"

#include <algorithm>
#include <vector>

#include "engine/edit/hba_edit.h"
#include "engine/facts/parsers/hba_address.h"
#include "engine/facts/setting_value.h"
#include "engine/transport/remote_files.h"

namespace pgpair {
namespace {

constexpr char kKind[] = "hba_rule";

HbaMatch Weaker(HbaMatch a, HbaMatch b) { return std::min(a, b); }

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

HbaMatch MatchDatabases(const std::vector<HbaToken>& databases, const HbaDatabase& wanted,
                        const std::string& role, std::string* why) {
  HbaMatch result = HbaMatch::kNo;
  for (const HbaToken& database : databases) {
    if (wanted.replication) {
      // Only the keyword matches a physical replication connection: not all,
      // and not a database called "replication" (quoted).
      if (database.IsKeyword("replication")) return HbaMatch::kYes;
    } else {
      // An ordinary login: `replication` never matches it, `all` always.
      if (database.IsKeyword("all")) return HbaMatch::kYes;
      if (database.IsKeyword("sameuser") && role == wanted.name) return HbaMatch::kYes;
      if (database.IsKeyword("samerole") || database.IsKeyword("samegroup")) {
        *why = "if " + role + " is a member of a role named " + wanted.name;
        result = HbaMatch::kMaybe;
        continue;
      }
      if (!IsHbaKeyword(database.value) || database.quoted) {
        if (database.value == wanted.name && !database.StartsWith('@')) return HbaMatch::kYes;
      }
    }
    if (database.StartsWith('@')) {
      *why = "depending on what " + database.value + " lists";
      result = HbaMatch::kMaybe;
    }
  }
  return result;
}

// Whether `user` is the role by name: a quoted name, or a plain word that is
// no keyword, +group or @file.
bool NamesRole(const HbaToken& user, const std::string& role) {
  return user.value == role &&
         (user.quoted || (!IsHbaKeyword(user.value) && !user.StartsWith('+') &&
                          !user.StartsWith('@') && !user.StartsWith('/')));
}

HbaMatch MatchUsers(const std::vector<HbaToken>& users, const std::string& role, std::string* why) {
  HbaMatch result = HbaMatch::kNo;
  for (const HbaToken& user : users) {
    if (user.IsKeyword("all") || NamesRole(user, role)) return HbaMatch::kYes;
    // A regular expression (16+) is one even when quoted, as the server reads it.
    if (user.StartsWith('+') || user.StartsWith('@') ||
        (!user.value.empty() && user.value[0] == '/')) {
      *why = user.value[0] == '+' ? "if " + role + " is a member of " + user.value.substr(1)
                                  : "depending on what " + user.Written() + " stands for";
      result = HbaMatch::kMaybe;
    }
  }
  return result;
}

HbaMatch MatchAddress(const std::optional<std::string>& address, const std::string& client,
                      std::string* why) {
  if (!address) return HbaMatch::kNo;
  std::optional<HbaCoverage> coverage = HbaAddressCoverage(*address, client);
  if (!coverage) {
    *why = *address == "samehost" || *address == "samenet"
               ? "depending on the primary's interfaces (" + *address + ")"
               : "depending on what " + *address + " resolves to";
    return HbaMatch::kMaybe;
  }
  if (*coverage == HbaCoverage::kSome) {
    *why = *address + " covers only part of " + client;
    return HbaMatch::kMaybe;
  }
  return *coverage == HbaCoverage::kAll ? HbaMatch::kYes : HbaMatch::kNo;
}

// How a line reads in a plan.
std::string Display(const HbaLineFact& line) { return HbaRecordDisplay(line.text); }

// What apply expects to find on the line's first physical line.
std::string FirstLine(const HbaLineFact& line) {
  return NormalizeHbaLine(line.text.substr(0, line.text.find('\n')));
}

// pgpair's own rule, whatever its method: host replication[,postgres]
// <role> <address>, as pgpair writes it now or wrote it before it admitted
// pg_rewind's login.
bool IsOurs(const HbaLineFact& line, const std::string& role, const std::string& address) {
  const auto& databases = line.databases;
  const bool names_ours = (databases.size() == 1 && databases[0].IsKeyword("replication")) ||
                          (databases.size() == 2 && databases[0].IsKeyword("replication") &&
                           !databases[1].quoted && databases[1].value == kRewindDatabase);
  return !line.error && line.type == "host" && names_ours && line.users.size() == 1 &&
         NamesRole(line.users[0], role) && line.address && SameHbaRange(*line.address, address);
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
      ssl = ParseSettingBool(*setting->value);
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
    details.line = FormatHbaLine("host", std::string("replication,") + kRewindDatabase,
                                 QuoteHbaName(role), client, method);
    details.comment = "pgpair: lets the standby " + standby.name +
                      " stream (replication) and pg_rewind rejoin it (postgres)";
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
        std::string rewind_why;
        const bool rewind_admitted =
            AdmitsRewindLogin(lines, role, client, method, ssl, &rewind_why);
        const bool ours = IsOurs(line, role, client);
        if (!rewind_admitted && ours && line.databases.size() == 1) {
          // pgpair's rule from before it admitted pg_rewind's login.
          change.action = Action::kUpdate;
          change.before = Display(line);
          change.reason = shown +
                          " is the rule for the standby but does not admit pg_rewind's login "
                          "to database " +
                          kRewindDatabase + " (" + rewind_why +
                          "): after a failover, the former primary could only be cloned "
                          "again, not rewound";
          details.placement = HbaRuleDetails::Placement::kReplace;
          details.line_number = line.line_number;
          details.expected_text = FirstLine(line);
          plan->changes.push_back(Attach(std::move(change), std::move(details)));
          return;
        }
        if (!ours) {
          plan->notes.push_back(address + ": " + shown + " already lets the standby in with " +
                                method + "; pgpair adds no rule of its own");
        }
        if (!rewind_admitted) {
          plan->notes.push_back(address + ": pg_rewind's login to database " + kRewindDatabase +
                                " as " + role + " from " + client + " is not admitted (" +
                                rewind_why + "); after a failover the former primary rejoins " +
                                "by a new clone, not by pg_rewind");
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
        // pgpair's own rule further down, shadowed by this line, is moved
        // up (apply comments the old copy out), not added a second time.
        for (const HbaLineFact& later : lines) {
          if (later.line_number <= line.line_number ||
              NormalizeHbaLine(FirstLine(later)) != NormalizeHbaLine(rule)) {
            continue;
          }
          change.action = Action::kUpdate;
          change.before = "line " + std::to_string(later.line_number) + ": " + *change.after;
          change.after = "before line " + std::to_string(line.line_number) + ": " + *change.after;
          change.reason = "pgpair's rule at line " + std::to_string(later.line_number) +
                          " is shadowed: " + change.reason + "; it is moved up before it";
          details.placement = HbaRuleDetails::Placement::kInsertBefore;
          details.line_number = line.line_number;
          details.expected_text = FirstLine(line);
          plan->changes.push_back(Attach(std::move(change), std::move(details)));
          return;
        }
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
  return MatchLogin(line, HbaDatabase{true, ""}, role, client, server_ssl, why);
}

HbaMatch MatchLogin(const HbaLineFact& line, const HbaDatabase& database, const std::string& role,
                    const std::string& client, std::optional<bool> server_ssl, std::string* why) {
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
    combine(MatchDatabases(line.databases, database, role, &part));
    if (match == HbaMatch::kNo) return match;
    combine(MatchUsers(line.users, role, &part));
    if (match == HbaMatch::kNo) return match;
    combine(MatchAddress(line.address, client, &part));
  }
  if (why && match == HbaMatch::kMaybe) *why = reason;
  return match;
}

bool AdmitsRewindLogin(std::vector<HbaLineFact> lines, const std::string& role,
                       const std::string& client, const std::string& method,
                       std::optional<bool> ssl, std::string* why) {
  std::stable_sort(lines.begin(), lines.end(), [](const HbaLineFact& a, const HbaLineFact& b) {
    return a.line_number < b.line_number;
  });
  for (const HbaLineFact& line : lines) {
    std::string maybe;
    HbaMatch match =
        MatchLogin(line, HbaDatabase{false, kRewindDatabase}, role, client, ssl, &maybe);
    if (match == HbaMatch::kNo) continue;
    if (!line.error && line.method == method && line.options.empty()) return true;
    *why = "line " + std::to_string(line.line_number) + " `" + HbaRecordDisplay(line.text) + "` " +
           (match == HbaMatch::kMaybe ? "may match first (" + maybe + ") and "
                                      : "matches first and ") +
           WhatItDoes(line, method);
    return false;
  }
  *why = "no line matches it";
  return false;
}

bool RewindLoginAdmittedAfterPlan(const PlanInput& input, std::string* why) {
  const Manifest& manifest = *input.manifest;
  const HostFacts* primary = input.primary;
  if (!manifest.hba || !manifest.hba->address || !manifest.replication) {
    *why = "the manifest declares no hba rule";
    return false;
  }
  if (primary == nullptr || !primary->hba.lines) {
    *why = "pg_hba.conf could not be read";
    return false;
  }
  const std::string& role = manifest.replication->role;
  const std::string& client = *manifest.hba->address;
  const std::string& method = manifest.hba->method;
  std::optional<bool> ssl;
  if (const SettingFact* setting = primary->FindSetting("ssl"); setting && setting->value) {
    ssl = ParseSettingBool(*setting->value);
  }
  std::vector<HbaLineFact> lines = *primary->hba.lines;
  if (AdmitsRewindLogin(lines, role, client, method, ssl, why)) return true;

  Plan planned;
  HbaRuleResource().Diff(input, &planned);
  if (planned.changes.empty() || !planned.blockers.empty()) return false;
  const HbaRuleDetails* details = DetailsOf<HbaRuleDetails>(planned.changes[0]);
  if (details == nullptr) return false;
  // The file as the change leaves it, by line number: the rule at its place.
  HbaLineFact rule;
  rule.type = "host";
  rule.databases = {HbaToken{"replication", false}, HbaToken{kRewindDatabase, false}};
  rule.users = {HbaToken{role, false}};
  rule.address = client;
  rule.method = method;
  rule.text = details->line;
  const int at = details->line_number;
  switch (details->placement) {
    case HbaRuleDetails::Placement::kAppend:
      rule.line_number = 1;
      for (const HbaLineFact& line : lines)
        rule.line_number = std::max(rule.line_number, line.line_number + 1);
      lines.push_back(rule);
      break;
    case HbaRuleDetails::Placement::kInsertBefore:
      for (HbaLineFact& line : lines) {
        if (line.line_number >= at) ++line.line_number;
      }
      rule.line_number = at;
      lines.push_back(rule);
      break;
    case HbaRuleDetails::Placement::kReplace:
      for (HbaLineFact& line : lines) {
        if (line.line_number == at) line = rule, line.line_number = at;
      }
      break;
  }
  return AdmitsRewindLogin(lines, role, client, method, ssl, why);
}

const Resource& HbaRuleResource() {
  static const HbaRule resource;
  return resource;
}

}  // namespace pgpair
