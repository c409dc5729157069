#include "engine/cli/cli.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "engine/cli/facts_command.h"
#include "engine/cli/logging.h"
#include "engine/cli/manifest_list.h"
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
    "  pgpair check  pair.yaml --json     periodic drift job; --textfile FILE for Prometheus\n"
    "  pgpair check  pairs/ --shard 1/4   many pairs at once, a line each (also plan)\n"
    "\nSecrets never go in the manifest: replication.password is {env: NAME} or {file: PATH}.\n";

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
  // plan and check: one manifest as always, or a fleet (engine/cli/fleet.h).
  std::vector<std::string> manifest_arguments;
  std::string shard_text;
  auto add_fleet = [&pair, &manifest_arguments, &shard_text](CLI::App* command) {
    command
        ->add_option("manifest", manifest_arguments,
                     "the pair's YAML manifest; or several, or directories of them (a "
                     "directory: its *.yaml and *.yml files, sorted, not its subdirectories), "
                     "one pair a manifest: then one line per pair, as each is done")
        ->required();
    command
        ->add_option("-j,--jobs", pair.jobs,
                     "with several pairs: how many are worked at once (each opens its two SSH "
                     "connections; sshd's MaxStartups, 10 by default, bounds the handshakes "
                     "one host takes at once)")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    command->add_option("--shard", shard_text,
                        "K/N: only the K-th of N shares of the pairs, chosen by pair name "
                        "(FNV-1a 64 of the name, mod N, is K-1), so that N machines split a "
                        "fleet without a coordinator");
  };
  CLI::App* plan_command = app.add_subcommand(
      "plan",
      "Show the changes that would bring the pair to the manifest, each with its "
      "reason and impact (none, reload, restart, re-clone). Changes nothing. While an "
      "apply runs on the pair, says so (who, from where, since when) and exits 1 "
      "without a plan.");
  add_fleet(plan_command);
  plan_command->add_flag("--json", pair.json,
                         "print the plan as JSON; with several pairs, JSON lines "
                         "(schemas/fleet-line.schema.json)");
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
  add_fleet(check_command);
  check_command->add_flag("--json", pair.json,
                          "print the details as JSON; with several pairs, JSON lines "
                          "(schemas/fleet-line.schema.json)");
  check_command->add_option("--textfile,--metrics", pair.metrics_file,
                            "also write every pair's metrics to this file, replaced atomically, "
                            "for node_exporter's textfile collector (pgpair_*, labels pair, "
                            "host, kind)");

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
      "  pgpair plan pair.yaml -o plan.json     saved, for review and `pgpair apply plan.json`\n"
      "  pgpair plan pairs/ --jobs 16           every pair of the directory, a line each; exit\n"
      "                                         status the worst pair's: 1 error, 2 changes, 0\n");
  AddExamples(apply_command,
              "  pgpair apply pair.yaml                 asks before changing anything\n"
              "  pgpair apply pair.yaml --auto-approve --json > run.json\n"
              "  pgpair apply plan.json                 exactly the saved plan, or nothing\n");
  AddExamples(check_command,
              "  pgpair check pair.yaml --json\n"
              "  pgpair check /etc/pgpair/pairs/ --textfile /var/lib/node_exporter/textfile/"
              "pgpair.prom\n"
              "  pgpair check /etc/pgpair/pairs/ --shard 2/4 --json   the second of four shares\n"
              "With several pairs the exit status is the worst pair's: 1 if any had an error,\n"
              "else 2 if any drifts, else 0.\n");
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
    if (plan_command->parsed() || check_command->parsed()) {
      Result<ManifestList> manifests = ExpandManifestArguments(manifest_arguments);
      if (!manifests.ok()) {
        std::cerr << "pgpair: " << manifests.status().message() << "\n";
        return logged(kExitError);
      }
      pair.manifest_paths = manifests->paths;
      if (!shard_text.empty()) {
        Result<Shard> shard = ParseShard(shard_text);
        if (!shard.ok()) {
          std::cerr << "pgpair: " << shard.status().message() << "\n";
          return logged(kExitError);
        }
        pair.shard = *shard;
      }
      // The shape of the command line, not the number of files a directory
      // holds today, decides the output: a job over a directory keeps its
      // format when the directory holds one manifest.
      pair.fleet = pair.manifest_paths.size() > 1 || manifests->had_directory || pair.shard;
    }
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
