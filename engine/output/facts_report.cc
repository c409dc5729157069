#include "engine/output/facts_report.h"

#include <iomanip>
#include <sstream>

#include "engine/edit/hba_edit.h"
#include "engine/facts/parsers/apply_holder.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

constexpr const char* kUnknown = "unknown";

std::string Or(const std::optional<std::string>& value, const char* fallback = kUnknown) {
  return value ? *value : fallback;
}

std::string YesNo(const std::optional<bool>& value, const char* yes, const char* no) {
  if (!value) return kUnknown;
  return *value ? yes : no;
}

void Line(std::ostringstream& out, const char* topic, const std::string& text) {
  out << "  " << std::left << std::setw(12) << topic << text << "\n";
}

std::string ServerLine(const HostFacts& f) {
  std::string text = "PostgreSQL " + (f.server.version ? *f.server.version
                                      : f.server.major ? std::to_string(*f.server.major)
                                                       : std::string(kUnknown));
  if (!f.server.running) return text + ", state unknown";
  if (!*f.server.running) return text + ", stopped";
  text += ", running";
  if (f.server.postmaster_pid) text += " (pid " + std::to_string(*f.server.postmaster_pid);
  if (f.server.start_time) text += ", since " + *f.server.start_time;
  if (f.server.postmaster_pid) text += ")";
  text += ", " + YesNo(f.server.in_recovery, "in recovery (standby)", "not in recovery (primary)");
  return text;
}

std::string SettingLine(const HostFacts& f, const std::string& name) {
  const SettingFact* setting = f.FindSetting(name);
  std::string text = name + " = ";
  if (setting) {
    text += setting->value ? "'" + *setting->value + "'" : kUnknown;
    if (setting->unit) text += " " + *setting->unit;
    if (setting->source_file) {
      text += "  (" + *setting->source_file;
      if (setting->source_line) text += ":" + std::to_string(*setting->source_line);
      text += ")";
    } else if (setting->source) {
      text += "  (" + *setting->source + ")";
    }
    if (setting->pending_restart.value_or(false)) text += "  [pending restart]";
    return text;
  }
  // The server is down or does not know the setting: show the files' value.
  if (f.file_settings) {
    for (auto it = f.file_settings->rbegin(); it != f.file_settings->rend(); ++it) {
      if (it->name == name)
        return text + "'" + it->value + "'  (" + it->file + ":" + std::to_string(it->line) +
               ", from the file)";
    }
    return text + "not set in the files";
  }
  return text + kUnknown;
}

std::string HbaSummary(const HostFacts& f) {
  if (!f.hba.lines) return Or(f.hba.file) + ": unknown";
  int rules = 0, errors = 0;
  std::vector<std::string> replication;
  for (const HbaLineFact& line : *f.hba.lines) {
    if (line.error) {
      ++errors;
      continue;
    }
    ++rules;
    for (const HbaToken& db : line.databases) {
      if (db.IsKeyword("replication")) {
        replication.push_back("line " + std::to_string(line.line_number) + " `" +
                              HbaRecordDisplay(line.text) + "`");
        break;
      }
    }
  }
  std::string text = Or(f.hba.file) + ": " + std::to_string(rules) + " rules";
  if (errors) text += ", " + std::to_string(errors) + " unparsable lines";
  if (f.hba.server_rules) {
    int server_errors = 0;
    for (const HbaRuleFact& rule : *f.hba.server_rules) server_errors += rule.error ? 1 : 0;
    text += server_errors ? ", server reports " + std::to_string(server_errors) + " errors"
                          : ", server accepts the file";
  }
  if (!replication.empty()) text += "; replication: " + Join(replication, "; ");
  return text;
}

std::string RoleLine(const RoleFact& r) {
  if (r.exists && !*r.exists) return r.name + ": does not exist";
  std::vector<std::string> traits;
  traits.push_back(YesNo(r.can_login, "login", "nologin"));
  traits.push_back(YesNo(r.replication, "replication", "noreplication"));
  if (r.superuser.value_or(false)) traits.push_back("superuser");
  if (r.connection_limit) {
    traits.push_back(*r.connection_limit < 0
                         ? "no connection limit"
                         : "connection limit " + std::to_string(*r.connection_limit));
  }
  if (r.has_password) {
    traits.push_back(*r.has_password ? "password set (" + Or(r.password_kind) + ")"
                                     : "no password");
  }
  return r.name + ": " + Join(traits, ", ");
}

std::string RecoveryLine(const HostFacts& f) {
  std::vector<std::string> parts;
  if (f.recovery.standby_signal.value_or(false)) parts.push_back("standby.signal");
  if (f.recovery.recovery_signal.value_or(false)) parts.push_back("recovery.signal");
  if (f.recovery.recovery_conf.value_or(false)) parts.push_back("recovery.conf");
  if (!f.recovery.standby_signal && !f.recovery.recovery_conf) return kUnknown;
  std::string text = parts.empty() ? "no standby.signal or recovery.conf" : Join(parts, ", ");
  if (f.recovery.primary_conninfo && !f.recovery.primary_conninfo->empty()) {
    text += "; primary_conninfo '" + *f.recovery.primary_conninfo + "'";
  }
  return text;
}

