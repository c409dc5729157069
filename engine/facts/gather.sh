# shellcheck shell=sh
# Its functions run through section(), which shellcheck cannot follow:
# shellcheck disable=SC2317
# Gathers the raw facts of one host in a single pass, for pgpair's facts
# collector. It runs as root (directly or through sudo), read from stdin by
# `/bin/sh -s -- ARG...`, with these twelve arguments, in this order:
#   PGPAIR_MARK   a random marker that frames every section of the output
#   PG_CLUSTER PG_PORT PG_BIN PG_DATA PG_CONF PG_HBA PG_SOCKET
#                 layout overrides from the manifest (empty: discover)
#   PG_OS_USER    the operating system user that owns the server
#   PG_ROLE       the replication role whose facts are wanted (may be empty)
#   ARCHIVE_DIR   the archive directory (may be empty)
#   PGPAIR_REFUSED  the record of values a server refused at its start
# The output is a sequence of sections:
#   MARK begin NAME / stdout / MARK stderr NAME / stderr / MARK end NAME RC
# Nothing here changes the host. Interpretation is left to pgpair, so that it
# is tested with captured outputs; this script only discovers where things
# are and reads them. The one decision it makes is which cluster (see
# "Where is the cluster?" below), which it reports rather than leaves to be
# guessed again.

