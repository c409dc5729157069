#include "engine/facts/facts_json.h"

namespace pgpair {
namespace {

using nlohmann::json;

template <typename T>
json Optional(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

template <typename T, typename Convert>
json OptionalList(const std::optional<std::vector<T>>& values, Convert convert) {
  if (!values) return nullptr;
  json list = json::array();
  for (const T& value : *values) list.push_back(convert(value));
  return list;
}

json SettingToJson(const SettingFact& s) {
  return {{"name", s.name},
          {"value", Optional(s.value)},
          {"unit", Optional(s.unit)},
          {"vartype", Optional(s.vartype)},
          {"context", Optional(s.context)},
          {"source", Optional(s.source)},
          {"source_file", Optional(s.source_file)},
          {"source_line", Optional(s.source_line)},
          {"pending_restart", Optional(s.pending_restart)},
          {"boot_value", Optional(s.boot_value)}};
}

json FileSettingToJson(const FileSettingFact& s) {
  return {{"name", s.name},
          {"value", s.value},
          {"file", s.file},
          {"line", s.line},
          {"applied", Optional(s.applied)},
          {"error", Optional(s.error)}};
}

// Names as pg_hba.conf writes them: a quoted one keeps its double quotes, so
// that "replication" (a database) and replication (the keyword) stay apart.
json HbaTokensToJson(const std::vector<HbaToken>& tokens) {
  json written = json::array();
  for (const HbaToken& token : tokens) written.push_back(token.Written());
  return written;
}

json HbaLineToJson(const HbaLineFact& l) {
  return {{"line_number", l.line_number},
          {"type", l.type},
          {"databases", HbaTokensToJson(l.databases)},
          {"users", HbaTokensToJson(l.users)},
          {"address", Optional(l.address)},
          {"method", l.method},
          {"options", l.options},
          {"error", Optional(l.error)},
          {"text", l.text}};
}

json HbaRuleToJson(const HbaRuleFact& r) {
  return {{"line_number", Optional(r.line_number)},
          {"type", Optional(r.type)},
          {"databases", r.databases},
          {"users", r.users},
          {"address", Optional(r.address)},
          {"netmask", Optional(r.netmask)},
          {"method", Optional(r.method)},
          {"error", Optional(r.error)}};
}

json RoleToJson(const RoleFact& r) {
  return {{"name", r.name},
          {"exists", Optional(r.exists)},
          {"can_login", Optional(r.can_login)},
          {"replication", Optional(r.replication)},
          {"superuser", Optional(r.superuser)},
          {"connection_limit", Optional(r.connection_limit)},
          {"has_password", Optional(r.has_password)},
          {"password_kind", Optional(r.password_kind)},
          {"rewind_functions", Optional(r.rewind_functions)}};
}

json SenderToJson(const WalSenderFact& s) {
  return {{"pid", Optional(s.pid)},
          {"user", Optional(s.user)},
          {"application_name", Optional(s.application_name)},
          {"client_addr", Optional(s.client_addr)},
          {"state", Optional(s.state)},
          {"sent_lsn", Optional(s.sent_lsn)},
          {"replay_lsn", Optional(s.replay_lsn)},
          {"sync_state", Optional(s.sync_state)},
          {"replay_lag_seconds", Optional(s.replay_lag_seconds)}};
}

json ReceiverToJson(const std::optional<WalReceiverFact>& r) {
  if (!r) return nullptr;
  return {
      {"status", Optional(r->status)},           {"sender_host", Optional(r->sender_host)},
      {"sender_port", Optional(r->sender_port)}, {"slot_name", Optional(r->slot_name)},
      {"conninfo", Optional(r->conninfo)},       {"latest_end_lsn", Optional(r->latest_end_lsn)}};
}

json TimelineForkToJson(const std::optional<TimelineForkFact>& t) {
  if (!t) return nullptr;
  return {{"timeline", t->timeline},
          {"parent", Optional(t->parent)},
          {"fork_lsn", Optional(t->fork_lsn)}};
}

json SlotToJson(const SlotFact& s) {
  return {{"name", s.name},
          {"type", Optional(s.type)},
          {"active", Optional(s.active)},
          {"restart_lsn", Optional(s.restart_lsn)}};
}

json ArchiveToJson(const std::optional<ArchiveDirFacts>& a) {
  if (!a) return nullptr;
  return {{"path", a->path},
          {"exists", Optional(a->exists)},
          {"is_directory", Optional(a->is_directory)},
          {"owner", Optional(a->owner)},
          {"group", Optional(a->group)},
          {"mode", Optional(a->mode)}};
}

json ApplyHolderToJson(const std::optional<ApplyHolderFact>& h) {
  if (!h) return nullptr;
  return {{"pair", Optional(h->pair)},       {"user", Optional(h->user)},
          {"machine", Optional(h->machine)}, {"pid", Optional(h->pid)},
          {"since", Optional(h->since)},     {"lease_pid", Optional(h->lease_pid)}};
}

json RefusedToJson(const RefusedSettingFact& r) {
  return {{"name", r.name}, {"value", r.value}, {"time", r.time}, {"log_line", r.log_line}};
}

}  // namespace

json HostFactsToJson(const HostFacts& f) {
  json problems = json::array();
  for (const FactProblem& p : f.problems)
    problems.push_back({{"topic", p.topic}, {"message", p.message}});
  return {
      {"name", f.name},
      {"address", f.address},
      {"declared_role", f.declared_role},
      {"os",
       {{"hostname", Optional(f.os.hostname)},
        {"pretty_name", Optional(f.os.pretty_name)},
        {"id", Optional(f.os.id)},
        {"version_id", Optional(f.os.version_id)},
        {"architecture", Optional(f.os.architecture)},
        {"kernel", Optional(f.os.kernel)},
        {"memory_bytes", Optional(f.os.memory_bytes)}}},
      {"layout",
       {{"cluster", Optional(f.layout.cluster)},
        {"bin_dir", Optional(f.layout.bin_dir)},
        {"data_dir", Optional(f.layout.data_dir)},
        {"data_dir_exists", Optional(f.layout.data_dir_exists)},
        {"data_dir_mount_point", Optional(f.layout.data_dir_mount_point)},
        {"config_file", Optional(f.layout.config_file)},
        {"hba_file", Optional(f.layout.hba_file)},
        {"port", Optional(f.layout.port)},
        {"socket_dir", Optional(f.layout.socket_dir)},
        {"source", Optional(f.layout.source)},
        {"clone_leftovers", Optional(f.layout.clone_leftovers)},
        {"pg_rewind", Optional(f.layout.pg_rewind)},
        {"rewind_interrupted", Optional(f.layout.rewind_interrupted)}}},
      {"server",
       {{"major", Optional(f.server.major)},
        {"version", Optional(f.server.version)},
        {"running", Optional(f.server.running)},
        {"postmaster_pid", Optional(f.server.postmaster_pid)},
        {"start_time", Optional(f.server.start_time)},
        {"in_recovery", Optional(f.server.in_recovery)},
        {"system_identifier", Optional(f.server.system_identifier)},
        {"cluster_state", Optional(f.server.cluster_state)},
        {"timeline", Optional(f.server.timeline)},
        {"checkpoint_location", Optional(f.server.checkpoint_location)},
        {"data_checksums", Optional(f.server.data_checksums)},
        {"wal_log_hints", Optional(f.server.wal_log_hints)}}},
      {"settings", OptionalList(f.settings, SettingToJson)},
      {"file_settings", OptionalList(f.file_settings, FileSettingToJson)},
      {"hba",
       {{"file", Optional(f.hba.file)},
        {"lines", OptionalList(f.hba.lines, HbaLineToJson)},
        {"server_rules", OptionalList(f.hba.server_rules, HbaRuleToJson)}}},
      {"roles", OptionalList(f.roles, RoleToJson)},
      {"recovery",
       {{"recovery_conf", Optional(f.recovery.recovery_conf)},
        {"standby_signal", Optional(f.recovery.standby_signal)},
        {"recovery_signal", Optional(f.recovery.recovery_signal)},
        {"recovery_conf_settings", Optional(f.recovery.recovery_conf_settings)},
        {"backup_label", Optional(f.recovery.backup_label)},
        {"primary_conninfo", Optional(f.recovery.primary_conninfo)},
        {"primary_conninfo_has_password", Optional(f.recovery.primary_conninfo_has_password)},
        {"primary_slot_name", Optional(f.recovery.primary_slot_name)}}},
      {"archive", ArchiveToJson(f.archive)},
      {"replication",
       {{"senders", OptionalList(f.replication.senders, SenderToJson)},
        {"receiver_present", Optional(f.replication.receiver_present)},
        {"receiver", ReceiverToJson(f.replication.receiver)},
        {"slots", OptionalList(f.replication.slots, SlotToJson)},
        {"receive_lsn", Optional(f.replication.receive_lsn)},
        {"replay_lsn", Optional(f.replication.replay_lsn)},
        {"replay_delay_seconds", Optional(f.replication.replay_delay_seconds)},
        {"current_lsn", Optional(f.replication.current_lsn)},
        {"archive_failing", Optional(f.replication.archive_failing)},
        {"archive_failed_count", Optional(f.replication.archive_failed_count)},
        {"archive_ready_files", Optional(f.replication.archive_ready_files)},
        {"timeline_fork", TimelineForkToJson(f.replication.timeline_fork)}}},
      {"apply_in_progress", ApplyHolderToJson(f.apply_in_progress)},
      {"refused_settings", OptionalList(f.refused_settings, RefusedToJson)},
      {"problems", problems},
      {"gathering",
       {{"ssh_connections", f.ssh_connections},
        {"exec_round_trips", f.exec_round_trips},
        {"seconds", f.gather_seconds}}},
  };
}

json FactsToJson(const PairFacts& facts) {
  json hosts = json::array();
  for (const HostFacts& host : facts.hosts) hosts.push_back(HostFactsToJson(host));
  return {{"pgpair_facts_version", 1}, {"pair", facts.pair}, {"hosts", hosts}};
}

}  // namespace pgpair
