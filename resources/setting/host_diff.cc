#include "resources/setting/host_diff.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "engine/facts/parsers/postgresql_conf.h"
#include "engine/util/text.h"
#include "resources/setting.h"
#include "resources/setting/wal_keep.h"

namespace pgpair {
namespace {

// pg_settings.source values that belong to the session pgpair queried through
// (ALTER ROLE/DATABASE ... SET, the client), not to the server as a whole.
constexpr std::string_view kSessionSources[] = {"global", "database",    "user", "database user",
                                                "client", "interactive", "test", "session"};

// Sources that override every configuration file.
constexpr std::string_view kOverridingSources[] = {"command line", "override"};

template <size_t N>
bool OneOf(std::string_view value, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

std::string Where(const FileSettingFact& row) { return row.file + ":" + std::to_string(row.line); }

// What the server reads from a value as the manifest writes it.
std::string ServerReading(const std::string& written) {
  Result<std::string> unquoted = UnquoteConfValue(written);
  return unquoted.ok() ? *unquoted : written;
}

// Values from pg_settings and pg_file_settings are already the server's
// reading; quoting them makes CanonicalSettingValue take them as they are.
bool Equal(const SettingType& type, const std::string& server_value,
           const DesiredSetting& desired) {
  return SettingValuesEqual(type, QuoteConfValue(server_value), desired.value);
}
bool SameServerValue(const SettingType& type, const std::string& a, const std::string& b) {
  return SettingValuesEqual(type, QuoteConfValue(a), QuoteConfValue(b));
}

// Strings the server stores in its own case: DateStyle, TimeZone.
bool Respelled(const SettingType& type, const std::string& a, const std::string& b) {
  return type.vartype == SettingVartype::kString && EqualsIgnoringCase(a, b);
}

// A running server's value of one setting against the desired one.
struct ServerComparison {
  bool runs_desired = false;        // the server-wide value is the desired one
  bool has_winning_line = false;    // a configuration file line sets the name
  bool file_holds_desired = false;  // ... and holds the desired value
  // The server read its value from that very line and waits for no restart.
  bool read_from_winning_line = false;
  bool winning_line_respelled = false;  // the line differs from the desired only in case
  bool running_respelled = false;       // the running value differs from it only in case
  bool pending_restart = false;         // pg_settings.pending_restart
  // The desired value is the compiled-in default (boot_val), no restart pending.
  bool asks_for_default = false;
  bool source_is_default = false;  // pg_settings.source is "default"
};

// What a running server's setting needs.
enum class ServerVerdict {
  kConverged,            // nothing
  kClearPendingRestart,  // it runs the value, but waits for a restart: a reload clears that
  kRewriteLine,          // it runs the value, but the winning line would change it
  kAwaitingStep,         // the winning line holds it, not yet taken: the reload or restart
  kWrite,                // the value is written, then reloaded or restarted into
};

ServerVerdict Judge(const ServerComparison& c) {
  if (c.runs_desired) {
    if (!c.has_winning_line || c.file_holds_desired) {
      return c.pending_restart ? ServerVerdict::kClearPendingRestart : ServerVerdict::kConverged;
    }
    if (c.read_from_winning_line && c.winning_line_respelled) return ServerVerdict::kConverged;
    return ServerVerdict::kRewriteLine;
  }
  // Some values run in another form than the one read: a computed default
  // (wal_buffers = -1 runs as 512 blocks of 8kB) or the server's own
  // spelling (DateStyle 'iso, mdy' runs as 'ISO, MDY'). Taken from the very
  // line or default that holds the desired value, that is no difference.
  // (Misread only if that line was edited in place and never reloaded.)
  if (c.asks_for_default && !c.has_winning_line && c.source_is_default) {
    return ServerVerdict::kConverged;
  }
  if (c.file_holds_desired && c.read_from_winning_line &&
      (c.asks_for_default || c.running_respelled)) {
    return ServerVerdict::kConverged;
  }
  return c.file_holds_desired ? ServerVerdict::kAwaitingStep : ServerVerdict::kWrite;
}

// The reason's second half: who asks for the value.
std::string WantedBy(const DesiredSetting& desired, const std::string& after) {
  if (!desired.why.empty()) return desired.why;
  return "the manifest asks for " + after + " (" + desired.mark.ToString() + ")";
}

// Plans the settings of one host.
class HostDiff {
 public:
  HostDiff(const HostFacts& facts, std::string host, Plan* plan)
      : facts_(facts), host_(std::move(host)), plan_(plan) {}

  void Run(std::vector<DesiredSetting> desired) {
    if (desired.empty()) return;
    if (!facts_.server.running) {
      Block(
          "cannot tell whether PostgreSQL runs, so its settings cannot be compared; "
          "settings are not planned");
      return;
    }
    running_ = *facts_.server.running;
    if (running_ && !facts_.settings) {
      Block("the server runs but pg_settings could not be read; settings are not planned");
      return;
    }
    if (!running_ && !facts_.file_settings) {
      Block(
          "the server is stopped and its configuration files could not be read; "
          "settings are not planned");
      return;
    }
    if (running_ && !facts_.file_settings) {
      plan_->notes.push_back(host_ +
                             ": pg_file_settings could not be read: a value already written "
                             "but not yet loaded by the server is planned as a new change");
    }
    if (!TranslateWalKeep(facts_, host_, &desired, plan_)) {
      // Blocked; the other settings are still planned.
      desired.erase(std::remove_if(desired.begin(), desired.end(),
                                   [](const DesiredSetting& setting) {
                                     return setting.name == "wal_keep_segments" ||
                                            setting.name == "wal_keep_size";
                                   }),
                    desired.end());
    }
    for (const DesiredSetting& setting : desired) DiffOne(setting);
    NoteUnmanagedPendingRestarts(desired);
  }

 private:
  void Block(const std::string& message) { plan_->blockers.push_back({host_, message}); }

  bool CheckValue(const DesiredSetting& desired, const SettingType& type) {
    std::optional<std::string> refused = RefusedValueMessage(desired, type);
    if (refused) Block(*refused);
    return !refused;
  }

  // A value the server refused at its last start (apply recorded it) is
  // refused again here for as long as the manifest asks for it: restarting
  // into it would only fail again.
  bool RefusedBefore(const DesiredSetting& desired) {
    if (!facts_.refused_settings) return false;
    SettingType type = SettingTypeFor(desired.name, facts_.FindSetting(desired.name));
    for (const RefusedSettingFact& refused : *facts_.refused_settings) {
      if (refused.name != desired.name ||
          !SettingValuesEqual(type, QuoteConfValue(refused.value), desired.value)) {
        continue;
      }
      Block("the server refused " + desired.name + " = " +
            DisplaySettingValue(type, refused.value) + " at its last start (" + refused.time +
            (refused.log_line.empty() ? std::string() : ": " + refused.log_line) +
            "); change the manifest (" + desired.mark.ToString() + ")");
      return true;
    }
    return false;
  }

  void DiffOne(const DesiredSetting& desired) {
    if (RefusedBefore(desired)) return;
    if (!running_) {
      std::optional<SettingType> known = KnownSettingType(desired.name);
      if (!known) {
        plan_->notes.push_back(host_ + ": " + SettingSubject(desired) +
                               " is not in pgpair's table and the server is stopped: PostgreSQL "
                               "checks its name and value when it starts");
      }
      // Without the server's word, the table's context decides; a stopped
      // server must start anyway, which takes any reloadable value.
      bool postmaster = known && known->context == "postmaster";
      DiffAgainstFiles(desired, SettingTypeFor(desired.name, nullptr),
                       postmaster ? Impact::kRestart : Impact::kReload, "the server is stopped");
      return;
    }
    const SettingFact* server = facts_.FindSetting(desired.name);
    if (server) {
      DiffAgainstServer(desired, *server);
    } else if (desired.name.find('.') != std::string::npos) {
      // An extension's setting is listed only once the extension is loaded;
      // the server accepts it in a file before that.
      DiffAgainstFiles(desired, SettingTypeFor(desired.name, nullptr), Impact::kReload,
                       "the server does not list this extension setting");
    } else {
      std::string version = facts_.server.version ? " " + *facts_.server.version : "";
      Block(SettingSubject(desired) + " is not a parameter of PostgreSQL" + version +
            " (pg_settings does not list it): the server would refuse a configuration file "
            "that sets it; check the name");
    }
  }

  Change NewChange(const DesiredSetting& desired, const SettingType& type) const {
    Change change;
    change.resource = kSettingKind;
    change.address = std::string(kSettingKind) + "[" + host_ + "/" + desired.name + "]";
    change.host = host_;
    change.after = DisplaySettingValue(type, ServerReading(desired.value));
    return change;
  }

  // Adds `change`: `desired` written into `file` (or, with !write, already
  // there), taken by the reload or restart its impact names.
  void Emit(Change change, const DesiredSetting& desired, const std::string& file, bool write) {
    SettingDetails details{desired.name, ServerReading(desired.value), file, write};
    change.server_step = change.impact == Impact::kRestart  ? ServerStep::kRestart
                         : change.impact == Impact::kReload ? ServerStep::kReload
                                                            : ServerStep::kNone;
    change.checks = {ServerCheck::kFileSettings};
    if (write) change.edited_files = {file};
    change.setting = WrittenSetting{details.name, details.value};
    SetDetails(change, std::move(details));
    plan_->changes.push_back(std::move(change));
  }

  // Where a value goes when no file sets the name yet.
  std::optional<std::string> MainConfigFile(const DesiredSetting& desired) {
    if (facts_.layout.config_file) return facts_.layout.config_file;
    Block(SettingSubject(desired) +
          " cannot be written: the main configuration file is unknown; "
          "name it in the manifest (postgres: config_file:)");
    return std::nullopt;
  }

  // A stopped server, or a setting it does not list: the files are the truth.
  void DiffAgainstFiles(const DesiredSetting& desired, const SettingType& type, Impact impact,
                        const std::string& situation) {
    if (!CheckValue(desired, type)) return;
    const FileSettingFact* winning = WinningFileSetting(facts_, desired.name);
    if (winning && Equal(type, winning->value, desired)) return;
    // Nothing sets it, and the stopped server's default is the value.
    if (!winning && !running_ && facts_.server.major) {
      std::optional<std::string> built_in = BuiltInDefault(desired.name, *facts_.server.major);
      if (built_in && Equal(type, *built_in, desired)) return;
    }
    Change change = NewChange(desired, type);
    std::string file;
    std::string now;
    if (winning) {
      change.action = Action::kUpdate;
      change.before = DisplaySettingValue(type, winning->value);
      file = winning->file;
      now = Where(*winning) + " sets " + *change.before;
    } else {
      std::optional<std::string> main_file = MainConfigFile(desired);
      if (!main_file) return;
      change.action = Action::kCreate;
      file = *main_file;
      now = "no configuration file sets it";
    }
    change.impact = impact;
    change.reason = situation + "; " + now + "; " + WantedBy(desired, *change.after);
    Emit(std::move(change), desired, file, /*write=*/true);
  }

  // The server runs with the desired value but reports pending_restart: it
  // read another value at an earlier reload. A reload clears the flag only
  // when a file sets the running value (the server compares what it reads
  // with what it runs), so a name no file sets any more is written too.
  void PlanClearingReload(const DesiredSetting& desired, const SettingType& type,
                          const FileSettingFact* winning) {
    Change change = NewChange(desired, type);
    change.action = Action::kUpdate;
    change.before = *change.after + " (pending_restart)";
    change.impact = Impact::kReload;
    if (winning) {
      change.reason = "the server runs with " + *change.after + " and " + Where(*winning) +
                      " holds it, but pg_settings still reports a restart pending for a value "
                      "read at an earlier reload; a reload clears it";
      Emit(std::move(change), desired, winning->file, /*write=*/false);
      return;
    }
    std::optional<std::string> main_file = MainConfigFile(desired);
    if (!main_file) return;
    change.action = Action::kCreate;
    change.reason = "the server runs with " + *change.after +
                    ", but no file sets it any more and pg_settings reports a restart pending; "
                    "written into " +
                    *main_file + " and reloaded, the server sees its own value and clears it; " +
                    WantedBy(desired, *change.after);
    Emit(std::move(change), desired, *main_file, /*write=*/true);
  }

  // Settings the manifest does not manage that wait for a restart: the plan
  // says so, since pgpair restarts only for its own changes.
  void NoteUnmanagedPendingRestarts(const std::vector<DesiredSetting>& desired) {
    if (!running_ || !facts_.settings) return;
    std::string list;
    for (const SettingFact& setting : *facts_.settings) {
      if (!setting.pending_restart.value_or(false)) continue;
      // Recovery settings are the recovery config resource's, which plans
      // their restart itself.
      const std::string name = Lowercase(setting.name);
      if (FindDesired(desired, name) || IsRecoverySetting(name)) continue;
      list += (list.empty() ? "" : ", ") + setting.name;
    }
    if (list.empty()) return;
    plan_->notes.push_back(host_ + ": the server waits for a restart to apply " + list +
                           " (pg_settings.pending_restart), which the manifest does not "
                           "manage: pgpair restarts only for a change of its own, so that "
                           "restart is still owed unless this plan restarts " +
                           host_ + " anyway");
  }

  void DiffAgainstServer(const DesiredSetting& desired, const SettingFact& server) {
    SettingType type = SettingTypeFor(desired.name, &server);
    if (!CheckValue(desired, type)) return;
    const std::string context = type.context.value_or("");
    if (context == "internal") {
      Block(SettingSubject(desired) +
            " cannot be set: PostgreSQL fixes it when it is built or when "
            "initdb runs (pg_settings.context is internal)");
      return;
    }
    const std::string source = server.source.value_or("");
    if (OneOf(source, kOverridingSources)) {
      Block(SettingSubject(desired) + " is set on the server's " + source +
            " (pg_settings.source), which overrides every configuration file; remove it "
            "from the service's options (Debian: pg_ctl.conf) first");
      return;
    }
    const FileSettingFact* winning = WinningFileSetting(facts_, desired.name);

    std::optional<std::string> effective = server.value;
    if (OneOf(source, kSessionSources)) {
      // pgpair's own session sees a per-role or per-database value; the
      // server-wide one is in the files.
      effective = winning ? std::optional<std::string>(winning->value) : std::nullopt;
    } else if (desired.name == "archive_command" && server.value == "(disabled)") {
      // SHOW hides archive_command while archive_mode is off.
      effective = winning ? winning->value : server.boot_value.value_or("");
    }
    const std::string reading = ServerReading(desired.value);
    ServerComparison c;
    c.runs_desired = effective && Equal(type, *effective, desired);
    c.has_winning_line = winning != nullptr;
    c.file_holds_desired = winning && Equal(type, winning->value, desired);
    c.pending_restart = server.pending_restart.value_or(false);
    c.read_from_winning_line = winning && source == "configuration file" &&
                               server.source_file == winning->file &&
                               server.source_line == winning->line && !c.pending_restart;
    c.winning_line_respelled = winning && Respelled(type, winning->value, reading);
    c.running_respelled = effective && Respelled(type, *effective, reading);
    c.asks_for_default =
        server.boot_value && Equal(type, *server.boot_value, desired) && !c.pending_restart;
    c.source_is_default = source == "default";

    switch (Judge(c)) {
      case ServerVerdict::kConverged:
        return;
      case ServerVerdict::kClearPendingRestart:
        PlanClearingReload(desired, type, winning);
        return;
      case ServerVerdict::kRewriteLine:
        RewriteLine(desired, type, *winning, c.pending_restart);
        return;
      case ServerVerdict::kAwaitingStep:
        ShowAwaitedStep(desired, type, effective, *winning);
        return;
      case ServerVerdict::kWrite:
        Write(desired, type, server, effective, winning);
        return;
    }
  }

  // The server runs with the value, but the files say otherwise: the next
  // reload or restart (perhaps pgpair's own, for another setting) would
  // change it. Writing needs neither, unless the server already read the
  // other value and waits for a restart to take it.
  void RewriteLine(const DesiredSetting& desired, const SettingType& type,
                   const FileSettingFact& winning, bool pending) {
    Change change = NewChange(desired, type);
    change.action = Action::kUpdate;
    change.before = DisplaySettingValue(type, winning.value);
    change.impact = pending ? Impact::kReload : Impact::kNone;
    change.reason = "the server runs with " + *change.after + ", but " + Where(winning) +
                    " holds " + *change.before +
                    (pending ? ", which it has read and waits for a restart to take "
                               "(pending_restart): a reload after the edit clears that; "
                             : ", which it would take at the next reload or restart; ") +
                    WantedBy(desired, *change.after);
    Emit(std::move(change), desired, winning.file, /*write=*/true);
  }

  static bool NeedsRestart(const SettingType& type) {
    const std::string context = type.context.value_or("");
    return context == "postmaster" || context.empty();
  }

  // Written before (by pgpair or by hand) and not yet taken: show what it
  // waits for, and never write it again.
  void ShowAwaitedStep(const DesiredSetting& desired, const SettingType& type,
                       const std::optional<std::string>& effective,
                       const FileSettingFact& winning) {
    const bool restart = NeedsRestart(type);
    Change change = NewChange(desired, type);
    if (effective) change.before = DisplaySettingValue(type, *effective);
    change.impact = restart ? Impact::kRestart : Impact::kReload;
    change.action = Action::kUpdate;
    change.reason = "already written in " + Where(winning) + ", waiting for a " +
                    (restart ? "restart" : "reload");
    Emit(std::move(change), desired, winning.file, /*write=*/false);
  }

  void Write(const DesiredSetting& desired, const SettingType& type, const SettingFact& server,
             const std::optional<std::string>& effective, const FileSettingFact* winning) {
    Change change = NewChange(desired, type);
    if (effective) change.before = DisplaySettingValue(type, *effective);
    change.impact = NeedsRestart(type) ? Impact::kRestart : Impact::kReload;
    const std::string source = server.source.value_or("");
    std::string file;
    std::string now;
    if (winning) {
      change.action = Action::kUpdate;
      file = winning->file;
      now = Where(*winning) + " sets " + DisplaySettingValue(type, winning->value);
      if (effective && !SameServerValue(type, *effective, winning->value)) {
        now += " (the server still runs with " + *change.before + ")";
      }
    } else if (!facts_.file_settings && source == "configuration file" && server.source_file) {
      change.action = Action::kUpdate;
      file = *server.source_file;
      now = *server.source_file + ":" + std::to_string(server.source_line.value_or(0)) + " sets " +
            change.before.value_or("?");
    } else {
      std::optional<std::string> main_file = MainConfigFile(desired);
      if (!main_file) return;
      change.action = Action::kCreate;
      file = *main_file;
      now = "no configuration file sets it (the server runs with " +
            (source.empty() ? std::string("an unknown source") : "its " + source) + " " +
            change.before.value_or("?") + ")";
    }
    change.reason = now + "; " + WantedBy(desired, *change.after);
    Emit(std::move(change), desired, file, /*write=*/true);
  }

  const HostFacts& facts_;
  const std::string host_;
  Plan* plan_;
  bool running_ = false;
};

}  // namespace

void DiffHostSettings(const HostFacts& facts, const std::string& host,
                      std::vector<DesiredSetting> desired, Plan* plan) {
  HostDiff(facts, host, plan).Run(std::move(desired));
}

}  // namespace pgpair