if [ $# -ne 12 ]; then
  echo "pgpair's facts script: 12 arguments expected, $# given" >&2
  exit 2
fi
PGPAIR_MARK=$1 PG_CLUSTER=$2 PG_PORT=$3 PG_BIN=$4 PG_DATA=$5 PG_CONF=$6
PG_HBA=$7 PG_SOCKET=$8 PG_OS_USER=$9
shift 9
PG_ROLE=$1 ARCHIVE_DIR=$2 PGPAIR_REFUSED=$3

LC_ALL=C
export LC_ALL
umask 077
cd / || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

section() {
  name=$1
  shift
  printf '%s begin %s\n' "$PGPAIR_MARK" "$name"
  "$@" 2>"$tmp/err"
  rc=$?
  printf '\n%s stderr %s\n' "$PGPAIR_MARK" "$name"
  # Most sections print nothing there: no process to copy nothing.
  [ ! -s "$tmp/err" ] || cat "$tmp/err"
  printf '\n%s end %s %d\n' "$PGPAIR_MARK" "$name" "$rc"
}

# Node name, kernel release and machine, a line each, from one uname
# (whose -n -r -m fields come in that order; only the node name could hold
# a space).
os_uname() {
  all=$(uname -n -r -m) || return
  machine=${all##* }
  all=${all% *}
  printf '%s\n%s\n%s\n' "${all% *}" "${all##* }" "$machine"
}
section uname os_uname
section os_release cat /etc/os-release
# MemTotal's value ("24683584 kB"), read by the shell itself.
mem_total() {
  while read -r key value; do
    if [ "$key" = MemTotal: ]; then
      printf '%s\n' "$value"
      break
    fi
  done </proc/meminfo
}
section meminfo mem_total

# An apply in progress: pgpair's apply lease (engine/apply/apply_lease.sh)
# records who holds the lock. A record is live only while its lease runs:
# the same pid, the same kernel start time, and the lease's marker in its
# command line. Each record is printed after a dir= line, with lease_alive.
apply_lock() {
  for dir in /run/pgpair /var/lock/pgpair /tmp/pgpair-lock-root; do
    [ -f "$dir/apply.holder" ] || continue
    lease=$(sed -n 's/^lease_pid=\([0-9][0-9]*\)$/\1/p' "$dir/apply.holder")
    recorded=$(sed -n 's/^lease_start=//p' "$dir/apply.holder")
    alive=no
    if [ -n "$lease" ] && tr '\0' '\n' 2>/dev/null <"/proc/$lease/cmdline" |
      grep -qx pgpair-apply-lease; then
      # Field 22 of /proc/PID/stat, counted after the command name.
      started=$(sed 's/.*) //' "/proc/$lease/stat" 2>/dev/null | cut -d' ' -f20)
      [ -n "$started" ] && [ "$started" = "$recorded" ] && alive=yes
    fi
    printf 'dir=%s\n' "$dir"
    cat "$dir/apply.holder"
    printf 'lease_alive=%s\n' "$alive"
  done
}
section apply_lock apply_lock

# Where is the cluster? The manifest wins, then Debian's pg_lsclusters, then
# a running postmaster, then PostgreSQL's own conventions.
# The choice is made here, not in pgpair, because this same pass must read
# the chosen cluster's files and ask its server: choosing in pgpair would
# take a second round trip. So this script is the one authority for it: it
# reports the rule that chose (or why none did) as `choice` in the layout
# section, and pgpair takes that word as it is (engine/facts/interpret.cc
# only lists what was found, to explain it). Everything else about the
# cluster (its files' settings, hba_file, port) pgpair reads with its own
# parsers or takes from the server.

# The choice among pg_lsclusters' lines (its -h output on stdin or a file),
# for awk with c = the manifest's cluster and p = its port (either may be
# empty): the manifest's cluster, else the one on the manifest's port, else
# the only cluster, else the only one online (a host in the middle of
# pg_upgradecluster has the old one down); several: none. Prints the rule
# and the chosen line, or "none" and why. tests/unit/facts/
# cluster_choice_test.cc runs it on captured pg_lsclusters outputs.
# shellcheck disable=SC2016 # an awk program: its $1 and $0 are awk's
choose_cluster='
  { n++; first = first == "" ? $0 : first }
  c != "" && $1 "/" $2 == c { chosen = $0; rule = "cluster" }
  c == "" && p != "" && $3 == p { chosen = $0; rule = "port" }
  $4 ~ /^online/ { online++; up = $0 }
  END {
    if (chosen != "") print rule, chosen
    else if (c != "") print "none", "no-such-cluster"
    else if (p != "") print "none", "no-cluster-on-port"
    else if (n == 1) print "only-cluster", first
    else if (online == 1) print "only-online-cluster", up
    else if (n == 0) print "none", "nothing"
    else print "none", "several-clusters"
  }'
# The manifest's Debian cluster, read the way pg_lsclusters reads it
# (postgresql-common's PgCommon.pm: read_conf_file, cluster_info,
# cluster_data_directory), without its perl, which costs a tenth of a second
# on a small host: for awk with r = the clusters' root (/etc/postgresql),
# v = the version and c = the cluster. Prints "PORT DATA_DIR", the port and
# data directory columns pg_lsclusters would print for that cluster, or
# nothing and exits 1 whenever there is any doubt that it would (a line
# PgCommon would refuse, which makes pg_lsclusters fail; quoting it unquotes;
# no data_directory line; no socket directory setting, which PgCommon then
# works out from the data directory's owner; a start.conf it refuses;
# includes nested deeper than 10): the caller then runs pg_lsclusters.
# tests/unit/facts/debian_cluster_test.cc compares it with pg_lsclusters.
# shellcheck disable=SC2016 # an awk program: its $0 is awk's
debian_cluster='
  function dir_part(f) { sub(/\/[^\/]*$/, "", f); return f }
  function absolute(path, parent) {
    return path ~ /^\// ? path : dir_part(parent) "/" path
  }
  # The value between the first two single quotes of a line.
  function quoted(line,    from) {
    from = index(line, q) + 1
    line = substr(line, from)
    return substr(line, 1, index(line, q) - 1)
  }
  # Reads file f into array A as PgCommon.pm read_conf_file does; 0 on doubt.
  function read_conf(f, depth, A,    line, low, rest, key, value, n, i, name, names, cmd, got) {
    if (depth > 10 || f !~ /^[A-Za-z0-9_.\/+-]+$/) return 0
    while ((got = (getline line < f)) > 0) {
      low = tolower(line)
      if (line ~ /^[[:space:]]*(#.*)?$/) continue
      if (low ~ incdir) {
        rest = absolute(quoted(line), f)
        if (rest !~ /^[A-Za-z0-9_.\/+-]+$/) return 0
        cmd = "cd " q rest q " 2>/dev/null && ls -a"
        n = 0
        while ((cmd | getline name) > 0) {
          if (name !~ /^\./ && name ~ /\.conf$/) names[++n] = name
        }
        close(cmd)
        for (i = 1; i <= n; i++) if (!read_conf(rest "/" names[i], depth + 1, A)) return 0
        continue
      }
      if (low ~ inc) {
        if (!read_conf(absolute(quoted(line), f), depth + 1, A)) return 0
        continue
      }
      match(line, /^[[:space:]]*[a-zA-Z0-9_.-]+/)
      key = substr(line, 1, RLENGTH)
      sub(/^[[:space:]]*/, "", key)
      if (f ~ /\.conf$/) key = tolower(key)
      if (line ~ string) {
        # Backslash escapes and doubled quotes are left to PgCommon.
        if (line ~ /\\/ || index(line, q q)) return 0
        value = quoted(line)
      } else if (line ~ simple) {
        rest = substr(line, RLENGTH + 1)
        sub(/^[[:space:]]*=?[[:space:]]*/, "", rest)
        match(rest, /^[[:alnum:]._:\/+-]+/)
        value = substr(rest, 1, RLENGTH)
      } else {
        return 0
      }
      A[key] = value
    }
    close(f)
    # A file that cannot be read is an empty one, as for PgCommon.
    return 1
  }
  BEGIN {
    q = "\047"
    sp = "[[:space:]]*"
    tail = sp "(#.*)?$"
    incdir = "^" sp "include_dir" sp "=?" sp q "[^" q "]+" q tail
    inc = "^" sp "include(_if_exists)?" sp "=?" sp q "[^" q "]+" q tail
    head = "^" sp "[a-zA-Z0-9_.-]+(" sp "=|[[:space:]])" sp
    string = head q "[^" q "]*" q tail
    simple = head "-?[[:alnum:]][[:alnum:]._:/+-]*" tail
    dir = r "/" v "/" c
    if (!read_conf(dir "/postgresql.conf", 0, conf)) exit 1
    data = conf["data_directory"]
    if (data == "" || data == "0" || data ~ /[[:space:]]/) exit 1
    # ALTER SYSTEM settings count, but not for the data directory.
    if (!read_conf(data "/postgresql.auto.conf", 0, auto)) exit 1
    for (key in auto) if (key != "data_directory") conf[key] = auto[key]
    socket = conf["unix_socket_directories"]
    sub(/[[:space:]]*,.*/, "", socket)
    if (socket == "" || socket == "0") exit 1
    port = conf["port"]
    if (port == "" || port == "0") port = 5432
    if (port !~ /^[0-9]+$/) exit 1
    # pg_lsclusters fails on a start.conf whose first word it does not know.
    start = dir "/start.conf"
    while ((getline line < start) > 0) {
      sub(/#.*$/, "", line)
      sub(/^[[:space:]]*/, "", line)
      sub(/[[:space:]]*$/, "", line)
      if (line == "" || line == "0") continue
      if (line !~ /^(auto|manual|disabled)/) exit 1
      break
    }
    print port, data
  }'
layout_source=manifest
choice=manifest
[ -n "$PG_DATA" ] || choice=nothing
# The manifest's Debian cluster, when it is the only one (pg_lsclusters
# fails on any cluster it cannot read, so with others beside it only
# pg_lsclusters can say): sets debian_port and debian_data as pg_lsclusters'
# columns would give them, or returns 1.
debian_cluster_columns() {
  case $PG_CLUSTER in
    [1-9][0-9]/*) ;;
    *) return 1 ;;
  esac
  version=${PG_CLUSTER%%/*} name=${PG_CLUSTER#*/}
  case $name in
    '' | . | .. | *[!-.A-Za-z0-9_]*) return 1 ;;
  esac
  [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -f "/etc/postgresql/$PG_CLUSTER/postgresql.conf" ] ||
    return 1
  for conf in /etc/postgresql/*/*/postgresql.conf /etc/postgresql/*/.[!.]*/postgresql.conf \
    /etc/postgresql/*/..?*/postgresql.conf; do
    if [ -e "$conf" ] || [ -L "$conf" ]; then
      [ "$conf" = "/etc/postgresql/$PG_CLUSTER/postgresql.conf" ] || return 1
    fi
  done
  columns=$(awk -v r=/etc/postgresql -v v="$version" -v c="$name" "$debian_cluster") || return 1
  debian_port=${columns%% *} debian_data=${columns#* }
}
if [ -n "$PG_DATA" ]; then
  # The manifest names the data directory: nothing to choose.
  :
elif [ -n "$PG_CLUSTER" ] && command -v pg_lsclusters >/dev/null 2>&1 &&
  debian_cluster_columns; then
  # What the choice below makes of pg_lsclusters' line for the cluster.
  choice=cluster
  PG_PORT=${PG_PORT:-$debian_port}
  PG_DATA=$debian_data
  PG_CONF=${PG_CONF:-/etc/postgresql/$PG_CLUSTER/postgresql.conf}
  layout_source=pg_lsclusters
elif command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h >"$tmp/clusters" 2>/dev/null
  section pg_lsclusters cat "$tmp/clusters"
  line=$(awk -v c="$PG_CLUSTER" -v p="$PG_PORT" "$choose_cluster" "$tmp/clusters")
  # shellcheck disable=SC2086 # split the pg_lsclusters columns on purpose
  set -- $line
  if [ "$1" = none ]; then
    choice=$2
  elif [ -n "$1" ]; then
    choice=$1
    shift
    PG_CLUSTER="$1/$2"
    PG_PORT=${PG_PORT:-$3}
    PG_DATA=$6
    PG_CONF=${PG_CONF:-/etc/postgresql/$1/$2/postgresql.conf}
    layout_source=pg_lsclusters
  fi
fi
# Not Debian's layout: a running server tells where it is. A postmaster's
# working directory is its data directory, whose postmaster.pid names it;
# its executable is in the bin dir. Backends share the executable but not
# the first line of postmaster.pid.
postmasters() {
  for proc in /proc/[0-9]*; do
    read -r comm <"$proc/comm" 2>/dev/null || continue
    case $comm in postgres | postmaster) ;; *) continue ;; esac
    dir=$(readlink "$proc/cwd" 2>/dev/null) || continue
    [ "$(sed -n 1p "$dir/postmaster.pid" 2>/dev/null)" = "${proc#/proc/}" ] || continue
    port=$(sed -n 4p "$dir/postmaster.pid")
    conf=$(tr '\0' '\n' <"$proc/cmdline" | sed -n 's/^\(--config[-_]file=\|config_file=\)//p' | tail -n 1)
    printf '%s|%s|%s|%s\n' "$dir" "$(readlink "$proc/exe")" "$port" "$conf"
  done
}
if [ -z "$PG_DATA" ] && [ -z "$PG_CLUSTER" ]; then
  postmasters >"$tmp/postmasters" 2>/dev/null
  section postmasters cat "$tmp/postmasters"
  if [ -n "$PG_PORT" ]; then
    awk -F'|' -v p="$PG_PORT" '$3 == p' "$tmp/postmasters" >"$tmp/found"
  else
    cp "$tmp/postmasters" "$tmp/found"
  fi
  if [ "$(wc -l <"$tmp/found")" -eq 1 ]; then
    IFS='|' read -r PG_DATA exe port conf <"$tmp/found"
    PG_BIN=${PG_BIN:-$(dirname "$exe")}
    PG_PORT=${PG_PORT:-$port}
    PG_CONF=${PG_CONF:-$conf}
    layout_source=process
    choice=postmaster
  elif [ -s "$tmp/found" ]; then
    choice=several-postmasters
  elif [ -s "$tmp/postmasters" ]; then
    choice=no-postmaster-on-port
  fi
fi
# A stopped server: the conventional places of RHEL's packages and of a
# self-built tree, when exactly one of them holds a cluster.
if [ -z "$PG_DATA" ] && [ -z "$PG_CLUSTER" ] && [ ! -s "$tmp/postmasters" ]; then
  for dir in /var/lib/pgsql/*/data /var/lib/pgsql/data /usr/local/pgsql/data; do
    [ -f "$dir/PG_VERSION" ] && echo "$dir"
  done >"$tmp/conventional"
  section conventional cat "$tmp/conventional"
  if [ "$(wc -l <"$tmp/conventional")" -eq 1 ]; then
    PG_DATA=$(cat "$tmp/conventional")
    layout_source=default
    choice=conventional
  elif [ -s "$tmp/conventional" ]; then
    choice=several-conventional
  fi
fi
if [ -n "$PG_DATA" ] && [ -z "$PG_CONF" ]; then
  PG_CONF=$PG_DATA/postgresql.conf
fi
hba_from=manifest
[ -n "$PG_HBA" ] || hba_from=

major=
if [ -n "$PG_DATA" ]; then
  section pg_version cat "$PG_DATA/PG_VERSION"
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    read -r major <"$PG_DATA/PG_VERSION" || :
  fi
fi
if [ -z "$major" ] && [ -n "$PG_CLUSTER" ]; then
  major=${PG_CLUSTER%%/*}
fi

# Is it running? postmaster.pid holds pid, data dir, start time, port and
# socket directory; a stale file is told apart by asking the kernel.
running=no
if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
  section postmaster_pid cat "$PG_DATA/postmaster.pid"
  pid='' pid_port='' pid_socket=''
  {
    IFS= read -r pid && IFS= read -r _ && IFS= read -r _ && IFS= read -r pid_port &&
      IFS= read -r pid_socket
  } <"$PG_DATA/postmaster.pid" || :
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    running=yes
    PG_PORT=${PG_PORT:-$pid_port}
    PG_SOCKET=${PG_SOCKET:-${pid_socket%%,*}}
  fi
fi

# The programs of the cluster's major: Debian's, PGDG's and a self-built
# tree's places, then PATH's postgres, each only if it is of that major.
# A directory whose postgres is the running postmaster's own program (the
# postmaster of this data directory, its working directory) is of the
# data directory's major without asking it.
# (-ef is not POSIX, but dash, bash, ksh and busybox's ash have it; a shell
# without it fails the test and asks postgres.)
# shellcheck disable=SC3013
of_major() {
  if [ "$running" = yes ] && [ "$1/postgres" -ef "/proc/$pid/exe" ] &&
    [ "/proc/$pid/cwd" -ef "$PG_DATA" ]; then
    return 0
  fi
  version=$("$1/postgres" --version 2>/dev/null |
    sed -n 's/.*(PostgreSQL) \([0-9][0-9]*\).*/\1/p')
  [ "$version" = "$major" ]
}
if [ -z "$PG_BIN" ] && [ -n "$major" ]; then
  on_path=$(command -v postgres 2>/dev/null) || on_path=
  for dir in "/usr/lib/postgresql/$major/bin" "/usr/pgsql-$major/bin" /usr/local/pgsql/bin \
    "${on_path%/postgres}"; do
    if [ -z "$dir" ] || [ ! -x "$dir/postgres" ]; then continue; fi
    if of_major "$dir"; then
      PG_BIN=$dir
      break
    fi
  done
elif [ -z "$PG_BIN" ] && command -v postgres >/dev/null 2>&1; then
  PG_BIN=$(dirname "$(command -v postgres)")
fi
# A stopped server's own reading of its configuration, as a start would read
# it (postgres -C NAME), without starting it; empty when it cannot be asked.
configured() {
  if [ -n "$PG_CONF" ] && [ -n "$PG_DATA" ] && [ -x "$PG_BIN/postgres" ]; then
    runuser -u "$PG_OS_USER" -- "$PG_BIN/postgres" -C "$1" -D "$PG_DATA" \
      -c config_file="$PG_CONF" 2>/dev/null
  fi
}
# A stopped server's port is left to pgpair, which reads it from the files
# with its own parser; the port is needed here only to reach a running one.
# Its socket directory is the build's default unless the files say otherwise
# (Debian's is /var/run/postgresql, PostgreSQL's own /tmp): ask the server.
if [ -z "$PG_SOCKET" ] && [ "$running" = no ]; then
  PG_SOCKET=$(configured unix_socket_directories | cut -d, -f1 | sed 's/^ *//; s/ *$//')
fi
if [ -z "$PG_SOCKET" ]; then
  if [ -d /var/run/postgresql ]; then PG_SOCKET=/var/run/postgresql; else PG_SOCKET=/tmp; fi
fi

# The server's own view, in one psql session, one JSON document a line.
psql_bin=
if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/psql" ]; then
  psql_bin=$PG_BIN/psql
else
  for candidate in /usr/lib/postgresql/*/bin/psql; do
    [ -x "$candidate" ] && psql_bin=$candidate
  done
  [ -n "$psql_bin" ] || psql_bin=$(command -v psql)
fi

run_sql() {
  if [ -z "$psql_bin" ]; then
    echo "no psql found on this host (looked in $PG_BIN and /usr/lib/postgresql/*/bin)" >&2
    return 127
  fi
  runuser -u "$PG_OS_USER" -- "$psql_bin" -X -A -t -q -v ON_ERROR_STOP=0 \
    -h "$PG_SOCKET" -p "${PG_PORT:-5432}" -d postgres -v role="$PG_ROLE" <<'SQL' >"$tmp/sql"
