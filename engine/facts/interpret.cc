#include "engine/facts/interpret.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>

#include "engine/facts/parsers/apply_holder.h"
#include "engine/facts/parsers/conninfo.h"
#include "engine/facts/parsers/os_release.h"
#include "engine/facts/parsers/pg_control_file.h"
#include "engine/facts/parsers/pg_controldata.h"
#include "engine/facts/parsers/pg_hba.h"
#include "engine/facts/parsers/pg_lsclusters.h"
#include "engine/facts/parsers/postgresql_conf.h"
#include "engine/facts/parsers/refused_settings.h"
#include "engine/util/digest.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

using nlohmann::json;

const GatherSection* FindSection(const GatherSections& sections, const std::string& name) {
  auto it = sections.find(name);
  return it == sections.end() ? nullptr : &it->second;
}

std::string FirstLine(std::string_view text) {
  std::string line(text.substr(0, text.find('\n')));
  return line.empty() ? "no message" : line;
}

std::string Or(const std::optional<std::string>& value) { return value.value_or("unknown"); }

std::optional<std::string> NonEmpty(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

std::map<std::string, std::string> KeyValueLines(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

template <typename T>
std::optional<T> Get(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if constexpr (std::is_same_v<T, int>) {
    // Only a whole number that fits: nlohmann converts any number with a
    // cast, undefined for 1e300 and wrapping for 2^40.
    if (it->is_number_unsigned()) {
      uint64_t value = it->get<uint64_t>();
      if (value > static_cast<uint64_t>(std::numeric_limits<int>::max())) return std::nullopt;
      return static_cast<int>(value);
    }
    if (!it->is_number_integer()) return std::nullopt;
    int64_t value = it->get<int64_t>();
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      return std::nullopt;
    }
    return static_cast<int>(value);
  } else {
    try {
      return it->get<T>();
    } catch (const json::exception&) {
      return std::nullopt;
    }
  }
}

std::vector<std::string> GetStrings(const json& object, const char* key) {
  std::vector<std::string> values;
  if (!object.is_object()) return values;
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return values;
  for (const json& item : *it) {
    if (item.is_string()) values.push_back(item.get<std::string>());
  }
  return values;
}

// A json_agg over no rows is NULL: that means "none", not "unknown".
const json& RowsOrEmpty(const json& value) {
  static const json kEmpty = json::array();
  return value.is_array() ? value : kEmpty;
}

void InterpretOs(const GatherSections& sections, HostFacts* facts) {
  if (const GatherSection* uname = FindSection(sections, "uname");
      uname && uname->exit_status == 0) {
    std::istringstream lines(uname->out);
    std::string hostname, kernel, architecture;
    std::getline(lines, hostname);
    std::getline(lines, kernel);
    std::getline(lines, architecture);
    facts->os.hostname = NonEmpty(hostname);
    facts->os.kernel = NonEmpty(kernel);
    facts->os.architecture = NonEmpty(architecture);
  } else {
    facts->problems.push_back({"os", "uname failed; architecture and kernel are unknown"});
  }
  // "24683584 kB"
  if (const GatherSection* meminfo = FindSection(sections, "meminfo");
      meminfo && meminfo->exit_status == 0) {
    std::istringstream fields(meminfo->out);
    long long amount = 0;
    std::string unit;
    if (fields >> amount >> unit && amount > 0 && unit == "kB") {
      facts->os.memory_bytes = amount * 1024;
    }
  }
  if (const GatherSection* release = FindSection(sections, "os_release");
      release && release->exit_status == 0) {
    if (Result<OsRelease> os = ParseOsRelease(release->out); os.ok()) {
      facts->os.pretty_name = os->pretty_name;
      facts->os.id = os->id;
      facts->os.version_id = os->version_id;
    }
  }
}

// What the facts script found, each in a phrase: pg_lsclusters' clusters,
// the running postmasters, the data directories in the usual places.
struct Found {
  std::vector<std::string> clusters;
  std::vector<std::string> servers;
  std::vector<std::string> candidates;
};

Found WhatWasFound(const GatherSections& sections) {
  Found found;
  if (const GatherSection* listed = FindSection(sections, "pg_lsclusters")) {
    if (Result<std::vector<LsCluster>> parsed = ParsePgLsclusters(listed->out); parsed.ok()) {
      for (const LsCluster& c : *parsed) {
        found.clusters.push_back(c.version + "/" + c.cluster + " (port " +
                                 (c.port ? std::to_string(*c.port) : std::string("?")) + ", " +
                                 c.status + ")");
      }
    }
  }
  // "DATADIR|EXE|PORT|CONFIG" a line, one per running postmaster.
  if (const GatherSection* postmasters = FindSection(sections, "postmasters")) {
    for (const std::string& line : SplitLines(postmasters->out)) {
      std::vector<std::string> fields = Split(line, '|');
      if (fields.size() < 3) continue;
      found.servers.push_back(fields[0] + " (port " + fields[2] + ")");
    }
  }
  if (const GatherSection* conventional = FindSection(sections, "conventional")) {
    found.candidates = SplitLines(conventional->out);
  }
  return found;
}

// Why the facts script settled on no data directory, and what to declare.
// The script made the choice and says by which rule it failed (`choice`,
// see gather.sh); this only puts that in words with what it found.
// `declared_cluster` is the manifest's cluster, if it names one.
std::string NoClusterMessage(const GatherSections& sections, const std::string& choice,
                             const std::optional<std::string>& declared_cluster) {
  Found found = WhatWasFound(sections);
  const std::string clusters = found.clusters.empty() ? std::string("it lists none")
                                                      : "it lists " + Join(found.clusters, ", ");
  if (choice == "no-such-cluster") {
    return "pg_lsclusters lists no cluster " + declared_cluster.value_or("?") + " (" + clusters +
           "); correct hosts.<name>.postgres.cluster";
  }
  if (choice == "no-cluster-on-port") {
    return "pg_lsclusters lists no cluster on the manifest's port (" + clusters +
           "); correct hosts.<name>.postgres.port, or name the cluster "
           "(hosts.<name>.postgres.cluster)";
  }
  if (choice == "several-clusters") {
    return "pg_lsclusters lists " + Join(found.clusters, ", ") +
           ", several and not exactly one online; name the one to manage in the manifest "
           "(hosts.<name>.postgres.cluster)";
  }
  if (choice == "no-postmaster-on-port") {
    const bool one = found.servers.size() == 1;
    return std::string(one ? "the PostgreSQL server that runs here, in "
                           : "the PostgreSQL servers that run here, in ") +
           Join(found.servers, ", ") + (one ? ", is" : ", are") +
           " not on the port the manifest names; correct hosts.<name>.postgres.port, or name "
           "its data_dir";
  }
  if (choice == "several-postmasters") {
    return "several PostgreSQL servers run here and none was chosen: " + Join(found.servers, ", ") +
           "; name the one to manage in the manifest (hosts.<name>.postgres.data_dir, or its "
           "port)";
  }
  if (choice == "several-conventional") {
    return "no PostgreSQL server runs, and several data directories are in the usual places: " +
           Join(found.candidates, ", ") +
           "; name one in the manifest (hosts.<name>.postgres.data_dir)";
  }
  return "no PostgreSQL cluster found (pg_lsclusters lists none, no server runs, none is in "
         "/var/lib/pgsql or /usr/local/pgsql, and the manifest names no data_dir); set "
         "hosts.<name>.postgres.cluster or data_dir in the manifest";
}

// The apply lock's holder records (gather.sh's apply_lock section): the
// first whose lease still runs is the apply in progress.
void InterpretApplyLock(const GatherSections& sections, HostFacts* facts) {
  const GatherSection* section = FindSection(sections, "apply_lock");
  if (!section) return;
  std::vector<std::string> records;
  for (const std::string& line : SplitLines(section->out)) {
    if (line.rfind("dir=", 0) == 0 || records.empty()) records.emplace_back();
    records.back() += line + "\n";
  }
  for (const std::string& record : records) {
    if (record.find("\nlease_alive=yes\n") == std::string::npos) continue;
    if (Result<ApplyHolderFact> holder = ParseApplyHolder(record); holder.ok()) {
      facts->apply_in_progress = *holder;
      return;
    }
  }
}

// Returns whether the server was found running.
bool InterpretLayout(const GatherSections& sections, HostFacts* facts) {
  const GatherSection* layout = FindSection(sections, "layout");
  if (!layout) {
    facts->problems.push_back({"layout", "the facts script did not report the cluster's layout"});
    return false;
  }
  auto values = KeyValueLines(layout->out);
  facts->layout.source = NonEmpty(values["source"]);
  facts->layout.cluster = NonEmpty(values["cluster"]);
  facts->layout.bin_dir = NonEmpty(values["bin_dir"]);
  facts->layout.data_dir = NonEmpty(values["data_dir"]);
  facts->layout.config_file = NonEmpty(values["config_file"]);
  facts->layout.hba_file = NonEmpty(values["hba_file"]);
  facts->layout.socket_dir = NonEmpty(values["socket_dir"]);
  auto yes_no = [&](const char* key) -> std::optional<bool> {
    if (values[key] == "yes") return true;
    if (values[key] == "no") return false;
    return std::nullopt;
  };
  facts->layout.pg_rewind = yes_no("pg_rewind");
  facts->layout.rewind_interrupted = yes_no("rewinding");
  facts->layout.data_dir_mount_point = yes_no("mount_point");
  if (!values["port"].empty()) {
    try {
      facts->layout.port = std::stoi(values["port"]);
    } catch (const std::exception&) {
    }
  }
  if (!facts->layout.data_dir) {
    facts->problems.push_back(
        {"layout", NoClusterMessage(sections, values["choice"], facts->layout.cluster)});
  }
  if (const GatherSection* version = FindSection(sections, "pg_version");
      version && version->exit_status == 0) {
    try {
      facts->server.major = std::stoi(std::string(Trim(version->out)));
    } catch (const std::exception&) {
    }
  }
  bool running = values["running"] == "yes";
  facts->server.running = running;
  if (running) {
    if (const GatherSection* pid = FindSection(sections, "postmaster_pid")) {
      try {
        facts->server.postmaster_pid = std::stoi(FirstLine(pid->out));
      } catch (const std::exception&) {
      }
    }
  }
  return running;
}

WalSenderFact SenderFromJson(const json& row) {
  WalSenderFact sender;
  sender.pid = Get<int>(row, "pid");
  sender.user = Get<std::string>(row, "user");
  sender.application_name = Get<std::string>(row, "application_name");
  sender.client_addr = Get<std::string>(row, "client_addr");
  sender.state = Get<std::string>(row, "state");
  sender.sent_lsn = Get<std::string>(row, "sent_lsn");
  sender.replay_lsn = Get<std::string>(row, "replay_lsn");
  sender.sync_state = Get<std::string>(row, "sync_state");
  sender.replay_lag_seconds = Get<double>(row, "replay_lag");
  return sender;
}

// Interprets the psql output: one JSON document a line, {"k": topic, "v": value}.
void InterpretSql(const GatherSection& sql, const GatherRequest& request, HostFacts* facts) {
  std::map<std::string, json> topics;
  std::istringstream lines(sql.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    json document = json::parse(line, nullptr, /*allow_exceptions=*/false);
    // A line of any other shape is not the script's: skip it.
    if (document.is_discarded() || !document.is_object() || !document.contains("k") ||
        !document["k"].is_string()) {
      continue;
    }
    topics[document["k"].get<std::string>()] = document["v"];
  }
  auto topic = [&](const char* name) -> const json* {
    auto it = topics.find(name);
    return it == topics.end() ? nullptr : &it->second;
  };
  if (topics.empty()) {
    facts->problems.push_back(
        {"sql", "the server runs but psql answered nothing (" + FirstLine(Trim(sql.err)) +
                    "); settings, roles, hba rules and replication are unknown"});
    return;
  }
  if (!sql.err.empty()) {
    facts->problems.push_back({"sql", "psql reported: " + FirstLine(Trim(sql.err))});
  }

  if (const json* meta = topic("meta")) {
    std::optional<int> version_num = Get<int>(*meta, "version_num");
    if (version_num) facts->server.major = *version_num / 10000;
    if (auto version = Get<std::string>(*meta, "version")) {
      facts->server.version = version->substr(0, version->find(' '));
    }
    facts->server.in_recovery = Get<bool>(*meta, "in_recovery");
    facts->server.start_time = Get<std::string>(*meta, "start_time");
    if (auto id = Get<std::string>(*meta, "system_identifier"))
      facts->server.system_identifier = id;
    // The running server knows its files better than any discovery.
    facts->layout.source = "server";
    if (auto value = Get<std::string>(*meta, "data_directory")) facts->layout.data_dir = value;
    if (auto value = Get<std::string>(*meta, "config_file")) facts->layout.config_file = value;
    if (auto value = Get<std::string>(*meta, "hba_file")) facts->layout.hba_file = value;
    if (auto value = Get<int>(*meta, "port")) facts->layout.port = value;
  }
  if (const json* rows = topic("settings")) {
    std::vector<SettingFact> settings;
    for (const json& row : RowsOrEmpty(*rows)) {
      SettingFact setting;
      setting.name = Get<std::string>(row, "name").value_or("");
      setting.value = Get<std::string>(row, "setting");
      setting.unit = Get<std::string>(row, "unit");
      setting.vartype = Get<std::string>(row, "vartype");
      setting.context = Get<std::string>(row, "context");
      setting.source = Get<std::string>(row, "source");
      setting.source_file = Get<std::string>(row, "sourcefile");
      setting.source_line = Get<int>(row, "sourceline");
      setting.pending_restart = Get<bool>(row, "pending_restart");
      setting.boot_value = Get<std::string>(row, "boot_val");
      settings.push_back(std::move(setting));
    }
    facts->settings = std::move(settings);
  }
  if (const json* rows = topic("file_settings")) {
    std::vector<FileSettingFact> file_settings;
    for (const json& row : RowsOrEmpty(*rows)) {
      FileSettingFact setting;
      setting.name = Get<std::string>(row, "name").value_or("");
      setting.value = Get<std::string>(row, "setting").value_or("");
      setting.file = Get<std::string>(row, "file").value_or("");
      setting.line = Get<int>(row, "line").value_or(0);
      setting.applied = Get<bool>(row, "applied");
      setting.error = Get<std::string>(row, "error");
      file_settings.push_back(std::move(setting));
    }
    facts->file_settings = std::move(file_settings);
  }
  if (const json* rows = topic("hba_rules")) {
    std::vector<HbaRuleFact> rules;
    for (const json& row : RowsOrEmpty(*rows)) {
      HbaRuleFact rule;
      rule.line_number = Get<int>(row, "line_number");
      rule.type = Get<std::string>(row, "type");
      rule.databases = GetStrings(row, "database");
      rule.users = GetStrings(row, "user_name");
      rule.address = Get<std::string>(row, "address");
      rule.netmask = Get<std::string>(row, "netmask");
      rule.method = Get<std::string>(row, "auth_method");
      rule.error = Get<std::string>(row, "error");
      rules.push_back(std::move(rule));
    }
    facts->hba.server_rules = std::move(rules);
  }
  if (const json* rows = topic("roles")) {
    std::vector<RoleFact> roles;
    bool requested_seen = false;
    for (const json& row : RowsOrEmpty(*rows)) {
      RoleFact role;
      role.name = Get<std::string>(row, "name").value_or("");
      role.exists = true;
      role.can_login = Get<bool>(row, "login");
      role.replication = Get<bool>(row, "replication");
      role.superuser = Get<bool>(row, "superuser");
      role.connection_limit = Get<int>(row, "connection_limit");
      role.has_password = Get<bool>(row, "has_password");
      role.password_kind = Get<std::string>(row, "password_kind");
      role.rewind_functions = Get<bool>(row, "rewind_functions");
      requested_seen |= role.name == request.replication_role;
      roles.push_back(std::move(role));
    }
    if (!request.replication_role.empty() && !requested_seen) {
      RoleFact missing;
      missing.name = request.replication_role;
      missing.exists = false;
      roles.push_back(std::move(missing));
    }
    facts->roles = std::move(roles);
  }
  if (const json* rows = topic("senders")) {
    std::vector<WalSenderFact> senders;
    for (const json& row : RowsOrEmpty(*rows)) senders.push_back(SenderFromJson(row));
    facts->replication.senders = std::move(senders);
  }
  if (const json* receiver = topic("receiver")) {
    facts->replication.receiver_present = receiver->is_object();
    if (receiver->is_object()) {
      WalReceiverFact fact;
      fact.status = Get<std::string>(*receiver, "status");
      fact.sender_host = Get<std::string>(*receiver, "sender_host");
      fact.sender_port = Get<int>(*receiver, "sender_port");
      fact.slot_name = Get<std::string>(*receiver, "slot_name");
      fact.conninfo = Get<std::string>(*receiver, "conninfo");
      fact.latest_end_lsn = Get<std::string>(*receiver, "latest_end_lsn");
      facts->replication.receiver = std::move(fact);
    }
  }
  if (const json* rows = topic("slots")) {
    std::vector<SlotFact> slots;
    for (const json& row : RowsOrEmpty(*rows)) {
      SlotFact slot;
      slot.name = Get<std::string>(row, "name").value_or("");
      slot.type = Get<std::string>(row, "type");
      slot.active = Get<bool>(row, "active");
      slot.restart_lsn = Get<std::string>(row, "restart_lsn");
      slots.push_back(std::move(slot));
    }
    facts->replication.slots = std::move(slots);
  }
  if (const json* recovery = topic("recovery")) {
    facts->replication.receive_lsn = Get<std::string>(*recovery, "receive_lsn");
    facts->replication.replay_lsn = Get<std::string>(*recovery, "replay_lsn");
    facts->replication.replay_delay_seconds = Get<double>(*recovery, "replay_delay");
    facts->replication.current_lsn = Get<std::string>(*recovery, "current_lsn");
    facts->replication.archive_failing = Get<bool>(*recovery, "archive_failing");
    facts->replication.archive_failed_count = Get<int64_t>(*recovery, "archive_failed_count");
  }
}

// The archiver's backlog and the newest timeline history file
// (gather.sh's wal_state: "ready N", then "history NAME" and its last line,
// "PARENT<tab>FORK_LSN<tab>reason").
std::optional<int> ParseNumber(std::string_view text, int base) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

void InterpretWalState(const GatherSections& sections, HostFacts* facts) {
  const GatherSection* section = FindSection(sections, "wal_state");
  if (!section || section->exit_status != 0) return;
  std::optional<TimelineForkFact> fork;
  bool history_next = false;
  for (const std::string& line : SplitLines(section->out)) {
    if (history_next) {
      history_next = false;
      std::vector<std::string> fields = Split(std::string(Trim(line)), '\t');
      if (fields.size() >= 2) {
        fork->parent = ParseNumber(Trim(fields[0]), 10);
        fork->fork_lsn = std::string(Trim(fields[1]));
      }
    } else if (line.rfind("ready ", 0) == 0) {
      facts->replication.archive_ready_files = ParseNumber(Trim(line.substr(6)), 10);
    } else if (line.rfind("history ", 0) == 0 && line.size() >= 16) {
      std::optional<int> timeline = ParseNumber(std::string_view(line).substr(8, 8), 16);
      if (!timeline) continue;
      fork = TimelineForkFact{*timeline, std::nullopt, std::nullopt};
      history_next = true;
    }
  }
  facts->replication.timeline_fork = fork;
}

void InterpretSignals(const GatherSections& sections, HostFacts* facts) {
  const GatherSection* signals = FindSection(sections, "signals");
  if (!signals) return;
  facts->layout.data_dir_exists = signals->exit_status == 0;
  if (signals->exit_status != 0) {
    facts->problems.push_back({"recovery", "data directory " + Or(facts->layout.data_dir) +
                                               " does not exist; recovery facts are unknown"});
    return;
  }
  std::istringstream lines(signals->out);
  std::string file, present;
  while (lines >> file >> present) {
    bool yes = present == "yes";
    if (file == "standby.signal") facts->recovery.standby_signal = yes;
    if (file == "recovery.signal") facts->recovery.recovery_signal = yes;
    if (file == "recovery.conf") facts->recovery.recovery_conf = yes;
    if (file == "backup_label") facts->recovery.backup_label = yes;
  }
}

void InterpretCloneLeftovers(const GatherSections& sections, HostFacts* facts) {
  const GatherSection* leftovers = FindSection(sections, "clone_leftovers");
  if (!leftovers || leftovers->exit_status != 0) return;
  std::vector<std::string> dirs;
  for (const std::string& line : SplitLines(leftovers->out)) {
    if (!line.empty()) dirs.push_back(line);
  }
  facts->layout.clone_leftovers = std::move(dirs);
}

void InterpretArchive(const GatherSections& sections, const GatherRequest& request,
                      HostFacts* facts) {
  if (request.archive_dir.empty()) return;
  ArchiveDirFacts archive;
  archive.path = request.archive_dir;
  const GatherSection* stat = FindSection(sections, "archive");
  if (stat && stat->exit_status == 0) {
    // stat -c '%F|%U|%G|%a'
    std::istringstream fields{std::string(Trim(stat->out))};
    std::string type, owner, group, mode;
    std::getline(fields, type, '|');
    std::getline(fields, owner, '|');
    std::getline(fields, group, '|');
    std::getline(fields, mode, '|');
    archive.exists = true;
    archive.is_directory = type == "directory";
    archive.owner = owner;
    archive.group = group;
    archive.mode = mode;
  } else if (stat && stat->err.find("No such file") != std::string::npos) {
    archive.exists = false;
  } else {
    facts->problems.push_back({"archive", "cannot inspect " + request.archive_dir + ": " +
                                              (stat ? FirstLine(Trim(stat->err)) : "not reported") +
                                              "; archive directory facts are unknown"});
  }
  facts->archive = std::move(archive);
}

const GatherSection* FileSection(const GatherSections& sections,
                                 const std::optional<std::string>& path) {
  return path ? FindSection(sections, "file " + *path) : nullptr;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

void InterpretHba(const GatherSections& sections, HostFacts* facts) {
  facts->hba.file = facts->layout.hba_file;
  if (!facts->layout.hba_file) return;
  const GatherSection* hba = FileSection(sections, facts->layout.hba_file);
  if (!hba) {
    facts->problems.push_back(
        {"hba", *facts->layout.hba_file +
                    " (hba_file) was not read: the facts script could not ask the server "
                    "which file it uses and read another; hba facts are unknown, the plan is "
                    "incomplete. Declare hosts.<name>.postgres.hba_file in the manifest"});
    return;
  }
  if (hba->exit_status != 0) {
    facts->problems.push_back({"hba", *facts->layout.hba_file +
                                          " cannot be read: " + FirstLine(Trim(hba->err)) +
                                          "; hba facts are unknown, the plan is incomplete"});
    return;
  }
  std::vector<HbaLineFact> lines;
  for (const HbaLine& parsed : ParsePgHba(hba->out)) {
    HbaLineFact line;
    line.line_number = parsed.line_number;
    line.text = parsed.raw;
    line.type = parsed.type;
    line.databases = parsed.databases;
    line.users = parsed.users;
    line.address = parsed.address;
    line.method = parsed.method;
    line.options = parsed.options;
    line.error = parsed.error;
    lines.push_back(std::move(line));
  }
  facts->hba.lines = std::move(lines);
}

// Appends the settings of one file, and of the files it includes, in the
// order the server reads them.
void AppendFileSettings(const GatherSections& sections, const std::string& path, int depth,
                        std::vector<FileSettingFact>* settings, HostFacts* facts) {
  const GatherSection* file = FindSection(sections, "file " + path);
  if (!file || file->exit_status != 0) {
    // The gather follows one level of includes only; deeper ones stay unread.
    if (depth <= 1) {
      facts->problems.push_back({"settings", path + " cannot be read: " +
                                                 (file ? FirstLine(Trim(file->err)) : "not read") +
                                                 "; its settings are unknown"});
    }
    return;
  }
  Result<std::vector<ConfEntry>> entries = ParseConfFile(file->out);
  if (!entries.ok()) {
    facts->problems.push_back({"settings", path + ": " + entries.status().message()});
    return;
  }
  for (const ConfEntry& entry : *entries) {
    if (!entry.is_include) {
      settings->push_back(
          {entry.name, entry.value, path, entry.line_number, std::nullopt, std::nullopt});
      continue;
    }
    std::string target =
        entry.value.rfind('/', 0) == 0 ? entry.value : Dirname(path) + "/" + entry.value;
    if (entry.name == "include_dir") {
      // std::map keeps the sections sorted by name, as the server sorts files.
      const std::string prefix = "file " + target + "/";
      for (auto it = sections.lower_bound(prefix);
           it != sections.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
        AppendFileSettings(sections, it->first.substr(5), depth + 1, settings, facts);
      }
    } else if (entry.name == "include" || FindSection(sections, "file " + target)) {
      AppendFileSettings(sections, target, depth + 1, settings, facts);
    }
  }
}

// hba_file and port of a server that did not answer (its answer, when it
// did, is in facts already: InterpretSql). The manifest's hba_file, and
// `postgres -C hba_file` (the server's own reading of its configuration,
// which gather.sh asks a stopped server), are taken as the script reports
// them; else the configuration files' own line, read by pgpair's parser,
// else PostgreSQL's defaults. The script reads the file it found by the same
// order, with the default beside postgresql.conf where it could not ask; a
// file line naming another one is then reported as not read (InterpretHba).
void InterpretUnansweredLayout(const GatherSections& sections, HostFacts* facts) {
  if (facts->layout.source == std::string("server")) return;
  std::string hba_from;
  if (const GatherSection* layout = FindSection(sections, "layout")) {
    hba_from = KeyValueLines(layout->out)["hba_from"];
  }
  if (hba_from != "manifest" && hba_from != "postgres" && hba_from != "server") {
    if (const FileSettingFact* line = WinningFileSetting(*facts, "hba_file");
        line && !line->value.empty()) {
      // A relative path is the server's working directory's: the data directory.
      facts->layout.hba_file = line->value[0] == '/' || !facts->layout.data_dir
                                   ? line->value
                                   : *facts->layout.data_dir + "/" + line->value;
    } else if (facts->layout.config_file) {
      facts->layout.hba_file = Dirname(*facts->layout.config_file) + "/pg_hba.conf";
    }
  }
  if (!facts->layout.port && facts->layout.data_dir) {
    int port = 5432;  // PostgreSQL's default
    if (const FileSettingFact* line = WinningFileSetting(*facts, "port")) {
      int value = 0;
      const std::string& text = line->value;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error == std::errc() && end == text.data() + text.size() && value > 0) port = value;
    }
    facts->layout.port = port;
  }
}

void InterpretFiles(const GatherSections& sections, HostFacts* facts) {
  if (!facts->file_settings && facts->layout.config_file) {
    // The server is down: read the files the way it would.
    std::vector<FileSettingFact> settings;
    AppendFileSettings(sections, *facts->layout.config_file, 0, &settings, facts);
    if (facts->layout.data_dir) {
      std::string auto_conf = *facts->layout.data_dir + "/postgresql.auto.conf";
      if (FindSection(sections, "file " + auto_conf)) {
        AppendFileSettings(sections, auto_conf, 0, &settings, facts);
      }
    }
    facts->file_settings = std::move(settings);
  }
  InterpretUnansweredLayout(sections, facts);
  InterpretHba(sections, facts);
  if (facts->recovery.recovery_conf.value_or(false) && facts->layout.data_dir) {
    const GatherSection* file =
        FindSection(sections, "file " + *facts->layout.data_dir + "/recovery.conf");
    if (file && file->exit_status == 0) {
      Result<std::vector<ConfEntry>> entries = ParseConfFile(file->out);
      if (entries.ok()) {
        std::map<std::string, std::string> values;
        for (const ConfEntry& entry : *entries) values[entry.name] = entry.value;
        facts->recovery.recovery_conf_settings = std::move(values);
      }
    }
  }
  // The effective primary_conninfo: the server's, else the files' last word.
  if (const SettingFact* conninfo = facts->FindSetting("primary_conninfo")) {
    facts->recovery.primary_conninfo = conninfo->value;
  } else if (facts->recovery.recovery_conf_settings &&
             facts->recovery.recovery_conf_settings->count("primary_conninfo")) {
    facts->recovery.primary_conninfo =
        facts->recovery.recovery_conf_settings->at("primary_conninfo");
  } else if (facts->file_settings && facts->server.running == false) {
    const FileSettingFact* line = WinningFileSetting(*facts, "primary_conninfo");
    facts->recovery.primary_conninfo = line ? line->value : "";
  }
  if (const SettingFact* slot = facts->FindSetting("primary_slot_name")) {
    facts->recovery.primary_slot_name = slot->value;
  }
}
// pg_controldata's report, or pg_control's leading fields read by od where
// the host has no pg_controldata of the cluster's major.
void InterpretControlData(const GatherSections& sections, HostFacts* facts) {
  const GatherSection* section = FindSection(sections, "controldata");
  const char* tool = "pg_controldata";
  Result<ControlData> (*parse)(std::string_view) = ParsePgControldata;
  if (!section) {
    section = FindSection(sections, "pg_control");
    tool = "reading global/pg_control";
    parse = ParsePgControlFile;
  }
  if (!section) return;
  if (section->exit_status != 0) {
    facts->problems.push_back({"server", std::string(tool) +
                                             " failed: " + FirstLine(Trim(section->err)) +
                                             "; the system identifier is unknown"});
    return;
  }
  Result<ControlData> control = parse(section->out);
  if (!control.ok()) {
    facts->problems.push_back({"server", std::string(tool) + ": " + control.status().message()});
    return;
  }
  // The running server's pg_control_system() and pg_controldata read the
  // same file; pg_controldata also answers when the server is down.
  if (!facts->server.system_identifier)
    facts->server.system_identifier = control->system_identifier;
  facts->server.cluster_state = control->cluster_state;
  if (control->timeline_id) facts->server.timeline = std::to_string(*control->timeline_id);
  facts->server.checkpoint_location = control->latest_checkpoint_location;
  if (control->data_checksum_version) {
    facts->server.data_checksums = *control->data_checksum_version != 0;
  }
  if (control->wal_log_hints) {
    if (*control->wal_log_hints == "on") facts->server.wal_log_hints = true;
    if (*control->wal_log_hints == "off") facts->server.wal_log_hints = false;
  }
}

// The cluster's lines of the record of refused values; none without a record.
void InterpretRefusedSettings(const GatherSections& sections, HostFacts* facts) {
  const GatherSection* record = FindSection(sections, "refused_settings");
  if (record && record->exit_status != 0) {
    facts->problems.push_back(
        {"refused_settings",
         "the record of refused settings cannot be read: " + FirstLine(Trim(record->err)) +
             "; values the server refused before are "
             "not known"});
    return;
  }
  std::vector<RefusedSettingFact> refused;
  if (record && facts->layout.data_dir) {
    for (const RefusedSetting& setting : ParseRefusedSettings(record->out)) {
      if (setting.data_dir != *facts->layout.data_dir) continue;
      refused.push_back({setting.name, setting.value, setting.time, setting.log_line});
    }
  }
  facts->refused_settings = std::move(refused);
}

// Settings that can hold a password. Facts never keep one: everything that
// reads facts (plan output, JSON, logs) is then safe by construction.
bool HoldsConninfo(const std::string& name) { return name == "primary_conninfo"; }

// Keeps of the effective primary_conninfo's password only whether there is
// one and its digest, before the redaction below removes it.
void DigestConninfoPassword(HostFacts* facts) {
  if (!facts->recovery.primary_conninfo) return;
  Result<ConninfoPairs> pairs = ParseConninfo(*facts->recovery.primary_conninfo);
  if (!pairs.ok()) return;
  std::optional<std::string> password;
  for (const auto& [key, value] : *pairs) {
    if (key == "password") password = value;  // the last one wins, as in libpq
  }
  facts->recovery.primary_conninfo_has_password = password.has_value() && !password->empty();
  if (password && !password->empty()) {
    facts->recovery.primary_conninfo_password_sha256 = Sha256Hex(*password);
  }
}

void RedactSecrets(HostFacts* facts) {
  if (facts->settings) {
    for (SettingFact& setting : *facts->settings) {
      if (!HoldsConninfo(setting.name)) continue;
      if (setting.value) setting.value = RedactConninfo(*setting.value);
      if (setting.boot_value) setting.boot_value = RedactConninfo(*setting.boot_value);
    }
  }
  if (facts->file_settings) {
    for (FileSettingFact& setting : *facts->file_settings) {
      if (HoldsConninfo(setting.name)) setting.value = RedactConninfo(setting.value);
    }
  }
  if (facts->recovery.recovery_conf_settings) {
    for (auto& [name, value] : *facts->recovery.recovery_conf_settings) {
      if (HoldsConninfo(name)) value = RedactConninfo(value);
    }
  }
  if (facts->recovery.primary_conninfo) {
    facts->recovery.primary_conninfo = RedactConninfo(*facts->recovery.primary_conninfo);
  }
  if (facts->replication.receiver && facts->replication.receiver->conninfo) {
    facts->replication.receiver->conninfo = RedactConninfo(*facts->replication.receiver->conninfo);
  }
}

}  // namespace

void InterpretGather(const GatherSections& sections, const GatherRequest& request,
                     HostFacts* facts) {
  InterpretOs(sections, facts);
  InterpretApplyLock(sections, facts);
  bool running = InterpretLayout(sections, facts);
  if (const GatherSection* sql = FindSection(sections, "sql")) {
    InterpretSql(*sql, request, facts);
  } else if (running) {
    facts->problems.push_back({"sql", "the server runs but was not queried"});
  } else if (facts->layout.data_dir) {
    facts->problems.push_back(
        {"server",
         "PostgreSQL is not running; settings, roles, hba rules and replication "
         "are unknown (file facts are read from disk)"});
  }
  InterpretSignals(sections, facts);
  InterpretCloneLeftovers(sections, facts);
  InterpretFiles(sections, facts);
  InterpretControlData(sections, facts);
  InterpretWalState(sections, facts);
  InterpretArchive(sections, request, facts);
  InterpretRefusedSettings(sections, facts);
  DigestConninfoPassword(facts);
  RedactSecrets(facts);
}

}  // namespace pgpair
