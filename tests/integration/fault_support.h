#ifndef PGPAIR_TESTS_INTEGRATION_FAULT_SUPPORT_H_
#define PGPAIR_TESTS_INTEGRATION_FAULT_SUPPORT_H_

// What the fault-injection tests share: pgpair run in the background and
// killed at a chosen moment (tests/integration/background_pgpair.h), the sandbox's faults undone
// when a test ends, the processes living in a sandbox host, and the state of a host's data
// directory as an operator would look at it. Nothing here fakes anything.

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/background_pgpair.h"
#include "tests/integration/sandbox_support.h"

namespace pgpair::testing {

// The first line of `text`, without its newline.
inline std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// pgpair with `arguments`, killed (exit 124) if it runs longer than `seconds`:
// a hung run fails the test instead of hanging it.
inline CommandResult PgpairWithin(int seconds, const std::string& arguments) {
  return RunCommand("timeout " + std::to_string(seconds) + " " + std::string(PGPAIR_BINARY) + " " +
                    arguments + " </dev/null");
}

// Undoes, when the test ends however it ends, every fault the sandbox can
// inject: no throttle, links up, no port blocked, on both hosts. (`sandbox
// up` and `reset` do the same; this keeps a failed test's faults from
// lasting until then.)
class FaultGuard {
 public:
  FaultGuard() = default;
  FaultGuard(const FaultGuard&) = delete;
  FaultGuard& operator=(const FaultGuard&) = delete;
  ~FaultGuard() {
    for (const char* host : {"pg1", "pg2"}) {
      Sandbox(std::string("throttle ") + host + " off");
      Sandbox(std::string("link ") + host + " up");
      Sandbox(std::string("unblock ") + host);
    }
  }
};

// One process living in a sandbox host.
struct HostProcess {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string exe;      // basename of /proc/PID/exe ("" if unreadable)
  std::string cmdline;  // arguments joined by spaces
};

inline std::string ReadLink(const std::string& path) {
  char target[512] = {};
  ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
  return n > 0 ? std::string(target, n) : std::string();
}

inline std::string ReadProcFile(pid_t pid, const char* name) {
  return ReadText("/proc/" + std::to_string(pid) + "/" + name);
}

// The PID of the host's first process, its sshd, as the sandbox recorded it.
inline pid_t HostSshdPid(const std::string& host) {
  return static_cast<pid_t>(
      std::atol(ReadText(SandboxDir() + "/hosts/" + host + "/live/host.pid").c_str()));
}

// Every live process in the network namespace of sandbox host `host`. There
// is no PID namespace, so a host's processes are told apart from the
// machine's by /proc/PID/ns/net, compared with the namespace of the host's
// sshd (the sandbox finds its hosts the same way). Zombies are left out: they
// already left.
inline std::vector<HostProcess> ProcessesInHost(const std::string& host) {
  std::vector<HostProcess> found;
  pid_t sshd = HostSshdPid(host);
  if (sshd <= 0) return found;
  const std::string want = ReadLink("/proc/" + std::to_string(sshd) + "/ns/net");
  // A PID no longer the host's: never take the machine's own processes.
  if (want.empty() || want == ReadLink("/proc/self/ns/net")) return found;
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    std::string base = "/proc/" + std::string(entry->d_name);
    if (ReadLink(base + "/ns/net") != want) continue;
    // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces.
    std::string stat_text = ReadProcFile(pid, "stat");
    size_t close = stat_text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat_text.substr(close + 1));
    std::string state;
    HostProcess process;
    rest >> state >> process.ppid;
    if (state == "Z" || state == "X") continue;
    process.pid = static_cast<pid_t>(pid);
    std::string exe = ReadLink(base + "/exe");
    process.exe = exe.substr(exe.rfind('/') + 1);
    process.cmdline = ReadProcFile(pid, "cmdline");
    for (char& c : process.cmdline) {
      if (c == '\0') c = ' ';
    }
    while (!process.cmdline.empty() && process.cmdline.back() == ' ') process.cmdline.pop_back();
    found.push_back(process);
  }
  closedir(proc);
  return found;
}

inline bool AnyProcessInHost(const std::string& host, const std::string& exe) {
  for (const HostProcess& process : ProcessesInHost(host)) {
    if (process.exe == exe) return true;
  }
  return false;
}

// What lives in the host besides its sshd and its PostgreSQL server (every
// process whose executable is `postgres`): with no pgpair running, anything
// else (pg_basebackup, a session of sshd, `sh -c`, sudo, runuser, pg_ctl, a
// lock or guard script) is left over by a run. One line per process.
inline std::vector<std::string> Leftovers(const std::string& host) {
  std::vector<std::string> lines;
  pid_t sshd = HostSshdPid(host);
  for (const HostProcess& process : ProcessesInHost(host)) {
    if (process.pid == sshd || process.exe == "postgres") continue;
    // A remote script is one argument of many lines: its start is enough.
    std::string command = Replaced(process.cmdline, "\n", "; ");
    if (command.size() > 200) command = command.substr(0, 200) + "...";
    lines.push_back(host + ": pid " + std::to_string(process.pid) + " (parent " +
                    std::to_string(process.ppid) + ") " + process.exe + ": " + command);
  }
  return lines;
}

