#include "engine/facts/login_probe.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <exception>
#include <memory>
#include <pqxx/pqxx>

#include "engine/facts/parsers/conninfo.h"

namespace pgpair {
namespace {

constexpr char kRedacted[] = "********";

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = text->find(from); at != std::string::npos;
       at = text->find(from, at + to.size())) {
    text->replace(at, from.size(), to);
  }
}

}  // namespace

std::string ReplicationCheckConninfo(int local_port, const std::string& role,
                                     const std::string& password) {
  return BuildConninfo({
      {"host", "127.0.0.1"},
      {"port", std::to_string(local_port)},
      {"user", role},
      {"password", password},
      // Physical replication ignores the name; "replication" is what pg_hba
      // matches such connections against anyway.
      {"dbname", "replication"},
      {"replication", "true"},
      {"connect_timeout", "10"},
      {"application_name", "pgpair-check"},
      {"sslmode", "disable"},
      // An empty password would make libpq look in ~/.pgpass of whoever runs
      // pgpair; the check is about the manifest's password alone. A path
      // that cannot exist is skipped silently (/dev/null itself draws a
      // "not a plain file" warning on stderr).
      {"passfile", "/dev/null/pgpass"},
  });
}

std::string LoginFailureMessage(const std::string& libpq_error, const std::string& password) {
  std::string message = libpq_error;
  // libpq 14+: `connection to server at "HOST", port PORT failed: ` before
  // each attempt's error.
  static const std::string kPrefix = "connection to server at \"";
  for (size_t at = message.find(kPrefix); at != std::string::npos; at = message.find(kPrefix, at)) {
    size_t end = message.find(" failed: ", at);
    if (end == std::string::npos) break;
    message.erase(at, end + 9 - at);
  }
  // libpq does not echo passwords; this keeps it so should one ever do.
  ReplaceAll(&message, password, kRedacted);
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  return message;
}

bool IsPasswordRefusal(const std::string& message) {
  // The server's auth_failed() wording for the methods that check the
  // role's own password (password, md5, scram-sha-256). PAM, LDAP, RADIUS and
  // BSD check a password kept outside PostgreSQL, which setting the role's
  // password again cannot fix; Ident, Peer, certificate, GSSAPI and SSPI
  // failures and reject rules are not about a password at all.
  return message.find("password authentication failed") != std::string::npos;
}

ReplicationLoginCheck ProbeReplicationLogin(Transport& standby, const Manifest& manifest,
                                            const HostFacts& primary, const std::string& password) {
  const std::string role =
      manifest.replication ? manifest.replication->role : ReplicationSpec().role;
  return CheckReplicationLogin(standby, manifest.primary_host().address,
                               primary.layout.port.value_or(5432), role, password);
}

ReplicationLoginCheck CheckReplicationLogin(Transport& standby_transport,
                                            const std::string& primary_address, int primary_port,
                                            const std::string& role, const std::string& password) {
  Result<std::unique_ptr<Tunnel>> tunnel =
      standby_transport.OpenTunnel(primary_address, primary_port);
  if (!tunnel.ok()) return {false, tunnel.status().message()};
  spdlog::debug("{}: logging in to {} as {} on a replication connection",
                standby_transport.host_label(), (*tunnel)->destination(), role);
  try {
    pqxx::connection connection(ReplicationCheckConninfo((*tunnel)->local_port(), role, password));
    // A replication connection takes only the simple query protocol and
    // replication commands; libpqxx 6's nontransaction sends the text as it
    // is (PQexec), with no BEGIN.
    pqxx::nontransaction work(connection);
    pqxx::result identity = work.exec("IDENTIFY_SYSTEM");
    if (identity.size() != 1 || identity.columns() < 2) {
      return {false,
              "IDENTIFY_SYSTEM gave " + std::to_string(identity.size()) + " rows; expected one"};
    }
    return {true, "logged in as " + role + " from " + standby_transport.host_label() + " to " +
                      (*tunnel)->destination() +
                      " on a replication connection; system identifier " + identity[0][0].c_str() +
                      ", timeline " + identity[0][1].c_str()};
  } catch (const std::exception& error) {
    std::string message = LoginFailureMessage(error.what(), password);
    // A connection the tunnel itself cut short is better explained by the
    // tunnel than by libpq's "server closed the connection unexpectedly".
    std::string tunnel_error = (*tunnel)->last_error();
    if (!tunnel_error.empty()) message = tunnel_error + " (libpq: " + message + ")";
    return {false, message};
  }
}

}  // namespace pgpair
