#include "engine/cli/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "engine/cli/facts_command.h"
#include "engine/transport/ssh_transport.h"

namespace pgpair {
namespace {

constexpr const char* kDescription =
    "pgpair keeps a PostgreSQL primary + hot-standby pair in the state its YAML manifest\n"
    "declares. It reaches both hosts over SSH (ed25519 keys; libssh2 cannot use RSA keys\n"
    "with OpenSSH 8.8+), reads their facts, and shows or makes the missing changes.\n";

constexpr const char* kFooter =
    "\nExit status: 0 success (plan/check: nothing to change), 1 error, 2 changes needed.\n"
    "Examples:\n"
    "  pgpair facts examples/sandbox.yaml          readable summary of both hosts\n"
    "  pgpair facts examples/sandbox.yaml --json   the same as JSON (schemas/facts.schema.json)\n";

void ConfigureLogging(const std::string& level) {
  // Logs go to stderr so that --json output on stdout stays machine-readable.
  auto logger = spdlog::stderr_color_mt("pgpair");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

Result<std::unique_ptr<Transport>> ConnectSsh(const HostSpec& host) {
  Result<std::unique_ptr<SshTransport>> ssh = SshTransport::Connect(host);
  if (!ssh.ok()) return ssh.status();
  return std::unique_ptr<Transport>(std::move(ssh).value());
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

  FactsOptions facts;
  CLI::App* facts_command = app.add_subcommand(
      "facts", "Connect to both hosts and report what they are: OS, PostgreSQL version and "
               "layout, settings, pg_hba, roles, recovery configuration, archive directory, "
               "replication. Changes nothing.");
  facts_command->add_option("manifest", facts.manifest_path, "the pair's YAML manifest")
      ->required()
      ->check(CLI::ExistingFile);
  facts_command->add_flag("--json", facts.json,
                          "print JSON described by schemas/facts.schema.json");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  ConfigureLogging(log_level);

  if (facts_command->parsed()) return RunFactsCommand(facts, ConnectSsh);
  return kExitError;
}

}  // namespace pgpair
