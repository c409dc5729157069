#include "engine/cli/cli.h"

#include <fcntl.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "engine/cli/facts_command.h"
#include "engine/cli/pair_commands.h"
#include "engine/facts/login_probe.h"
#include "engine/transport/ssh_line_channel.h"
#include "engine/transport/ssh_transport.h"

namespace pgpair {
namespace {

constexpr const char* kDescription =
    "pgpair keeps a PostgreSQL primary + hot-standby pair in the state its YAML manifest\n"
    "declares. It reaches both hosts over SSH (ed25519 keys; libssh2 cannot use RSA keys\n"
    "with OpenSSH 8.8+), reads their facts, and shows or makes the missing changes.\n";

constexpr const char* kFooter =
    "\nExit status: 0 success (plan/check: nothing to change; --help, --version); 1 any\n"
    "error, a wrong command line or an unreadable manifest included; 2 changes needed\n"
    "(plan) or drift / standby not streaming (check). No other status is used. While an\n"
    "apply runs on the pair, plan exits 1 and check 0, both saying who runs it.\n"
    "\nA typical session:\n"
    "  pgpair facts  pair.yaml            what both hosts are now (--json for machines)\n"
    "  pgpair plan   pair.yaml            the missing changes, each with reason and impact\n"
    "  pgpair plan   pair.yaml -o p.json  the same, saved; `pgpair show p.json` prints it and\n"
    "                                     `pgpair apply p.json` makes exactly it\n"
    "  pgpair apply  pair.yaml            make them (asks first; --auto-approve in scripts)\n"
    "  pgpair verify pair.yaml            a row written on the primary is read on the standby\n"
    "  pgpair check  pair.yaml --json     periodic drift job; --metrics FILE for Prometheus\n"
    "\nSecrets never go in the manifest: replication.password is {env: NAME} or {file: PATH}.\n";

// Logs go to stderr so that --json output on stdout stays machine-readable;
// with --log-file, also to that file at debug level (or `level`, if lower),
// created 0600. pgpair logs no secret at any level: a password is never
// passed to a log call.
Status ConfigureLogging(const std::string& level, const std::string& log_file) {
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_level(spdlog::level::from_str(level));
  std::vector<spdlog::sink_ptr> sinks{console};
  spdlog::level::level_enum lowest = console->level();
  if (!log_file.empty()) {
    int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0) {
      if (fd >= 0) close(fd);
      return Status::Error("pgpair: --log-file " + log_file + ": " + std::strerror(errno));
    }
    close(fd);
    try {
      auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file, false);
      file->set_level(std::min(spdlog::level::debug, console->level()));
      lowest = std::min(lowest, file->level());
      sinks.push_back(file);
    } catch (const spdlog::spdlog_ex& e) {
      return Status::Error("pgpair: --log-file " + log_file + ": " + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("pgpair", sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(lowest);
  logger->flush_on(spdlog::level::debug);
  // A new logger per call (the unit tests run RunCli many times), put in
  // place only once it is whole: dropping the old one also unsets the
  // default logger, which every log call uses.
  spdlog::drop("pgpair");
  spdlog::register_logger(logger);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

// Each command's --help ends with examples.
void AddExamples(CLI::App* command, const std::string& examples) {
  command->footer("\nExamples:\n" + examples);
}

Result<std::unique_ptr<Transport>> ConnectSsh(const HostSpec& host) {
  Result<std::unique_ptr<SshTransport>> ssh = SshTransport::Connect(host);
  if (!ssh.ok()) return ssh.status();
  return std::unique_ptr<Transport>(std::move(ssh).value());
}

// The apply lock's lease runs over a connection of its own, so that its
// heartbeats never wait behind a long command on the main one.
Result<std::unique_ptr<LineChannel>> OpenLeaseOverSsh(const HostSpec& host,
                                                      const std::string& command) {
  Result<std::unique_ptr<SshTransport>> ssh = SshTransport::Connect(host);
  if (!ssh.ok()) return ssh.status();
  return SshLineChannel::Open(std::move(ssh).value(), command, "the apply lease");
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app(kDescription, "pgpair");
  app.footer(kFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("pgpair ") + PGPAIR_VERSION);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (logs go to stderr)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  int verbose = 0;
  bool quiet = false;
  std::string log_file;
  app.add_flag("-v,--verbose", verbose, "more log lines on stderr: -v info, -vv debug");
  app.add_flag("-q,--quiet", quiet, "only errors on stderr");
  app.add_option("--log-file", log_file,
                 "also keep a full log (debug level) in this file, mode 0600; no secret is "
                 "logged at any level");

  FactsOptions facts;
  CLI::App* facts_command = app.add_subcommand(
      "facts",
      "Connect to both hosts and report what they are: OS, PostgreSQL version and "
      "layout, settings, pg_hba, roles, recovery configuration, archive directory, "
      "replication. Changes nothing. Where the manifest names no layout, the cluster is "
      "found by pg_lsclusters (Debian), then by the running postmaster, then in "
      "/var/lib/pgsql/*/data or /usr/local/pgsql/data; PostgreSQL 10 to 18.");
  facts_command->add_option("manifest", facts.manifest_path, "the pair's YAML manifest")
      ->required();
  AddExamples(facts_command,
              "  pgpair facts pair.yaml\n  pgpair facts pair.yaml --json | jq .hosts[0].server\n");
  facts_command->add_flag("--json", facts.json,
                          "print JSON described by schemas/facts.schema.json");

  PairCommandOptions pair;
  auto add_manifest = [&pair](CLI::App* command) {
    command->add_option("manifest", pair.manifest_path, "the pair's YAML manifest")->required();
  };
  CLI::App* plan_command = app.add_subcommand(
      "plan",
      "Show the changes that would bring the pair to the manifest, each with its "
      "reason and impact (none, reload, restart, re-clone). Changes nothing. While an "
      "apply runs on the pair, says so (who, from where, since when) and exits 1 "
      "without a plan.");
  add_manifest(plan_command);
  plan_command->add_flag("--json", pair.json, "print the plan as JSON");
  plan_command->add_option("-o,--out", pair.out_path,
                           "also save the plan to this file, for `pgpair apply PLAN` (JSON, "
                           "schemas/saved-plan.schema.json; it holds no secret)");
  plan_command->add_flag("--allow-overwrite-primary", pair.allow_overwrite_primary,
                         "plan to stop a host declared standby that runs as a primary of the "
                         "same cluster (a split brain), and rewind it with pg_rewind or clone it "
                         "again; what it wrote after the fork is not kept in the cluster (its "
                         "WAL or its data directory is kept aside, never deleted)");

  CLI::App* apply_command = app.add_subcommand(
      "apply",
      "Take the pair's apply lock, plan, show the plan, ask, then make only the missing "
      "changes in a safe order (primary first, one restart per host at most), wait for "
      "the standby to stream, and prove the result by planning again. A second apply "
      "refuses at once, naming the holder; the lock frees itself within 15 s when its "
      "holder dies or loses its link, and its long steps on a host (pg_basebackup) end with it.");
  apply_command
      ->add_option("manifest", pair.manifest_path,
                   "the pair's YAML manifest, or a plan saved by `plan -o`: that plan is made "
                   "exactly, without asking, and refused, with nothing changed, if the hosts "
                   "or the manifest changed since")
      ->required();
  apply_command->add_flag("--json", pair.json,
                          "print a report of the run as JSON (schemas/apply.schema.json): the "
                          "plans, each step with its duration and result; the human output "
                          "goes to stderr");
  apply_command->add_flag("--auto-approve", pair.auto_approve,
                          "apply without asking (required when there is no terminal)");
  apply_command->add_flag("--allow-overwrite-primary", pair.allow_overwrite_primary,
                          "allow stopping a host declared standby that runs as a primary, and "
                          "rewinding or re-cloning it (see plan --help)");
  apply_command
      ->add_option("--wait", pair.wait_seconds, "seconds to wait for the standby to stream")
      ->capture_default_str();

  CLI::App* check_command =
      app.add_subcommand("check",
                         "Drift and health in one run, for periodic jobs: exit 0 converged and "
                         "streaming, 2 drift or not streaming, 1 error. Changes nothing. While "
                         "an apply runs: exit 0, status apply_in_progress, metric "
                         "pgpair_apply_in_progress 1, no drift or streaming judged.");
  add_manifest(check_command);
  check_command->add_flag("--json", pair.json, "print the details as JSON");
  check_command->add_option("--metrics", pair.metrics_file,
                            "also write Prometheus metrics to this file (textfile collector)");

  CLI::App* verify_command =
      app.add_subcommand("verify",
                         "Prove replication works: the primary reports the standby streaming, the "
                         "standby is in recovery, and a canary row (table pgpair_canary in the "
                         "postgres database) written on the primary is read on the standby.");
  add_manifest(verify_command);
  verify_command->add_flag("--json", pair.json,
                           "print the result as JSON, described by schemas/verify.schema.json");
  verify_command
      ->add_option("--wait", pair.wait_seconds, "seconds to wait for the canary row on the standby")
      ->capture_default_str();

  std::string show_path;
  bool show_json = false;
  CLI::App* show_command = app.add_subcommand(
      "show",
      "Print a plan saved by `plan -o` as plan printed it: the changes, the pair, when and from "
      "which manifest it was made. Contacts no host.");
  show_command->add_option("plan", show_path, "the saved plan")->required();
  show_command->add_flag("--json", show_json,
                         "print the plan as JSON, described by schemas/plan.schema.json");

  AddExamples(
      plan_command,
      "  pgpair plan pair.yaml                  exit 0: nothing to change, 2: changes\n"
      "  pgpair plan pair.yaml --json           the plan as schemas/plan.schema.json\n"
      "  pgpair plan pair.yaml -o plan.json     saved, for review and `pgpair apply plan.json`\n");
  AddExamples(apply_command,
              "  pgpair apply pair.yaml                 asks before changing anything\n"
              "  pgpair apply pair.yaml --auto-approve --json > run.json\n"
              "  pgpair apply plan.json                 exactly the saved plan, or nothing\n");
  AddExamples(check_command,
              "  pgpair check pair.yaml --json\n"
              "  pgpair check pair.yaml --metrics /var/lib/node_exporter/textfile/pgpair.prom\n");
  AddExamples(verify_command,
              "  pgpair verify pair.yaml\n"
              "  pgpair verify pair.yaml --json --wait 30\n");
  AddExamples(show_command,
              "  pgpair show plan.json\n"
              "  pgpair show plan.json --json | jq '.changes[].address'\n");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 prints the help, the version or the error; its own exit codes
    // (105 for a bad value, 109 for an unknown option, ...) are not ours.
    return app.exit(error) == static_cast<int>(CLI::ExitCodes::Success) ? kExitOk : kExitError;
  }
  // The manifest's existence is checked by LoadManifest, with pgpair's own
  // message, so that every command reports a missing file the same way.
  try {
    if (quiet) log_level = "error";
    if (verbose == 1) log_level = "info";
    if (verbose >= 2) log_level = "debug";
    if (Status logging = ConfigureLogging(log_level, log_file); !logging.ok()) {
      std::cerr << logging.message() << "\n";
      return kExitError;
    }
    std::string command_line;
    for (int i = 0; i < argc; ++i) command_line += (i == 0 ? "" : " ") + std::string(argv[i]);
    // argv holds no secret: secrets come from the environment or files.
    spdlog::debug("pgpair {}: {}", PGPAIR_VERSION, command_line);
    auto logged = [](int status) {
      spdlog::debug("exit status {}", status);
      return status;
    };
    if (facts_command->parsed()) return logged(RunFactsCommand(facts, ConnectSsh));
    if (show_command->parsed()) return logged(RunShowCommand(show_path, show_json));
    Connectors connectors{ConnectSsh, ProbeReplicationLogin, OpenLeaseOverSsh};
    if (plan_command->parsed()) return logged(RunPlanCommand(pair, connectors));
    if (apply_command->parsed()) return logged(RunApplyCommand(pair, connectors));
    if (check_command->parsed()) return logged(RunCheckCommand(pair, connectors));
    if (verify_command->parsed()) return logged(RunVerifyCommand(pair, connectors));
  } catch (const std::exception& e) {
    // Every fallible call returns a Status; reaching this is a bug in pgpair.
    // A drift job must still see status 1 and a message, not an abort.
    std::cerr << "pgpair: internal error: " << e.what() << "\n";
  }
  return kExitError;
}

}  // namespace pgpair
