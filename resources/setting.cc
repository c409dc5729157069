#include "resources/setting.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "engine/edit/conf_edit.h"
#include "engine/facts/parsers/postgresql_conf.h"
#include "engine/facts/setting_value.h"
#include "engine/transport/remote_files.h"
#include "engine/util/shell_quote.h"

namespace pgpair {
namespace {

constexpr char kKind[] = "setting";

// Written by the recovery config resource, which knows the primary's address
// and the replication password.
constexpr std::string_view kRecoverySettings[] = {"primary_conninfo", "primary_slot_name",
                                                  "restore_command"};

// Hot standby does not start when one of these is lower than on the primary.
constexpr std::string_view kStandbyMinimums[] = {"max_connections", "max_worker_processes",
                                                 "max_wal_senders", "max_prepared_transactions",
                                                 "max_locks_per_transaction"};

// pg_basebackup -X stream holds two WAL senders while it clones, and each
// streaming standby one.
constexpr long long kWalSendersForClone = 2;
constexpr long long kStandbys = 1;

// pg_settings.source values that belong to the session pgpair queried through
// (ALTER ROLE/DATABASE ... SET, the client), not to the server as a whole.
constexpr std::string_view kSessionSources[] = {"global", "database",    "user", "database user",
                                                "client", "interactive", "test", "session"};

// Sources that override every configuration file.
constexpr std::string_view kOverridingSources[] = {"command line", "override"};

template <size_t N>
bool OneOf(std::string_view value, const std::string_view (&list)[N]) {
  for (std::string_view item : list) {
    if (value == item) return true;
  }
  return false;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

const SettingSpec* FindSpec(const std::vector<SettingSpec>& specs, std::string_view name) {
  for (const SettingSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const DesiredSetting* FindDesired(const std::vector<DesiredSetting>& desired,
                                  std::string_view name) {
  for (const DesiredSetting& setting : desired) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

// pg_settings and pg_file_settings spell some names in mixed case
// ("DateStyle"); the manifest's are lowercased.
const SettingFact* FindServerSetting(const HostFacts& facts, const std::string& name) {
  if (!facts.settings) return nullptr;
  for (const SettingFact& setting : *facts.settings) {
    if (Lower(setting.name) == name) return &setting;
  }
  return nullptr;
}

// The configuration file line the server takes `name` from: the last one read.
const FileSettingFact* WinningFileSetting(const HostFacts& facts, const std::string& name) {
  if (!facts.file_settings) return nullptr;
  const FileSettingFact* winning = nullptr;
  for (const FileSettingFact& row : *facts.file_settings) {
    if (Lower(row.name) == name) winning = &row;
  }
  return winning;
}

// Strings the server stores in its own case: DateStyle, TimeZone.
bool Respelled(const SettingType& type, const std::string& a, const std::string& b) {
  return type.vartype == SettingVartype::kString && Lower(a) == Lower(b);
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

// The type to compare values of `name` with: the running server's word
// (pg_settings) over pgpair's table of PostgreSQL 15, a string when neither
// knows the name.
SettingType TypeFor(const std::string& name, const SettingFact* server) {
  std::optional<SettingType> known = KnownSettingType(name);
  SettingType type;
  if (known) type = *known;
  type.name = name;
  if (server) {
    if (server->vartype) {
      Result<SettingVartype> vartype = ParseSettingVartype(*server->vartype);
      if (vartype.ok() && *vartype != type.vartype) {
        type.vartype = *vartype;
        type.enumvals.clear();
      }
    }
    type.unit = server->unit.value_or("");
    if (server->context) type.context = server->context;
  }
  return type;
}

struct UnitSize {
  const char* name;
  long long size;  // in bytes or microseconds
};
constexpr UnitSize kMemoryUnits[] = {
    {"TB", 1LL << 40}, {"GB", 1LL << 30}, {"MB", 1LL << 20}, {"kB", 1LL << 10}, {"B", 1}};
constexpr UnitSize kTimeUnits[] = {{"d", 86400000000LL}, {"h", 3600000000LL}, {"min", 60000000LL},
                                   {"s", 1000000LL},     {"ms", 1000LL},      {"us", 1LL}};

// A pg_settings unit: "8kB" is 8 of kB, "MB" 1 of MB.
struct ScaledUnit {
  long long count;
  std::string_view name;  // points into the unit string
};
std::optional<ScaledUnit> SplitUnit(const std::string& unit) {
  size_t digits = unit.find_first_not_of("0123456789");
  if (digits == std::string::npos) return std::nullopt;
  return ScaledUnit{digits == 0 ? 1 : std::atoll(unit.substr(0, digits).c_str()),
                    std::string_view(unit).substr(digits)};
}

// An integer in the setting's own unit as SHOW prints it: in the largest unit
// that holds it exactly ("16384" of 8kB is "128MB"); zero and negative
// numbers (off, automatic) without a unit.
std::string WithUnit(const std::string& canonical, const std::string& unit) {
  long long number = std::strtoll(canonical.c_str(), nullptr, 10);
  if (unit.empty() || number <= 0) return canonical;
  std::optional<ScaledUnit> scaled = SplitUnit(unit);
  if (!scaled) return canonical;
  const long long count = scaled->count;
  const std::string_view name = scaled->name;
  auto pick = [&](const auto& units) -> std::optional<std::string> {
    long long base = 0;
    for (const UnitSize& u : units) {
      if (name == u.name) base = u.size * count;
    }
    if (base == 0) return std::nullopt;
    long long total = number * base;
    for (const UnitSize& u : units) {
      if (total % u.size == 0) return std::to_string(total / u.size) + u.name;
    }
    return std::nullopt;
  };
  if (auto shown = pick(kMemoryUnits)) return *shown;
  if (auto shown = pick(kTimeUnits)) return *shown;
  return canonical + unit;
}

// A value as the user reads it: numbers with their unit, strings quoted as in
// postgresql.conf ('*'), bools and enums in the server's spelling.
std::string Display(const SettingType& type, const std::string& server_value) {
  Result<std::string> canonical = CanonicalSettingValue(type, QuoteConfValue(server_value));
  if (!canonical.ok()) return QuoteConfValue(server_value);
  switch (type.vartype) {
    case SettingVartype::kString:
      return QuoteConfValue(*canonical);
    case SettingVartype::kInteger:
      return WithUnit(*canonical, type.unit);
    case SettingVartype::kReal:
      if (type.unit.empty() || canonical->empty() || (*canonical)[0] == '-' || *canonical == "0") {
        return *canonical;
      }
      return *canonical + type.unit;
    case SettingVartype::kBool:
    case SettingVartype::kEnum:
      return *canonical;
  }
  return *canonical;
}

constexpr long long kMegabyte = 1LL << 20;

// Bytes in one unit of a memory setting ("8kB": 8192, "B": 1); 0 when the
// unit is not a memory unit.
long long UnitBytes(const std::string& unit) {
  std::optional<ScaledUnit> scaled = SplitUnit(unit);
  if (!scaled) return 0;
  for (const UnitSize& u : kMemoryUnits) {
    if (scaled->name == u.name) return scaled->count * u.size;
  }
  return 0;
}

std::optional<long long> AsInteger(const SettingType& type, const std::string& written) {
  Result<std::string> canonical = CanonicalSettingValue(type, written);
  if (!canonical.ok()) return std::nullopt;
  char* end = nullptr;
  long long number = std::strtoll(canonical->c_str(), &end, 10);
  if (end == canonical->c_str() || *end != '\0') return std::nullopt;
  return number;
}

// Plans the settings of one host.
class HostDiff {
 public:
  HostDiff(const PlanInput& input, const HostFacts& facts, std::string host, Plan* plan)
      : input_(input), facts_(facts), host_(std::move(host)), plan_(plan) {}

  void Run() {
    std::vector<DesiredSetting> desired = DesiredSettings(*input_.manifest, host_);
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
    if (!TranslateRenamed(&desired)) {
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

  static std::string Subject(const DesiredSetting& desired) {
    return "setting " + desired.name + " (" + desired.mark.ToString() + ")";
  }

  // A value the server refused at its last start (apply recorded it) is
  // refused again here for as long as the manifest asks for it: restarting
  // into it would only fail again.
  bool RefusedBefore(const DesiredSetting& desired) {
    if (!facts_.refused_settings) return false;
    SettingType type = TypeFor(desired.name, FindServerSetting(facts_, desired.name));
    for (const RefusedSettingFact& refused : *facts_.refused_settings) {
      if (refused.name != desired.name ||
          !SettingValuesEqual(type, QuoteConfValue(refused.value), desired.value)) {
        continue;
      }
      Block("the server refused " + desired.name + " = " + Display(type, refused.value) +
            " at its last start (" + refused.time +
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
        plan_->notes.push_back(host_ + ": " + Subject(desired) +
                               " is not in pgpair's table and the server is stopped: PostgreSQL "
                               "checks its name and value when it starts");
      }
      // Without the server's word, the table's context decides; a stopped
      // server must start anyway, which takes any reloadable value.
      bool postmaster = known && known->context == "postmaster";
      DiffAgainstFiles(desired, TypeFor(desired.name, nullptr),
                       postmaster ? Impact::kRestart : Impact::kReload, "the server is stopped");
      return;
    }
    const SettingFact* server = FindServerSetting(facts_, desired.name);
    if (server) {
      DiffAgainstServer(desired, *server);
    } else if (desired.name.find('.') != std::string::npos) {
      // An extension's setting is listed only once the extension is loaded;
      // the server accepts it in a file before that.
      DiffAgainstFiles(desired, TypeFor(desired.name, nullptr), Impact::kReload,
                       "the server does not list this extension setting");
    } else {
      std::string version = facts_.server.version ? " " + *facts_.server.version : "";
      Block(Subject(desired) + " is not a parameter of PostgreSQL" + version +
            " (pg_settings does not list it): the server would refuse a configuration file "
            "that sets it; check the name");
    }
  }

  // wal_keep_segments (up to 12: a count of WAL segments) became
  // wal_keep_size (13: a size) with the same meaning: the manifest may use
  // either, and the host gets the one its server has. A size that is not a
  // whole number of segments rounds up, so that no less WAL is kept. Returns
  // false (and blocks) when that cannot be done safely.
  bool TranslateRenamed(std::vector<DesiredSetting>* desired) {
    const DesiredSetting* segments = FindDesired(*desired, "wal_keep_segments");
    const DesiredSetting* size = FindDesired(*desired, "wal_keep_size");
    if (!segments && !size) return true;
    const DesiredSetting& given = segments ? *segments : *size;
    const std::string wanted = segments ? "wal_keep_size" : "wal_keep_segments";
    if (segments && size) {
      Block("the manifest sets both wal_keep_segments (" + segments->mark.ToString() +
            ") and wal_keep_size (" + size->mark.ToString() +
            "), one setting under two names (wal_keep_size since PostgreSQL 13): keep one");
      return false;
    }
    if (!running_) {
      // Which name the server has, and its segment size, are the running
      // server's to say; writing the wrong name stops it from starting.
      const int major = facts_.server.major.value_or(0);
      const bool has_size = major >= 13;
      if (major != 0 && (given.name == "wal_keep_size") == has_size) return true;
      Block(Subject(given) + ": the server is stopped, so pgpair cannot " +
            (major == 0 ? std::string("tell whether it has wal_keep_segments or wal_keep_size")
                        : "read its WAL segment size to translate it into " + wanted) +
            "; start the server and plan again");
      return false;
    }
    if (FindServerSetting(facts_, given.name) || !FindServerSetting(facts_, wanted)) return true;
    const SettingFact* segment = FindServerSetting(facts_, "wal_segment_size");
    std::optional<long long> segment_bytes;
    if (segment && segment->value) {
      SettingType bytes = TypeFor("wal_segment_size", segment);
      segment_bytes = AsInteger(bytes, QuoteConfValue(*segment->value));
      long long per_unit = UnitBytes(bytes.unit);
      segment_bytes =
          segment_bytes && per_unit ? std::optional(*segment_bytes * per_unit) : std::nullopt;
    }
    if (!segment_bytes || *segment_bytes <= 0 || *segment_bytes % kMegabyte != 0) {
      Block(Subject(given) + " must become " + wanted + " on PostgreSQL " +
            facts_.server.version.value_or("") +
            ", but the server's wal_segment_size could not be read; declare " + wanted +
            " instead");
      return false;
    }
    const long long segment_mb = *segment_bytes / kMegabyte;
    SettingType type = TypeFor(given.name, FindServerSetting(facts_, given.name));
    if (given.name == "wal_keep_size") type.unit = "MB";
    if (!CheckValue(given, type)) return false;
    std::optional<long long> number = AsInteger(type, given.value);
    if (!number || *number < 0) {
      Block(Subject(given) + " = " + given.value + " cannot be translated into " + wanted);
      return false;
    }
    std::string value;
    std::string how;
    if (segments) {
      value = std::to_string(*number * segment_mb) + "MB";
      how = std::to_string(*number) + " segments of " + std::to_string(segment_mb) + "MB";
    } else {
      long long count = (*number + segment_mb - 1) / segment_mb;
      value = std::to_string(count);
      how = std::to_string(*number) + "MB in segments of " + std::to_string(segment_mb) + "MB" +
            (*number % segment_mb == 0 ? std::string("") : ", rounded up");
    }
    DesiredSetting translated = given;
    translated.name = wanted;
    translated.value = value;
    translated.why = "the manifest asks for " + given.name + " = " + given.value + " (" +
                     given.mark.ToString() + "), which PostgreSQL " +
                     facts_.server.version.value_or("") + " calls " + wanted + " (" + how + ")";
    for (DesiredSetting& setting : *desired) {
      if (setting.name == given.name) setting = translated;
    }
    return true;
  }

  bool CheckValue(const DesiredSetting& desired, const SettingType& type) {
    Result<std::string> canonical = CanonicalSettingValue(type, desired.value);
    if (canonical.ok()) return true;
    Block(Subject(desired) + ": " + canonical.status().message() +
          "; PostgreSQL would refuse it, so it is not written");
    return false;
  }

  // The reason's second half: who asks for the value.
  static std::string WantedBy(const DesiredSetting& desired, const std::string& after) {
    if (!desired.why.empty()) return desired.why;
    return "the manifest asks for " + after + " (" + desired.mark.ToString() + ")";
  }

  Change NewChange(const DesiredSetting& desired, const SettingType& type) const {
    Change change;
    change.resource = kKind;
    change.address = std::string(kKind) + "[" + host_ + "/" + desired.name + "]";
    change.host = host_;
    change.after = Display(type, ServerReading(desired.value));
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
    Block(Subject(desired) +
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
    const bool write = true;
    std::string now;
    if (winning) {
      change.action = Action::kUpdate;
      change.before = Display(type, winning->value);
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
    Emit(std::move(change), desired, file, write);
  }

  // The server runs with the desired value but reports pending_restart: it
  // read another value at an earlier reload. A reload clears the flag only
  // when a file sets the running value (the server compares what it reads
  // with what it runs), so a name no file sets any more is written too.
  void PlanClearingReload(const DesiredSetting& desired, const SettingType& type,
                          const FileSettingFact* winning) {
    Change change = NewChange(desired, type);
    std::string file;
    bool write = true;
    change.action = Action::kUpdate;
    change.before = *change.after + " (pending_restart)";
    change.impact = Impact::kReload;
    if (winning) {
      write = false;
      file = winning->file;
      change.reason = "the server runs with " + *change.after + " and " + Where(*winning) +
                      " holds it, but pg_settings still reports a restart pending for a value "
                      "read at an earlier reload; a reload clears it";
    } else {
      std::optional<std::string> main_file = MainConfigFile(desired);
      if (!main_file) return;
      change.action = Action::kCreate;
      file = *main_file;
      change.reason = "the server runs with " + *change.after +
                      ", but no file sets it any more and pg_settings reports a restart pending; "
                      "written into " +
                      *main_file +
                      " and reloaded, the server sees its own value "
                      "and clears it; " +
                      WantedBy(desired, *change.after);
    }
    Emit(std::move(change), desired, file, write);
  }

  // Settings the manifest does not manage that wait for a restart: the plan
  // says so, since pgpair restarts only for its own changes.
  void NoteUnmanagedPendingRestarts(const std::vector<DesiredSetting>& desired) {
    if (!running_ || !facts_.settings) return;
    std::vector<std::string> names;
    for (const SettingFact& setting : *facts_.settings) {
      if (!setting.pending_restart.value_or(false)) continue;
      // Recovery settings are the recovery config resource's, which plans
      // their restart itself.
      if (FindDesired(desired, Lower(setting.name)) ||
          OneOf(Lower(setting.name), kRecoverySettings)) {
        continue;
      }
      names.push_back(setting.name);
    }
    if (names.empty()) return;
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
    plan_->notes.push_back(host_ + ": the server waits for a restart to apply " + list +
                           " (pg_settings.pending_restart), which the manifest does not "
                           "manage: pgpair restarts only for a change of its own, so that "
                           "restart is still owed unless this plan restarts " +
                           host_ + " anyway");
  }

  void DiffAgainstServer(const DesiredSetting& desired, const SettingFact& server) {
    SettingType type = TypeFor(desired.name, &server);
    if (!CheckValue(desired, type)) return;
    const std::string context = type.context.value_or("");
    if (context == "internal") {
      Block(Subject(desired) +
            " cannot be set: PostgreSQL fixes it when it is built or when "
            "initdb runs (pg_settings.context is internal)");
      return;
    }
    const std::string source = server.source.value_or("");
    if (OneOf(source, kOverridingSources)) {
      Block(Subject(desired) + " is set on the server's " + source +
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
    const bool file_equal = winning && Equal(type, winning->value, desired);
    const bool effective_equal = effective && Equal(type, *effective, desired);
    // The server runs with what it read from the winning line itself.
    const bool from_winning_line =
        winning && source == "configuration file" && server.source_file == winning->file &&
        server.source_line == winning->line && !server.pending_restart.value_or(false);

    // A value read at a reload that only a restart would apply leaves
    // pending_restart set, and only another reload clears it.
    const bool pending = server.pending_restart.value_or(false);
    if (effective_equal) {
      if (!winning || file_equal) {
        if (pending) PlanClearingReload(desired, type, winning);
        return;
      }
      if (from_winning_line && Respelled(type, winning->value, ServerReading(desired.value))) {
        return;
      }
      // The server runs with the value, but the files say otherwise: the
      // next reload or restart (perhaps pgpair's own, for another setting)
      // would change it. Writing needs neither, unless the server already
      // read the other value and waits for a restart to take it.
      Change change = NewChange(desired, type);
      std::string file;
      const bool write = true;
      change.action = Action::kUpdate;
      change.before = Display(type, winning->value);
      file = winning->file;
      change.impact = pending ? Impact::kReload : Impact::kNone;
      change.reason = "the server runs with " + *change.after + ", but " + Where(*winning) +
                      " holds " + *change.before +
                      (pending ? ", which it has read and waits for a restart to take "
                                 "(pending_restart): a reload after the edit clears that; "
                               : ", which it would take at the next reload or restart; ") +
                      WantedBy(desired, *change.after);
      Emit(std::move(change), desired, file, write);
      return;
    }
    // Some values run in another form than the one read: a computed default
    // (wal_buffers = -1 runs as 512 blocks of 8kB) or the server's own
    // spelling (DateStyle 'iso, mdy' runs as 'ISO, MDY'). Taken from the very
    // line or default that holds the desired value, that is no difference.
    // (Misread only if that line was edited in place and never reloaded.)
    const bool asks_for_default = server.boot_value && Equal(type, *server.boot_value, desired) &&
                                  !server.pending_restart.value_or(false);
    if (asks_for_default && !winning && source == "default") return;
    if (file_equal && from_winning_line &&
        (asks_for_default ||
         (effective && Respelled(type, *effective, ServerReading(desired.value))))) {
      return;
    }

    const bool postmaster = context == "postmaster" || context.empty();
    Change change = NewChange(desired, type);
    std::string file;
    bool write = true;
    if (effective) change.before = Display(type, *effective);
    change.impact = postmaster ? Impact::kRestart : Impact::kReload;
    if (file_equal) {
      // Written before (by pgpair or by hand) and not yet taken: show what it
      // waits for, and never write it again.
      change.action = Action::kUpdate;
      file = winning->file;
      write = false;
      change.reason = "already written in " + Where(*winning) + ", waiting for a " +
                      (postmaster ? "restart" : "reload");
      Emit(std::move(change), desired, file, write);
      return;
    }
    std::string now;
    if (winning) {
      change.action = Action::kUpdate;
      file = winning->file;
      now = Where(*winning) + " sets " + Display(type, winning->value);
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
    Emit(std::move(change), desired, file, write);
  }

  const PlanInput& input_;
  const HostFacts& facts_;
  const std::string host_;
  Plan* plan_;
  bool running_ = false;
};

// The value a host will run with once the plan is applied: the manifest's,
// else the running server's. Empty when neither is known.
std::optional<long long> PlannedInteger(const std::vector<DesiredSetting>& desired,
                                        const HostFacts* facts, const std::string& name,
                                        const DesiredSetting** declared) {
  SettingType type = TypeFor(name, facts ? FindServerSetting(*facts, name) : nullptr);
  *declared = FindDesired(desired, name);
  if (*declared) return AsInteger(type, (*declared)->value);
  if (!facts || facts->server.running != true) return std::nullopt;
  const SettingFact* server = FindServerSetting(*facts, name);
  if (!server || !server->value) return std::nullopt;
  return AsInteger(type, QuoteConfValue(*server->value));
}

// A connection setting of a stopped server that the manifest does not
// declare: the files' value, else the built-in default (16 added
// reserved_connections).
std::optional<long long> StoppedCount(const HostFacts& facts, const std::string& name) {
  if (const FileSettingFact* winning = WinningFileSetting(facts, name)) {
    return AsInteger(TypeFor(name, nullptr), QuoteConfValue(winning->value));
  }
  const int major = facts.server.major.value_or(0);
  if (name == "superuser_reserved_connections") return 3;
  if (name == "reserved_connections")
    return major >= 16 ? std::optional<long long>(0) : std::nullopt;
  std::optional<std::string> built_in = BuiltInDefault(name, major);
  if (!built_in) return std::nullopt;
  return AsInteger(TypeFor(name, nullptr), *built_in);
}

// The connections PostgreSQL keeps back must leave room in max_connections,
// or it refuses to start ("superuser_reserved_connections (3) must be less
// than max_connections (1)"): superuser_reserved_connections, plus
// reserved_connections from 16, plus max_wal_senders up to 11 (WAL senders
// count among the connections there). Checked with the values the host will
// have after the plan, when the manifest sets one of them.
void CheckConnectionBudget(const std::string& host, const HostFacts* facts,
                           const std::vector<DesiredSetting>& desired, Plan* plan) {
  if (!facts || !facts->server.major) return;
  const int major = *facts->server.major;
  std::vector<std::string> reserved_names = {"superuser_reserved_connections"};
  if (major >= 16) reserved_names.push_back("reserved_connections");
  if (major <= 11) reserved_names.push_back("max_wal_senders");

  bool any_declared = false;
  auto planned = [&](const std::string& name, std::string* where) -> std::optional<long long> {
    const DesiredSetting* declared = nullptr;
    std::optional<long long> value = PlannedInteger(desired, facts, name, &declared);
    if (!declared && !value && facts->server.running == false) value = StoppedCount(*facts, name);
    any_declared |= declared != nullptr;
    *where = declared ? " (" + declared->mark.ToString() + ")"
                      : std::string(facts->server.running == true ? " (running)" : " (files)");
    return value;
  };
  std::string connections_where;
  std::optional<long long> connections = planned("max_connections", &connections_where);
  long long reserved = 0;
  std::string terms;
  for (const std::string& name : reserved_names) {
    std::string where;
    std::optional<long long> value = planned(name, &where);
    if (!value) return;
    reserved += *value;
    terms += (terms.empty() ? "" : " plus ") + name + " = " + std::to_string(*value) + where;
  }
  if (!any_declared || !connections || reserved < *connections) return;
  std::string why = major <= 11 ? ": PostgreSQL " + std::to_string(major) +
                                      " counts WAL senders among its connections (12 and later "
                                      "do not) and would not start"
                                : ": PostgreSQL " + std::to_string(major) +
                                      " would not start (it keeps those connections back)";
  plan->blockers.push_back(
      {host, terms + " must be less than max_connections = " + std::to_string(*connections) +
                 connections_where + why + "; raise max_connections in the manifest"});
}

// shared_buffers is allocated in one piece at start: a value the host's
// memory cannot hold stops the server from starting.
void CheckSharedBuffers(const std::string& host, const HostFacts* facts,
                        const std::vector<DesiredSetting>& desired, Plan* plan) {
  const DesiredSetting* declared = FindDesired(desired, "shared_buffers");
  if (!facts || !declared || !facts->os.memory_bytes) return;
  SettingType type = TypeFor("shared_buffers", FindServerSetting(*facts, "shared_buffers"));
  if (type.unit.empty()) type.unit = "8kB";
  std::optional<long long> blocks = AsInteger(type, declared->value);
  long long unit = UnitBytes(type.unit);
  if (!blocks || unit == 0 || *blocks <= 0) return;
  const long long memory = *facts->os.memory_bytes;
  if (*blocks > memory / unit || *blocks * unit >= memory) {
    plan->blockers.push_back(
        {host, "setting shared_buffers (" + declared->mark.ToString() + ") = " + declared->value +
                   " is not below this host's memory (" + std::to_string(memory / kMegabyte) +
                   "MB, MemTotal in /proc/meminfo): PostgreSQL would not start; lower it"});
  }
}

// Checks across the pair: the standby's minimums, and enough WAL senders.
void CheckPair(const PlanInput& input, Plan* plan) {
  const Manifest& manifest = *input.manifest;
  std::vector<DesiredSetting> primary = DesiredSettings(manifest, manifest.primary);
  std::vector<DesiredSetting> standby = DesiredSettings(manifest, manifest.standby);
  CheckConnectionBudget(manifest.primary, input.primary, primary, plan);
  CheckConnectionBudget(manifest.standby, input.standby, standby, plan);
  CheckSharedBuffers(manifest.primary, input.primary, primary, plan);
  CheckSharedBuffers(manifest.standby, input.standby, standby, plan);

  const DesiredSetting* declared = nullptr;
  std::optional<long long> senders =
      PlannedInteger(primary, input.primary, "max_wal_senders", &declared);
  if (senders && *senders < kWalSendersForClone + kStandbys) {
    plan->notes.push_back(
        manifest.primary + ": max_wal_senders = " + std::to_string(*senders) +
        (declared ? " (" + declared->mark.ToString() + ")" : std::string(" (running)")) +
        " is below " + std::to_string(kWalSendersForClone + kStandbys) +
        ": the standby streams through one WAL sender and pg_basebackup -X stream needs two "
        "while it clones");
  }

  SettingType hot_standby_type = TypeFor("hot_standby", nullptr);
  const DesiredSetting* hot_standby = FindDesired(standby, "hot_standby");
  if (hot_standby && !SettingValuesEqual(hot_standby_type, hot_standby->value, "on")) return;
  for (std::string_view name_view : kStandbyMinimums) {
    std::string name(name_view);
    const DesiredSetting* on_primary = nullptr;
    const DesiredSetting* on_standby = nullptr;
    std::optional<long long> primary_value =
        PlannedInteger(primary, input.primary, name, &on_primary);
    std::optional<long long> standby_value =
        PlannedInteger(standby, input.standby, name, &on_standby);
    if (!primary_value || !standby_value || *standby_value >= *primary_value) continue;
    std::string primary_where =
        on_primary ? " (" + on_primary->mark.ToString() + ")" : std::string(" (running)");
    if (on_standby && on_standby->why.empty()) {
      plan->blockers.push_back(
          {manifest.standby, "setting " + name + " (" + on_standby->mark.ToString() + ") = " +
                                 std::to_string(*standby_value) + " is lower than the primary's " +
                                 std::to_string(*primary_value) + primary_where +
                                 ": hot standby does not start with less; raise it, or remove "
                                 "it so that pgpair copies the primary's"});
    } else {
      plan->notes.push_back(manifest.standby + ": " + name + " runs as " +
                            std::to_string(*standby_value) + ", lower than the primary's " +
                            std::to_string(*primary_value) + primary_where +
                            ": hot standby does not start with less; declare it under "
                            "settings.standby");
    }
  }
}

// "line 3, line 7" from ParseConfFile's "line 3: syntax error near token
// \"...\"; line 7: ...", and nothing of the tokens.
std::string BadLines(const std::string& parse_error) {
  std::string lines;
  for (size_t at = 0; (at = parse_error.find("line ", at)) != std::string::npos; ++at) {
    if (at != 0 && parse_error.compare(at - 2, 2, "; ") != 0) continue;
    size_t digits = at + 5;
    size_t end = digits;
    while (end < parse_error.size() && parse_error[end] >= '0' && parse_error[end] <= '9') ++end;
    if (end == digits || end >= parse_error.size() || parse_error[end] != ':') continue;
    lines += (lines.empty() ? "syntax error on " : ", ") + parse_error.substr(at, end - at);
  }
  return lines.empty() ? "syntax error" : lines;
}

class SettingResourceImpl final : public TypedResource<SettingDetails> {
 public:
  const char* kind() const override { return kKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    if (!input.manifest) return;
    const Manifest& manifest = *input.manifest;
    struct Side {
      const std::string& host;
      const HostFacts* facts;
    };
    for (const Side& side :
         {Side{manifest.primary, input.primary}, Side{manifest.standby, input.standby}}) {
      if (!side.facts) {
        if (!DesiredSettings(manifest, side.host).empty()) {
          plan->blockers.push_back(
              {side.host, "no facts were gathered from this host; settings are not planned"});
        }
        continue;
      }
      HostDiff(input, *side.facts, side.host, plan).Run();
    }
    CheckPair(input, plan);
  }

  Status Perform(const Change& change, const SettingDetails& details,
                 ApplyContext& context) const override {
    // Already in the file: the engine's restart or reload is all it needs.
    if (!details.write) return Status::Ok();
    const std::string& file = details.file;
    const std::string& name = details.name;
    const std::string& value = details.value;
    Transport& transport = context.For(change.host);
    if (context.progress) {
      context.progress(change.host + ": " + name + " = " + change.after.value_or(value) + " in " +
                       file);
    }
    Result<std::string> text = ReadRemoteFile(transport, file);
    if (!text.ok())
      return Status::Error(text.status().message() + "; " + name + " was not written");
    Result<std::string> edited = SetConfValue(*text, name, value);
    if (!edited.ok()) {
      // Only the line numbers: the bad text may hold a password (a conninfo).
      return Status::Error(transport.host_label() + ": " + file + " does not parse (" +
                           BadLines(edited.status().message()) + "); " + name +
                           " was not written: correct the file first");
    }
    if (*edited == *text) return Status::Ok();
    Status written = WriteRemoteFileAtomic(transport, file, *edited, FileAttributes{});
    if (!written.ok()) return Status::Error(written.message() + "; " + name + " was not written");
    return Status::Ok();
  }
};

}  // namespace

nlohmann::json SettingDetails::ToJson() const {
  return {{"name", name}, {"value", value}, {"file", file}, {"write", write}};
}

std::string ArchiveCommandFor(const std::string& dir) {
  std::string quoted = ShellQuote(dir);
  std::string escaped;
  for (char c : quoted) {
    escaped += c;
    if (c == '%') escaped += '%';  // the archiver's own escape
  }
  return "test ! -f " + escaped + "/%f && cp %p " + escaped + "/%f";
}

std::vector<DesiredSetting> DesiredSettings(const Manifest& manifest, const std::string& host) {
  const bool is_primary = host == manifest.primary;
  const std::vector<SettingSpec>& specs =
      is_primary ? manifest.primary_settings : manifest.standby_settings;
  std::vector<DesiredSetting> desired;
  for (const SettingSpec& spec : specs) {
    if (OneOf(spec.name, kRecoverySettings)) continue;
    desired.push_back({spec.name, spec.value, spec.mark, ""});
  }
  if (is_primary && manifest.archive) {
    const ArchiveSpec& archive = *manifest.archive;
    std::string because = "implied by archive: (" + archive.mark.ToString() + ")";
    if (!FindSpec(specs, "archive_mode")) {
      desired.push_back({"archive_mode", "on", archive.mark,
                         because + ": WAL archiving needs archive_mode = on"});
    }
    if (!FindSpec(specs, "archive_command")) {
      desired.push_back({"archive_command", ArchiveCommandFor(archive.dir), archive.mark,
                         because + ": each WAL segment is copied into " + archive.dir});
    }
  }
  if (!is_primary) {
    for (std::string_view name : kStandbyMinimums) {
      const SettingSpec* on_primary = FindSpec(manifest.primary_settings, name);
      if (!on_primary || FindSpec(specs, name)) continue;
      desired.push_back({on_primary->name, on_primary->value, on_primary->mark,
                         "hot standby does not start with less " + on_primary->name +
                             " than the primary, which the manifest sets to " + on_primary->value +
                             " (" + on_primary->mark.ToString() + ")"});
    }
  }
  return desired;
}

const Resource& SettingResource() {
  static const SettingResourceImpl kResource;
  return kResource;
}

}  // namespace pgpair