std::string ArchiveLine(const HostFacts& f) {
  if (!f.archive) return "not declared";
  const ArchiveDirFacts& a = *f.archive;
  if (!a.exists) return a.path + ": unknown";
  if (!*a.exists) return a.path + ": missing";
  std::string text = a.path + ": " + YesNo(a.is_directory, "directory", "not a directory");
  text += ", owner " + Or(a.owner) + ":" + Or(a.group) + ", mode " + Or(a.mode);
  return text;
}

std::string ReplicationLine(const HostFacts& f) {
  const ReplicationFacts& r = f.replication;
  std::vector<std::string> parts;
  if (!r.senders) {
    parts.push_back("senders unknown");
  } else if (r.senders->empty()) {
    parts.push_back("no standby connected");
  } else {
    for (const WalSenderFact& s : *r.senders) {
      parts.push_back("sending to " + Or(s.client_addr) + " (" + Or(s.application_name) + ", " +
                      Or(s.state) + ", " + Or(s.sync_state) + ")");
    }
  }
  if (r.receiver) {
    std::string text =
        "receiving from " + Or(r.receiver->sender_host, "?") + " (" + Or(r.receiver->status) + ")";
    if (r.replay_delay_seconds) {
      std::ostringstream delay;
      delay << std::fixed << std::setprecision(1) << *r.replay_delay_seconds;
      text += ", last replayed commit " + delay.str() + " s ago";
    }
    parts.push_back(text);
  } else if (r.receiver_present && !*r.receiver_present && f.server.in_recovery.value_or(false)) {
    parts.push_back("in recovery but no WAL receiver");
  }
  if (r.slots && !r.slots->empty()) {
    std::vector<std::string> slots;
    for (const SlotFact& s : *r.slots) {
      slots.push_back(s.name + (s.active.value_or(false) ? " (active)" : " (inactive)"));
    }
    parts.push_back("slots " + Join(slots, ", "));
  }
  return Join(parts, "; ");
}

}  // namespace

std::string FormatFactsReport(const PairFacts& facts,
                              const std::vector<std::string>& settings_of_interest) {
  std::ostringstream out;
  out << "pair " << facts.pair << "\n";
  for (const HostFacts& f : facts.hosts) {
    out << "\n" << f.name << " (" << f.address << ")";
    if (!f.declared_role.empty()) out << ", declared " << f.declared_role;
    out << "\n";
    if (f.os.pretty_name || f.os.architecture) {
      Line(out, "os",
           Or(f.os.pretty_name) + ", " + Or(f.os.architecture) + ", kernel " + Or(f.os.kernel) +
               ", hostname " + Or(f.os.hostname));
    }
    Line(out, "server", ServerLine(f));
    Line(out, "cluster",
         Or(f.layout.cluster, "-") + "  data " + Or(f.layout.data_dir) + "  port " +
             (f.layout.port ? std::to_string(*f.layout.port) : kUnknown) + "  bin " +
             Or(f.layout.bin_dir));
    Line(out, "config", Or(f.layout.config_file));
    Line(
        out, "system id",
        Or(f.server.system_identifier) + "  (" + Or(f.server.cluster_state, "state unknown") + ")");
    bool first = true;
    for (const std::string& name : settings_of_interest) {
      Line(out, first ? "settings" : "", SettingLine(f, name));
      first = false;
    }
    if (f.settings) {
      std::vector<std::string> pending;
      for (const SettingFact& s : *f.settings) {
        if (s.pending_restart.value_or(false)) pending.push_back(s.name);
      }
      if (!pending.empty()) Line(out, "pending", "restart needed for " + Join(pending, ", "));
    }
    Line(out, "hba", HbaSummary(f));
    if (!f.roles) {
      Line(out, "roles", kUnknown);
    } else {
      bool first_role = true;
      for (const RoleFact& role : *f.roles) {
        Line(out, first_role ? "roles" : "", RoleLine(role));
        first_role = false;
      }
    }
    Line(out, "recovery", RecoveryLine(f));
    Line(out, "archive", ArchiveLine(f));
    Line(out, "replication", ReplicationLine(f));
    if (f.apply_in_progress) {
      Line(out, "apply", "in progress: " + DescribeApplyHolder(*f.apply_in_progress));
    }
    for (const FactProblem& problem : f.problems) {
      Line(out, "problem", problem.topic + ": " + problem.message);
    }
    std::ostringstream gathered;
    gathered << std::fixed << std::setprecision(2) << f.gather_seconds << " s, "
             << f.ssh_connections << " SSH connection" << (f.ssh_connections == 1 ? "" : "s")
             << ", " << f.exec_round_trips << " round trip" << (f.exec_round_trips == 1 ? "" : "s");
    Line(out, "gathered", gathered.str());
  }
  return out.str();
}

}  // namespace pgpair