SELECT 'pgpair-hba-file=' || current_setting('hba_file');
SELECT json_build_object('k', 'meta', 'v', json_build_object(
  'version', current_setting('server_version'),
  'version_num', current_setting('server_version_num')::int,
  'in_recovery', pg_is_in_recovery(),
  'data_directory', current_setting('data_directory'),
  'config_file', current_setting('config_file'),
  'hba_file', current_setting('hba_file'),
  'port', current_setting('port')::int,
  'start_time', pg_postmaster_start_time(),
  'system_identifier', (SELECT system_identifier::text FROM pg_control_system())));
SELECT json_build_object('k', 'settings', 'v', (SELECT json_agg(json_build_object(
  'name', name, 'setting', setting, 'unit', unit, 'vartype', vartype,
  'context', context, 'source', source, 'sourcefile', sourcefile,
  'sourceline', sourceline, 'pending_restart', pending_restart,
  'boot_val', boot_val) ORDER BY name) FROM pg_settings));
SELECT json_build_object('k', 'file_settings', 'v', (SELECT json_agg(json_build_object(
  'name', name, 'setting', setting, 'file', sourcefile, 'line', sourceline,
  'applied', applied, 'error', error) ORDER BY seqno) FROM pg_file_settings));
SELECT json_build_object('k', 'hba_rules', 'v', (SELECT json_agg(row_to_json(h))
  FROM pg_hba_file_rules h));
