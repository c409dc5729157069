#include "resources/standby_clone.h"

#include <chrono>
#include <utility>

#include "engine/apply/remote_guard.h"
#include "engine/apply/server_control.h"
#include "engine/util/shell_quote.h"
#include "resources/recovery_config.h"

namespace pgpair {
namespace {

constexpr char kKind[] = "standby_clone";

// How the standby's server stands, as far as the facts tell.
enum class RunsAs { kStandby, kPrimary, kUnknown };

struct RoleEvidence {
  RunsAs as = RunsAs::kUnknown;
  std::string how;  // "runs as a primary", "is stopped and was last a primary (...)"
};

RoleEvidence StandbyRunsAs(const HostFacts& standby, int major) {
  if (standby.server.running == true) {
    if (standby.server.in_recovery == true) return {RunsAs::kStandby, "runs in recovery"};
    if (standby.server.in_recovery == false) {
      return {RunsAs::kPrimary, "runs as a primary (not in recovery)"};
    }
    return {RunsAs::kUnknown, "runs, but whether it is in recovery is unknown"};
  }
  if (standby.server.running != false) {
    return {RunsAs::kUnknown, "may or may not run (unknown)"};
  }
  // A stopped data directory starts as a standby if it is marked as one.
  bool marked = major >= 12 ? standby.recovery.standby_signal == true
                            : standby.recovery.recovery_conf == true;
  if (marked) {
    return {RunsAs::kStandby,
            major >= 12 ? "is stopped, with standby.signal" : "is stopped, with recovery.conf"};
  }
  const std::optional<std::string>& state = standby.server.cluster_state;
  if (state == "shut down in recovery" || state == "in archive recovery") {
    return {RunsAs::kStandby, "is stopped and was last a standby (pg_controldata: " + *state + ")"};
  }
  // "in production" is also what an interrupted clone's pg_control says:
  // with no way to tell, it is treated as the primary it may be.
  if (state == "shut down" || state == "in production") {
    return {RunsAs::kPrimary, "is stopped and was last a primary (pg_controldata: " + *state + ")"};
  }
  return {RunsAs::kUnknown, "is stopped, and whether it was last a primary is unknown"};
}

// The standby's major: its data directory's, else the Debian cluster's name
// ("15/main"), which holds when the data directory is missing.
std::optional<int> StandbyMajor(const HostFacts& standby) {
  if (standby.server.major) return standby.server.major;
  if (standby.layout.cluster) {
    try {
      size_t used = 0;
      int major = std::stoi(*standby.layout.cluster, &used);
      if (used > 0 && used < standby.layout.cluster->size() &&
          (*standby.layout.cluster)[used] == '/') {
        return major;
      }
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

bool DataDirMissing(const HostFacts& standby) { return standby.layout.data_dir_exists == false; }

std::string Arg(const Change& change, const char* key) {
  auto it = change.arguments.find(key);
  return it == change.arguments.end() ? std::string() : it->second;
}

std::string TrimEnd(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// libpq's password file: ':' and '\' in a field are escaped with '\'.
std::string PgpassField(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == ':' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

class StandbyClone final : public Resource {
 public:
  const char* kind() const override { return kKind; }

  void Diff(const PlanInput& input, Plan* plan) const override {
    CloneDecision decision = DecideStandbyClone(input);
    if (decision.change) plan->changes.push_back(std::move(*decision.change));
    for (Blocker& blocker : decision.blockers) plan->blockers.push_back(std::move(blocker));
    for (std::string& note : decision.notes) plan->notes.push_back(std::move(note));
  }

  Status Apply(const Change& change, ApplyContext& context) const override {
    const HostSpec* host = context.manifest->FindHost(change.host);
    if (!host) return Status::Error("standby_clone: no host " + change.host + " in the manifest");
    Transport& transport = context.For(change.host);
    const std::string& label = transport.host_label();
    if (context.replication_password.empty()) {
      return Status::Error(label +
                           ": the replication password is not available; the standby "
                           "is not cloned and nothing was changed");
    }
    auto progress = [&](const std::string& text) {
      if (context.progress) context.progress(label + ": " + text);
    };
    const std::string data_dir = Arg(change, "data_dir");
    const std::string aside = Arg(change, "aside");
    const std::string primary_host = Arg(change, "primary_host");
    const int primary_port = std::stoi(Arg(change, "primary_port"));
    const std::string user = Arg(change, "user");

    // Stopping a server that is already stopped fails with some service
    // managers; that is fine. The clone script itself refuses to move a data
    // directory that a live postmaster uses, so a failed stop of a running
    // server stops the clone there.
    progress("stopping the PostgreSQL server");
    Status stopped =
        ControlServer(transport, *host, context.FactsFor(change.host), ServerAction::kStop);

    progress("moving " + data_dir + " to " + aside + " and cloning " + primary_host + ":" +
             std::to_string(primary_port) + " with pg_basebackup");
    Result<ExecResult> run =
        transport.Exec(GuardedCommand(CloneScript(change, host->postgres.os_user),
                                      context.LeasePidFor(change.host)),
                       PgpassLine(primary_host, primary_port, user, context.replication_password),
                       std::chrono::seconds(host->ssh.command_timeout_seconds));
    if (!run.ok()) {
      return Status::Error(run.status().message() + "; the clone did not finish: if " + data_dir +
                           " is missing or incomplete, the old data directory is at " + aside +
                           " (put it back with: mv " + aside + " " + data_dir + ")");
    }
    if (run->exit_status != 0) {
      std::string message = label + ": " + TrimEnd(run->stderr_text);
      if (!stopped.ok()) message += " (the stop before it failed: " + stopped.message() + ")";
      return Status::Error(message);
    }

    progress("writing the standby's recovery configuration");
    Status configured = WriteStandbyConfig(
        transport, *host, std::stoi(Arg(change, "major")), data_dir, Arg(change, "conninfo_file"),
        BuildPrimaryConninfo({primary_host, primary_port, user, Arg(change, "application_name")},
                             context.replication_password),
        Arg(change, "timestamp"));
    if (!configured.ok()) {
      return Status::Error(configured.message() + "; " + data_dir + " is a complete copy of " +
                           primary_host + " but not configured as a standby: do not start it; " +
                           "apply again (the old data directory is at " + aside + ")");
    }
    return Status::Ok();
  }
};

}  // namespace

const Resource& StandbyCloneResource() {
  static const StandbyClone resource;
  return resource;
}

CloneDecision DecideStandbyClone(const PlanInput& input) {
  CloneDecision decision;
  const HostFacts& primary = *input.primary;
  const HostFacts& standby = *input.standby;
  const std::string& p = primary.name;
  const std::string& s = standby.name;
  auto block = [&](const std::string& host, std::string message) {
    decision.blockers.push_back({host, std::move(message)});
    decision.verdict = CloneVerdict::kBlocked;
  };

  if (primary.server.running != true) {
    block(p, "the primary is not running; cannot plan the standby (start " + p +
                 "'s server and plan again)");
    return decision;
  }
  if (!primary.server.system_identifier || !primary.server.major) {
    block(p,
          "the primary's system identifier or major version is unknown; cannot plan the "
          "standby");
    return decision;
  }
  const std::string& primary_id = *primary.server.system_identifier;
  const int major = *primary.server.major;

  // Checked before anything else of the standby: a plan that cannot end in
  // a working standby must not start by changing it.
  std::optional<int> standby_major = StandbyMajor(standby);
  if (!standby_major) {
    block(s, "the PostgreSQL major version of " + s +
                 " is unknown (no PG_VERSION in its data directory and no Debian cluster "
                 "name); cannot check that it matches " +
                 p + "'s " + std::to_string(major));
  } else if (*standby_major != major) {
    block("", p + " runs PostgreSQL " + std::to_string(major) + " but " + s + "'s cluster is " +
                  std::to_string(*standby_major) +
                  ": a standby must run its primary's major version; install PostgreSQL " +
                  std::to_string(major) + " on " + s + " and declare its cluster in the manifest");
  }
  const auto& primary_arch = primary.os.architecture;
  const auto& standby_arch = standby.os.architecture;
  if (primary_arch && standby_arch && *primary_arch != *standby_arch) {
    block("", p + " is " + *primary_arch + " but " + s + " is " + *standby_arch +
                  ": physical replication copies data files byte for byte and fails across "
                  "architectures; the standby needs a host of " +
                  p + "'s architecture");
  } else if (!primary_arch || !standby_arch) {
    decision.notes.push_back("the architecture of " + (primary_arch ? s : p) +
                             " is unknown; pgpair cannot check that both hosts share one");
  }
  if (decision.verdict == CloneVerdict::kBlocked) return decision;

  if (!standby.layout.data_dir) {
    block(s, "the data directory of " + s +
                 " is unknown (no cluster found); declare "
                 "hosts." +
                 s + ".postgres.cluster or data_dir in the manifest");
    return decision;
  }
  const std::string& data_dir = *standby.layout.data_dir;
  const std::string aside = data_dir + ".pgpair-" + input.timestamp;
  const StandbyConninfo conninfo = DesiredStandbyConninfo(*input.manifest, primary);

  auto replace = [&](std::optional<std::string> before, std::string why) {
    if (!standby.layout.bin_dir) {
      block(s, "the PostgreSQL programs of " + s + " were not found (no bin_dir), so " + s +
                   " cannot be cloned; install PostgreSQL " + std::to_string(major) +
                   " or declare hosts." + s + ".postgres.bin_dir");
      return;
    }
    if (input.timestamp.empty()) {
      block(s, "internal error: no timestamp to name the moved-aside data directory");
      return;
    }
    Change change;
    change.resource = kKind;
    change.address = std::string(kKind) + "[" + s + "]";
    change.host = s;
    change.action = Action::kReplace;
    change.before = std::move(before);
    change.after = "copy of " + p + " (system identifier " + primary_id + ")";
    change.reason = std::move(why) + "; " + data_dir + " is moved to " + aside +
                    " (never deleted) and replaced by a copy of " + p + " taken with " +
                    "pg_basebackup, then configured as its standby";
    change.impact = Impact::kReclone;
    change.arguments["data_dir"] = data_dir;
    change.arguments["aside"] = aside;
    change.arguments["bin_dir"] = *standby.layout.bin_dir;
    change.arguments["major"] = std::to_string(major);
    change.arguments["primary_host"] = conninfo.host;
    change.arguments["primary_port"] = std::to_string(conninfo.port);
    change.arguments["user"] = conninfo.user;
    change.arguments["application_name"] = conninfo.application_name;
    // Always the data directory's own file: it is read last, so it wins over
    // any primary_conninfo that came along in the copy or sits in
    // postgresql.conf.
    change.arguments["conninfo_file"] = data_dir + "/postgresql.auto.conf";
    change.arguments["timestamp"] = input.timestamp;
    decision.change = std::move(change);
    decision.verdict = CloneVerdict::kReplace;
  };

  if (DataDirMissing(standby)) {
    replace(std::nullopt, s + "'s data directory " + data_dir + " does not exist");
    return decision;
  }
  if (!standby.server.system_identifier) {
    block(s, "the system identifier of " + s + "'s data directory " + data_dir +
                 " is unknown, so pgpair cannot tell whether it is a copy of " + p +
                 "; check it with pg_controldata (a directory left over from an interrupted "
                 "clone can be moved aside by hand, and pgpair will clone again)");
    return decision;
  }
  const std::string& standby_id = *standby.server.system_identifier;
  const RoleEvidence role = StandbyRunsAs(standby, *standby_major);
  const std::string before = "system identifier " + standby_id;

  if (standby_id != primary_id) {
    std::string why = s + "'s data directory belongs to another cluster (system identifier " +
                      standby_id + ", primary has " + primary_id + ")";
    if (role.as == RunsAs::kPrimary) {
      why += "; " + s + " " + role.how + " with its own data, which is moved aside";
    }
    replace(before, why);
    return decision;
  }
  if (role.as == RunsAs::kPrimary) {
    std::string risk = s + " " + role.how + ", with " + p + "'s system identifier " + primary_id +
                       ": it was promoted, and two primaries of one cluster are a split brain";
    if (!input.allow_overwrite_primary) {
      block(s, risk + "; if " + s +
                   " is now the primary, swap primary and standby in the "
                   "manifest; to discard " +
                   s + "'s data and clone it from " + p +
                   " again, plan with --allow-overwrite-primary");
      return decision;
    }
    replace(before + ", a primary", risk + "; --allow-overwrite-primary discards its own data");
    return decision;
  }
  if (role.as == RunsAs::kUnknown) {
    decision.verdict = CloneVerdict::kUnknown;
    decision.notes.push_back(s + " " + role.how + "; its standby configuration is not planned");
    return decision;
  }

  decision.verdict = CloneVerdict::kKeep;
  const auto& receiver = standby.replication.receiver;
  bool streaming =
      standby.replication.receiver_present == true && receiver && receiver->status == "streaming";
  bool conninfo_right = standby.recovery.primary_conninfo &&
                        PrimaryConninfoMatches(*standby.recovery.primary_conninfo, conninfo);
  if (standby.server.running == true && standby.replication.receiver_present && !streaming &&
      conninfo_right) {
    std::string status =
        standby.replication.receiver_present == false
            ? "no WAL receiver runs"
            : "its WAL receiver is " + receiver->status.value_or("in an unknown state");
    decision.notes.push_back(s + " is a standby of " + p + " but not streaming (" + status +
                             "); it may be catching up from the archive or reconnecting; "
                             "pgpair check reports its progress");
  }
  return decision;
}

std::string PgpassLine(const std::string& host, int port, const std::string& user,
                       const std::string& password) {
  return PgpassField(host) + ":" + std::to_string(port) + ":replication:" + PgpassField(user) +
         ":" + PgpassField(password) + "\n";
}

std::string CloneScript(const Change& change, const std::string& os_user) {
  const std::string pg_basebackup = Arg(change, "bin_dir") + "/pg_basebackup";
  std::string script =
      "set -u\n"
      "umask 077\n"
      "cd / || exit 1\n"
      "data=" +
      ShellQuote(Arg(change, "data_dir")) +
      "\n"
      "aside=" +
      ShellQuote(Arg(change, "aside")) +
      "\n"
      "user=" +
      ShellQuote(os_user) +
      "\n"
      "fail() { printf '%s\\n' \"$*\" >&2; exit 1; }\n"
      // Never move a directory a live postmaster works in.
      "if [ -f \"$data/postmaster.pid\" ]; then\n"
      "  pid=$(sed -n 1p \"$data/postmaster.pid\")\n"
      "  if [ -n \"$pid\" ] && kill -0 \"$pid\" 2>/dev/null; then\n"
      "    fail \"the PostgreSQL server still runs in $data (pid $pid); nothing was changed\"\n"
      "  fi\n"
      "fi\n"
      "if [ -e \"$aside\" ] || [ -L \"$aside\" ]; then\n"
      "  fail \"$aside already exists; nothing was changed\"\n"
      "fi\n"
      "moved=no\n"
      "if [ -e \"$data\" ]; then\n"
      "  mv -- \"$data\" \"$aside\" || fail \"$data cannot be moved to $aside; nothing was "
      "changed\"\n"
      "  moved=yes\n"
      "fi\n"
      "old() {\n"
      "  if [ \"$moved\" = yes ]; then\n"
      "    echo \"the old data directory is at $aside; to put it back: mv $aside $data\"\n"
      "  else\n"
      "    echo \"there was no old data directory\"\n"
      "  fi\n"
      "}\n"
      // The password file goes on every exit, and so does a partial copy:
      // it is not a cluster, only the moved-aside directory is.
      "passfile=\n"
      "copying=no\n"
      "cleanup() {\n"
      "  if [ -n \"$passfile\" ]; then rm -f -- \"$passfile\"; fi\n"
      "  if [ \"$copying\" = yes ]; then rm -rf -- \"$data\"; fi\n"
      "}\n"
      "trap cleanup EXIT\n"
      "trap 'exit 1' HUP INT TERM PIPE\n"
      "mkdir -- \"$data\" || fail \"$data cannot be created; $(old)\"\n"
      "copying=yes\n"
      "chown -- \"$user:\" \"$data\" && chmod 0700 \"$data\" ||\n"
      "  fail \"$data cannot be given to $user; $(old)\"\n"
      // In the server user's home, where it may read; /tmp otherwise.
      "home=$(getent passwd \"$user\" | cut -d: -f6)\n"
      "dir=/tmp\n"
      "if [ -n \"$home\" ] && [ -d \"$home\" ]; then dir=$home; fi\n"
      "passfile=$(mktemp -- \"$dir/.pgpair-pgpass-XXXXXX\") ||\n"
      "  fail \"no password file can be created in $dir; $(old)\"\n"
      "chown -- \"$user\" \"$passfile\" && chmod 0600 \"$passfile\" && cat > \"$passfile\" ||\n"
      "  fail \"the password file $passfile cannot be written; $(old)\"\n"
      "if ! out=$(runuser -u \"$user\" -- env PGPASSFILE=\"$passfile\" " +
      ShellQuote(pg_basebackup) + " -h " + ShellQuote(Arg(change, "primary_host")) + " -p " +
      ShellQuote(Arg(change, "primary_port")) + " -U " + ShellQuote(Arg(change, "user")) +
      " -D \"$data\" -X stream -c fast -w 2>&1); then\n"
      "  fail \"pg_basebackup failed: $out; the partial copy in $data is removed; $(old)\"\n"
      "fi\n"
      "copying=no\n";
  return script;
}

}  // namespace pgpair
