#include <chrono>
#include <iomanip>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "engine/apply/remote_sql.h"
#include "engine/cli/cli.h"
#include "engine/cli/pair_commands.h"
#include "engine/facts/standby_state.h"
#include "engine/output/json_text.h"
#include "engine/util/text.h"

namespace pgpair {
namespace {

std::string RandomToken() {
  std::random_device device;
  std::ostringstream token;
  token << std::hex << device() << device();
  return token.str();
}

// What verify found, printed at the end as lines or, with --json, as the
// document of schemas/verify.schema.json.
struct VerifyResult {
  struct Check {
    std::string name;  // "streaming", "in_recovery", "canary"
    bool passed = false;
    std::string detail;
  };
  std::string pair;
  std::vector<Check> checks;
  std::optional<double> canary_seconds;
  std::optional<double> replay_delay_seconds;

  bool ok() const {
    for (const Check& check : checks) {
      if (!check.passed) return false;
    }
    return true;
  }

  int Print(bool json) const {
    auto optional = [](const std::optional<double>& value) {
      return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    };
    if (json) {
      nlohmann::json items = nlohmann::json::array();
      for (const Check& check : checks) {
        items.push_back({{"name", check.name}, {"passed", check.passed}, {"detail", check.detail}});
      }
      std::cout << ToJsonText({{"pgpair_verify_version", 1},
                               {"pair", pair},
                               {"verified", ok()},
                               {"checks", items},
                               {"canary_seconds", optional(canary_seconds)},
                               {"replay_delay_seconds", optional(replay_delay_seconds)}})
                << "\n";
    } else {
      std::cout << "pgpair verify: pair " << pair << "\n";
      for (const Check& check : checks) {
        std::cout << "  " << (check.passed ? "ok    " : "FAILED") << "  " << check.detail << "\n";
      }
      if (replay_delay_seconds) {
        std::cout << "  replay delay before the canary: " << std::fixed << std::setprecision(3)
                  << *replay_delay_seconds << " s since the last replayed commit\n";
      }
      std::cout << (ok() ? "Replication verified.\n" : "Replication NOT verified.\n");
    }
    return ok() ? kExitOk : kExitError;
  }
};

}  // namespace

// The classic procedure's verification, automated: the primary sees the
// standby streaming, the standby is in recovery, and a row written on the
// primary is read on the standby.
int RunVerifyCommand(const PairCommandOptions& options, const Connectors& connectors) {
  Result<PairSession> session = OpenPairSession(options.manifest_path, connectors.connect);
  if (!session.ok()) {
    std::cerr << session.status().message() << "\n";
    return kExitError;
  }
  RefreshFacts(*session, nullptr);
  const Manifest& manifest = session->manifest;
  const HostFacts& primary = session->primary_facts();
  const HostFacts& standby = session->standby_facts();
  Transport* primary_transport = session->primary_transport();
  Transport* standby_transport = session->standby_transport();
  VerifyResult result;
  result.pair = manifest.pair;
  result.replay_delay_seconds = standby.replication.replay_delay_seconds;
  bool ok = true;
  auto report = [&ok, &result](const char* name, bool passed, const std::string& what) {
    result.checks.push_back({name, passed, what});
    ok &= passed;
  };
  const std::string why_not =
      WhyNotStreaming(primary, standby, manifest.standby_host().address, manifest.standby);
  report("streaming", why_not.empty(),
         manifest.standby + "'s WAL receiver streams from " + manifest.primary +
             (why_not.empty() ? "" : " (it does not: " + why_not + ")"));
  report("in_recovery", standby.server.in_recovery.value_or(false),
         manifest.standby + " is in recovery (a read-only hot standby)");
  if (!primary_transport || !standby_transport || !ok) {
    result.Print(options.json);
    return kExitError;
  }

  // The canary lives in the postgres database of the primary, one row, and
  // is replicated like any table.
  const std::string token = RandomToken();
  Result<std::string> written = RunRemoteSql(
      *primary_transport, manifest.primary_host(), primary,
      "CREATE TABLE IF NOT EXISTS pgpair_canary (id int PRIMARY KEY, token text NOT NULL, "
      "written_at timestamptz NOT NULL);\n"
      "INSERT INTO pgpair_canary VALUES (1, '" +
          token +
          "', clock_timestamp()) "
          "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, written_at = "
          "EXCLUDED.written_at;\n");
  if (!written.ok()) {
    report("canary", false,
           "canary row written on " + manifest.primary + ": " + written.status().message());
    return result.Print(options.json);
  }
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::seconds(options.wait_seconds);
  std::string seen, last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::string> read = RunRemoteSql(*standby_transport, manifest.standby_host(), standby,
                                            "SELECT token FROM pgpair_canary WHERE id = 1;");
    if (read.ok()) {
      seen = TrimTrailing(*read);
      if (seen == token) break;
    } else {
      last_error = read.status().message();  // the table may not have arrived yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  double delay = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ostringstream what;
  what << "canary row written on " << manifest.primary << " read on " << manifest.standby;
  if (seen == token) {
    what << " after " << std::fixed << std::setprecision(3) << delay << " s";
    result.canary_seconds = delay;
  } else {
    what << ": not seen within " << options.wait_seconds << " s"
         << (last_error.empty() ? "" : " (" + last_error + ")");
  }
  report("canary", seen == token, what.str());
  return result.Print(options.json);
}

}  // namespace pgpair