SELECT json_build_object('k', 'roles', 'v', (SELECT json_agg(json_build_object(
  'name', rolname, 'login', rolcanlogin, 'replication', rolreplication,
  'superuser', rolsuper, 'connection_limit', rolconnlimit,
  'has_password', rolpassword IS NOT NULL,
  'rewind_functions', has_function_privilege(oid, 'pg_catalog.pg_ls_dir(text, boolean, boolean)', 'EXECUTE')
    AND has_function_privilege(oid, 'pg_catalog.pg_stat_file(text, boolean)', 'EXECUTE')
    AND has_function_privilege(oid, 'pg_catalog.pg_read_binary_file(text)', 'EXECUTE')
    AND has_function_privilege(oid, 'pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)', 'EXECUTE'),
  'password_kind', CASE WHEN rolpassword IS NULL THEN NULL
                        WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram-sha-256'
                        WHEN rolpassword LIKE 'md5%' THEN 'md5'
                        ELSE 'other' END) ORDER BY rolname)
  FROM pg_authid WHERE rolreplication OR rolname = :'role'));
SELECT json_build_object('k', 'senders', 'v', (SELECT json_agg(json_build_object(
  'pid', pid, 'user', usename, 'application_name', application_name,
  'client_addr', host(client_addr), 'state', state, 'sent_lsn', sent_lsn::text,
  'replay_lsn', replay_lsn::text, 'sync_state', sync_state,
  'replay_lag', extract(epoch FROM replay_lag)) ORDER BY pid)
  FROM pg_stat_replication));
