#ifndef PGPAIR_TESTS_INTEGRATION_SANDBOX_SUPPORT_H_
#define PGPAIR_TESTS_INTEGRATION_SANDBOX_SUPPORT_H_

// What the end-to-end tests share: running commands (the real pgpair binary,
// the sandbox script, ssh into a sandbox host) and scratch directories.
// Nothing here fakes anything.

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/util/shell_quote.h"

namespace pgpair::testing {

struct CommandResult {
  int exit_status = -1;
  std::string out;
  std::string err;
};

// Runs `command` in /bin/sh, capturing stdout and stderr apart.
inline CommandResult RunCommand(const std::string& command) {
  char err_path[] = "/tmp/pgpair-test-stderr-XXXXXX";
  int fd = mkstemp(err_path);
  if (fd >= 0) close(fd);
  CommandResult result;
  FILE* pipe = popen((command + " 2>" + err_path).c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.out.append(buffer, n);
  int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err_file(err_path);
  std::ostringstream err;
  err << err_file.rdbuf();
  result.err = err.str();
  std::remove(err_path);
  return result;
}

// tests/sandbox/sandbox with `arguments` (up, reset, exec HOST ..., ssh HOST ...).
inline CommandResult Sandbox(const std::string& arguments) {
  return RunCommand(std::string(PGPAIR_SANDBOX_SCRIPT) + " " + arguments);
}

// Where the sandbox keeps its keys and known_hosts.
inline std::string SandboxDir() {
  const char* dir = std::getenv("PGPAIR_SANDBOX_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/var/lib/pgpair-sandbox";
}

// The sandbox script with `arguments`, which must succeed; returns what it
// printed (stdout, then stderr).
inline std::string RequireSandbox(const std::string& arguments) {
  CommandResult run = Sandbox(arguments);
  INFO("`sandbox " << arguments << "` said:\n" << run.out << run.err);
  REQUIRE(run.exit_status == 0);
  return run.out + run.err;
}

// `sandbox up` once per process; a test without its hosts must fail, not pass
// vacuously.
inline void EnsureSandboxUp() {
  static bool up = false;
  if (up) return;
  RequireSandbox("up");
  up = true;
}

// Both hosts up and back to two independent, out-of-the-box Debian 15/main
// clusters: where each end-to-end scenario starts. `up` fails when a test
// left a cluster that cannot start (a setting its server refuses); `reset`
// repairs that too, so only reset's failure fails the test.
inline void FreshSandbox() {
  CommandResult up = Sandbox("up");
  CommandResult reset = Sandbox("reset");
  INFO("`sandbox up` said:\n"
       << up.out << up.err << "`sandbox reset` said:\n"
       << reset.out << reset.err);
  REQUIRE(reset.exit_status == 0);
}

// Runs `command` as root inside sandbox host `host` (pg1, pg2), without SSH.
inline CommandResult OnHost(const std::string& host, const std::string& command) {
  return Sandbox("exec " + host + " /bin/sh -c " + ShellQuote(command));
}

// Runs SQL on a sandbox host's server as postgres.
inline CommandResult SqlOnHost(const std::string& host, const std::string& sql) {
  return OnHost(host,
                "runuser -u postgres -- psql -X -A -t -q -v ON_ERROR_STOP=1 -c " + ShellQuote(sql));
}

// The real pgpair binary with `arguments`.
inline CommandResult Pgpair(const std::string& arguments) {
  return RunCommand(std::string(PGPAIR_BINARY) + " " + arguments + " </dev/null");
}

// Validates the JSON document in `document_path` against schemas/`schema`
// with scripts/validate-json (Debian's python3-jsonschema, installed by
// scripts/install-deps; references between the schemas resolved from
// schemas/, offline); prints "valid" and exits 0 when it is.
inline CommandResult ValidateAgainstSchema(const std::string& schema,
                                           const std::string& document_path) {
  const std::string schemas = PGPAIR_SCHEMAS_DIR;
  return RunCommand("/usr/bin/python3 " + ShellQuote(schemas + "/../scripts/validate-json") + " " +
                    ShellQuote(schemas + "/" + schema) + " " + ShellQuote(document_path));
}

inline std::string Example(const std::string& name) {
  return std::string(PGPAIR_EXAMPLES_DIR) + "/" + name;
}

// A directory removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/pgpair-test-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf " + ShellQuote(path_)).c_str()); }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << content;
    return file;
  }

 private:
  std::string path_;
};

inline std::string ReadText(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Replaces every occurrence of `from` in `text`.
inline std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_INTEGRATION_SANDBOX_SUPPORT_H_