// Waits (bounded) until neither host has a leftover; returns what is still
// there when the time is up (nothing when they are clean).
inline std::vector<std::string> LeftoversAfter(std::chrono::seconds timeout) {
  std::vector<std::string> left;
  WaitUntil(
      [&] {
        left = Leftovers("pg1");
        std::vector<std::string> more = Leftovers("pg2");
        left.insert(left.end(), more.begin(), more.end());
        return left.empty();
      },
      timeout);
  return left;
}

// The address of sandbox host `host`, from `sandbox env`.
inline std::string HostAddress(const std::string& host) {
  std::string upper;
  for (char c : host) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::istringstream lines(Sandbox("env").out);
  std::string line, prefix = "PGPAIR_SANDBOX_" + upper + "=";
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return "";
}

// Whether this machine can open a TCP connection to the host's sshd within 2 s.
inline bool Reachable(const std::string& host) {
  return RunCommand("timeout 2 bash -c " +
                    ShellQuote("exec 3<>/dev/tcp/" + HostAddress(host) + "/22"))
             .exit_status == 0;
}

// Debian 15's layout, which FreshSandbox gives both hosts.
inline const std::string kDataDir = "/var/lib/postgresql/15/main";

// A data directory and its server, as an operator looks at them.
struct DataDirState {
  bool exists = false;
  std::string pg_version;       // PG_VERSION's content, "" when missing
  std::string file_sysid;       // first 8 bytes of global/pg_control, "" when missing
  bool standby_signal = false;  // standby.signal
  bool recovery_signal = false;
  bool backup_label = false;
  bool primary_conninfo = false;  // a primary_conninfo line in postgresql.auto.conf
  bool running = false;           // the server answers SQL
  std::optional<bool> in_recovery;
  std::string sql_sysid;  // pg_control_system() when running
  std::string raw;        // what the probe printed, for INFO
};

// Reads the state of `dir` on `host` in one `sandbox exec`.
inline DataDirState ReadDataDir(const std::string& host, const std::string& dir = kDataDir) {
  const std::string d = ShellQuote(dir);
  const std::string psql = "runuser -u postgres -- psql -X -A -t -q -c ";
  CommandResult probe = OnHost(
      host, "cd / && d=" + d +
                "\n"
                "yn() { if \"$@\"; then echo yes; else echo no; fi; }\n"
                "echo exists=$(yn test -d \"$d\")\n"
                "echo pg_version=$(cat \"$d/PG_VERSION\" 2>/dev/null)\n"
                "echo file_sysid=$(od -An -t u8 -N8 \"$d/global/pg_control\" 2>/dev/null | tr -d "
                "' ')\n"
                "echo standby_signal=$(yn test -f \"$d/standby.signal\")\n"
                "echo recovery_signal=$(yn test -f \"$d/recovery.signal\")\n"
                "echo backup_label=$(yn test -f \"$d/backup_label\")\n"
                "echo primary_conninfo=$(yn grep -qs '^primary_conninfo' "
                "\"$d/postgresql.auto.conf\")\n"
                "echo in_recovery=$(" +
                psql + "'SELECT pg_is_in_recovery()' 2>/dev/null)\n" + "echo sql_sysid=$(" + psql +
                "'SELECT system_identifier FROM pg_control_system()' 2>/dev/null)\n");
  DataDirState state;
  state.raw = host + ":" + dir + ":\n" + probe.out + probe.err;
  std::map<std::string, std::string> values;
  std::istringstream lines(probe.out);
  std::string line;
  while (std::getline(lines, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  state.exists = values["exists"] == "yes";
  state.pg_version = values["pg_version"];
  state.file_sysid = values["file_sysid"];
  state.standby_signal = values["standby_signal"] == "yes";
  state.recovery_signal = values["recovery_signal"] == "yes";
  state.backup_label = values["backup_label"] == "yes";
  state.primary_conninfo = values["primary_conninfo"] == "yes";
  if (values["in_recovery"] == "t" || values["in_recovery"] == "f") {
    state.running = true;
    state.in_recovery = values["in_recovery"] == "t";
  }
  state.sql_sysid = values["sql_sysid"];
  return state;
}

// "ROWS MD5" of the table `sandbox fill` writes (the same query).
inline std::string FillChecksum(const std::string& host) {
  CommandResult run = SqlOnHost(
      host,
      "SELECT count(*) || ' ' || md5(coalesce(string_agg(md5(payload), '' ORDER BY id), '')) "
      "FROM pgpair_fill");
  return run.exit_status == 0 ? FirstLine(run.out) : "";
}

// Every distinct match of group 1 of `pattern` in `text`.
inline std::vector<std::string> Matches(const std::string& text, const std::string& pattern) {
  std::vector<std::string> found;
  std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    std::string match = (*it)[1];
    if (std::find(found.begin(), found.end(), match) == found.end()) found.push_back(match);
  }
  return found;
}

// The moved-aside directories an output names: `<data_dir>.pgpair-<UTC
// timestamp>` (never a staging directory).
inline std::vector<std::string> AsidePaths(const std::string& output) {
  return Matches(output, "(" + std::regex_replace(kDataDir, std::regex("[.]"), "\\.") +
                             "\\.pgpair-[0-9]{8}T[0-9]{6}Z)");
}

// Every absolute path an output says old data is at ("the old data
// directory is at X").
inline std::vector<std::string> NamedOldDataPaths(const std::string& output) {
  return Matches(output, "old data directory is at (/[^ ;,()'\"\n]+)");
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_INTEGRATION_FAULT_SUPPORT_H_