SELECT json_build_object('k', 'receiver', 'v', (SELECT row_to_json(r)
  FROM pg_stat_wal_receiver r LIMIT 1));
SELECT json_build_object('k', 'slots', 'v', (SELECT json_agg(json_build_object(
  'name', slot_name, 'type', slot_type, 'active', active,
  'restart_lsn', restart_lsn::text) ORDER BY slot_name) FROM pg_replication_slots));
SELECT json_build_object('k', 'recovery', 'v', json_build_object(
  'receive_lsn', pg_last_wal_receive_lsn()::text,
  'replay_lsn', pg_last_wal_replay_lsn()::text,
  'replay_delay', CASE WHEN pg_is_in_recovery()
    THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END,
  'current_lsn', CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn()::text END,
  'archive_failing', (SELECT last_failed_time IS NOT NULL AND (last_archived_time IS NULL
    OR last_failed_time > last_archived_time) FROM pg_stat_archiver),
  'archive_failed_count', (SELECT failed_count FROM pg_stat_archiver)));
SQL
  rc=$?
  cat "$tmp/sql"
  return "$rc"
}
if [ "$running" = yes ]; then
  section sql run_sql
fi

# Which pg_hba.conf to read: the manifest's, else the server's own answer
# (the running server's hba_file; for a stopped one, `postgres -C`, which
# reads the configuration as a start would), else the default beside
# postgresql.conf, where pgpair then checks the files' own hba_file line.
if [ -z "$PG_HBA" ] && [ "$running" = yes ]; then
  # The session's first line, when its first statement answered.
  first=''
  IFS= read -r first <"$tmp/sql"
  case $first in pgpair-hba-file=*) PG_HBA=${first#pgpair-hba-file=} ;; esac
  [ -z "$PG_HBA" ] || hba_from=server
fi
if [ -z "$PG_HBA" ]; then
  PG_HBA=$(configured hba_file)
  [ -z "$PG_HBA" ] || hba_from=postgres
fi
if [ -z "$PG_HBA" ] && [ -n "$PG_CONF" ]; then
  PG_HBA=$(dirname "$PG_CONF")/pg_hba.conf
  hba_from=default
fi

layout() {
  printf 'source=%s\nchoice=%s\ncluster=%s\nbin_dir=%s\ndata_dir=%s\nconfig_file=%s\n' \
    "$layout_source" "$choice" "$PG_CLUSTER" "$PG_BIN" "$PG_DATA" "$PG_CONF"
  printf 'hba_file=%s\nhba_from=%s\nport=%s\nsocket_dir=%s\nrunning=%s\n' \
    "$PG_HBA" "$hba_from" "$PG_PORT" "$PG_SOCKET" "$running"
  # pg_rewind of the cluster's major, and the mark of a rewind that did not
  # finish (engine/apply/standby_rewind.sh).
  if [ -n "$PG_BIN" ]; then
    if [ -x "$PG_BIN/pg_rewind" ]; then echo pg_rewind=yes; else echo pg_rewind=no; fi
  fi
  if [ -n "$PG_DATA" ]; then
    if [ -e "$PG_DATA.pgpair-rewinding" ]; then echo rewinding=yes; else echo rewinding=no; fi
    # A data directory that is a mount point cannot be swapped for a copy
    # (engine/apply/standby_clone.sh); engine/util/host_functions.sh.
    mount_point_of "$PG_DATA"
    # shellcheck disable=SC2154 # set by mount_point_of
    if [ -n "$mount_point" ]; then echo "mount_point=$mount_point"; fi
  fi
}
section layout layout

# The files, read as root: they tell the truth when the server is down, and
# what is waiting for a reload or restart when it is up.
if [ -n "$PG_CONF" ]; then
  section "file $PG_CONF" cat "$PG_CONF"
  # dirname's answer, by the shell where it is plain (no "//", no
  # trailing "/").
  case $PG_CONF in
    *//* | */) conf_dir=$(dirname "$PG_CONF") ;;
    /?*/*) conf_dir=${PG_CONF%/*} ;;
    *) conf_dir=$(dirname "$PG_CONF") ;;
  esac
  # One level of include directives, so that a stopped server's settings are
  # still known; a running server's pg_file_settings covers every level.
  sed -n "s/^[[:space:]]*\(include_dir\|include_if_exists\|include\)[[:space:]]*=\{0,1\}[[:space:]]*'\{0,1\}\([^'#]*\)'\{0,1\}.*/\1 \2/p" \
    "$PG_CONF" 2>/dev/null >"$tmp/includes"
  while read -r kind target; do
    case $target in /*) ;; *) target=$conf_dir/$target ;; esac
    if [ "$kind" = include_dir ]; then
      for f in "$target"/*.conf; do
        [ -f "$f" ] && section "file $f" cat "$f"
      done
    else
      section "file $target" cat "$target"
    fi
  done <"$tmp/includes"
fi
if [ -n "$PG_DATA" ]; then
  section "file $PG_DATA/postgresql.auto.conf" cat "$PG_DATA/postgresql.auto.conf"
  if [ -e "$PG_DATA/recovery.conf" ]; then
    section "file $PG_DATA/recovery.conf" cat "$PG_DATA/recovery.conf"
  fi
  signals() {
    for s in standby.signal recovery.signal recovery.conf backup_label; do
      if [ -e "$PG_DATA/$s" ]; then echo "$s yes"; else echo "$s no"; fi
    done
    test -d "$PG_DATA"
  }
  section signals signals
  # What an interrupted clone leaves beside the data directory (see
  # engine/apply/standby_clone.sh); found even when the data directory is not.
  leftovers() {
    for dir in "$PG_DATA.pgpair-staging" "$PG_DATA.pgpair-ready"; do
      if [ -d "$dir" ]; then echo "$dir"; fi
    done
  }
  section clone_leftovers leftovers
  # The WAL a switchover must know about: how many segments still wait for
  # the archiver, and the newest timeline history file (its last line says
  # where this timeline forked from its parent). Names are fixed-width hex,
  # so the last in sort order is the newest.
  wal_state() {
    [ -d "$PG_DATA/pg_wal" ] || return 0
    # Counted and listed by the shell's own globs (find's -name matches
    # hidden names too; the archiver makes none, but count them alike).
    ready=0
    for f in "$PG_DATA/pg_wal/archive_status"/*.ready "$PG_DATA/pg_wal/archive_status"/.*.ready \
      "$PG_DATA/pg_wal/archive_status/.ready"; do
      if [ -e "$f" ] || [ -L "$f" ]; then ready=$((ready + 1)); fi
    done
    echo "ready $ready"
    newest=''
    for f in "$PG_DATA/pg_wal"/[0-9A-F]*.history; do
      if [ -e "$f" ] || [ -L "$f" ]; then newest=${f##*/}; fi
    done
    if [ -n "$newest" ]; then
      echo "history $newest"
      tail -n 1 -- "$PG_DATA/pg_wal/$newest"
    fi
  }
  section wal_state wal_state
  if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_controldata" ]; then
    section controldata "$PG_BIN/pg_controldata" "$PG_DATA"
  elif [ -f "$PG_DATA/global/pg_control" ]; then
    # No pg_controldata of this major: the leading fields of pg_control,
    # decoded in the host's byte order (the server wrote them in it).
    pg_control() {
      od -An -t u8 -N 8 "$PG_DATA/global/pg_control" &&
        od -An -v -t u4 -j 8 -N 56 "$PG_DATA/global/pg_control" &&
        od -An -t u8 -j 32 -N 8 "$PG_DATA/global/pg_control"
    }
    section pg_control pg_control
  fi
fi
if [ -n "$PG_HBA" ]; then
  section "file $PG_HBA" cat "$PG_HBA"
fi
if [ -n "$ARCHIVE_DIR" ]; then
  section archive stat -c '%F|%U|%G|%a' "$ARCHIVE_DIR"
fi
# What an earlier apply saw the server refuse at its start (only if any).
if [ -n "$PGPAIR_REFUSED" ] && [ -e "$PGPAIR_REFUSED" ]; then
  section refused_settings cat "$PGPAIR_REFUSED"
fi
exit 0
