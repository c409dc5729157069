#ifndef PGPAIR_TESTS_INTEGRATION_HOST_LAYOUT_H_
#define PGPAIR_TESTS_INTEGRATION_HOST_LAYOUT_H_

// Where the sandbox puts a host's PostgreSQL (tests/sandbox/README.md,
// "Majors"), and how to drive that server by hand, as an operator (not
// pgpair) would: Debian's 15/main (pg_ctlcluster, configuration in
// /etc/postgresql/15/main), or the pg_ctl layout of `sandbox reset --major N
// [--layout pg_ctl]` (/opt/pgsql-N/bin, /var/lib/pgsql/N/data holding its
// configuration files).

#include <string>

#include "engine/util/shell_quote.h"

namespace pgpair::testing {

struct HostLayout {
  int major = 0;
  bool debian = false;
  std::string bin_dir;
  std::string data_dir;
  std::string conf_file;
  std::string hba_file;

  static HostLayout Debian15() {
    HostLayout l;
    l.major = 15;
    l.debian = true;
    l.bin_dir = "/usr/lib/postgresql/15/bin";
    l.data_dir = "/var/lib/postgresql/15/main";
    l.conf_file = "/etc/postgresql/15/main/postgresql.conf";
    l.hba_file = "/etc/postgresql/15/main/pg_hba.conf";
    return l;
  }

  static HostLayout PgCtl(int major) {
    HostLayout l;
    l.major = major;
    const std::string n = std::to_string(major);
    l.bin_dir = "/opt/pgsql-" + n + "/bin";
    l.data_dir = "/var/lib/pgsql/" + n + "/data";
    l.conf_file = l.data_dir + "/postgresql.conf";
    l.hba_file = l.data_dir + "/pg_hba.conf";
    return l;
  }

  // What `sandbox reset --major N` gives: Debian's for 15, pg_ctl's else.
  static HostLayout Of(int major) { return major == 15 ? Debian15() : PgCtl(major); }

  // "restart", "reload", "stop", "start" or "promote", as root in the host.
  std::string Control(const std::string& action) const {
    if (debian) return "pg_ctlcluster 15 main " + action;
    std::string command =
        "cd / && runuser -u postgres -- " + bin_dir + "/pg_ctl " + action + " -D " + data_dir;
    if (action != "reload") command += " -w -t 60 -m fast";
    if (action == "start" || action == "restart") command += " -l " + data_dir + "/by-hand.log";
    return command;
  }

  // psql as postgres through the socket the running server names in its
  // postmaster.pid, printing bare values.
  std::string Psql(const std::string& sql) const {
    return "cd / && runuser -u postgres -- " + bin_dir +
           "/psql -X -A -t -q -v ON_ERROR_STOP=1 -p 5432 -d postgres -h \"$(sed -n 5p " + data_dir +
           "/postmaster.pid)\" -c " + ShellQuote(sql);
  }
};

// The layout of each sandbox host.
struct PairLayout {
  HostLayout pg1 = HostLayout::Debian15();
  HostLayout pg2 = HostLayout::Debian15();

  static PairLayout Both(const HostLayout& layout) { return {layout, layout}; }
  const HostLayout& Of(const std::string& host) const { return host == "pg2" ? pg2 : pg1; }
};

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_INTEGRATION_HOST_LAYOUT_H_
