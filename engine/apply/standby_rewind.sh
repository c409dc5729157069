# pgpair-standby-rewind: the steps of a former primary's rewind
# shellcheck shell=sh
# For resources/standby_rewind.cc, run as root on the former primary as
#   sh -c SCRIPT pgpair-standby-rewind STEP DATA KEEP OS_USER BIN_DIR CONFIG \
#     SOURCE_HOST SOURCE_PORT SOURCE_USER ARCHIVE
#   STEP      rewind | done
#   DATA      the former primary's data directory, its server stopped
#   KEEP      where rewind keeps its WAL and configuration first (never deleted)
#   OS_USER   the operating system user that owns the server
#   BIN_DIR   the programs of the cluster's major (pg_rewind, pg_controldata, postgres)
#   CONFIG    the server's postgresql.conf when it lies outside DATA, else empty
#   SOURCE_HOST SOURCE_PORT SOURCE_USER   the new primary pg_rewind reads from
#   ARCHIVE   the WAL archive directory on this host, or empty: pg_rewind reads
#             the former primary's WAL back to its last checkpoint before the
#             fork, and segments its checkpoints since removed are taken
#             from there
# rewind reads one line of a libpq password file on stdin.
#
# pg_rewind changes DATA in place and leaves it unusable if it stops half
# way. So: a dry run first, which changes nothing and fails for every reason
# found before the copy (the login, the grants, no common ancestor); then
# DATA.pgpair-rewinding is written, pg_rewind runs, and the mark stays until
# pgpair has configured DATA as a standby (step done). A mark that outlives
# its run tells the next plan to clone the host again, the data directory
# moved aside.

set -u
STEP=$1 DATA=$2 KEEP=$3 OS_USER=$4 BIN_DIR=$5 CONFIG=$6
SOURCE_HOST=$7 SOURCE_PORT=$8 SOURCE_USER=$9 ARCHIVE=${10}
umask 077
cd / || exit 1
mark=$DATA.pgpair-rewinding

fail() {
  printf '%s\n' "$*" >&2
  exit 1
}

as_server() {
  runuser -u "$OS_USER" -- "$@"
}

# The pid of a live postmaster in DATA, else nothing.
live_postmaster() {
  [ -f "$DATA/postmaster.pid" ] || return 0
  pid=$(sed -n 1p "$DATA/postmaster.pid")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

cluster_state() {
  LC_ALL=C "$BIN_DIR/pg_controldata" "$DATA" 2>/dev/null |
    sed -n 's/^Database cluster state:[[:space:]]*//p'
}

# A server stopped hard has not finished its own recovery, and pg_rewind
# needs a clean shutdown: single-user mode replays the WAL and stops at
# once, without ever accepting a connection.
shut_down_cleanly() {
  state=$(cluster_state)
  case $state in "shut down" | "shut down in recovery") return 0 ;; esac
  [ -x "$BIN_DIR/postgres" ] || fail "$DATA was not shut down cleanly ($state) and there is no $BIN_DIR/postgres to finish its recovery"
  set -- -D "$DATA"
  if [ -n "$CONFIG" ]; then set -- "$@" -c "config_file=$CONFIG"; fi
  if ! out=$(as_server "$BIN_DIR/postgres" --single "$@" template1 </dev/null 2>&1); then
    fail "$DATA was not shut down cleanly ($state), and its recovery in single-user mode failed: $out"
  fi
  state=$(cluster_state)
  [ "$state" = "shut down" ] || fail "$DATA is still not shut down cleanly after single-user recovery ($state)"
}

# What pg_rewind replaces, kept first: the WAL, which holds the
# transactions after the fork, and the configuration files in DATA.
# pg_wal may be a link to a directory elsewhere (initdb --waldir): its
# files are what is kept, not the link. The copy must fit beside DATA.
keep() {
  [ ! -e "$KEEP" ] || fail "$KEEP already exists; nothing was changed"
  need=$(du -sk -- "$DATA/pg_wal/" 2>/dev/null | awk 'NR == 1 { print $1 }')
  free=$(free_kb "$(dirname -- "$KEEP")")  # engine/util/host_functions.sh
  if [ -n "$need" ] && [ -n "$free" ] && [ "$free" -lt "$((need + 1024))" ]; then
    fail "$(dirname -- "$KEEP") has $((free / 1024)) MB free, and the WAL of $DATA to keep first takes $(((need + 1023) / 1024)) MB; nothing was changed: make room on that filesystem, then apply again"
  fi
  mkdir -- "$KEEP" "$KEEP/pg_wal" || fail "$KEEP cannot be created; nothing was changed"
  cp -a -- "$DATA/pg_wal/." "$KEEP/pg_wal/" || fail "the WAL of $DATA cannot be copied to $KEEP; nothing was changed"
  for f in postgresql.conf postgresql.auto.conf pg_hba.conf pg_ident.conf; do
    if [ -f "$DATA/$f" ]; then
      cp -a -- "$DATA/$f" "$KEEP/$f" || fail "$DATA/$f cannot be copied to $KEEP; nothing was changed"
    fi
  done
  sync
}

rewind() {
  pid=$(live_postmaster)
  [ -z "$pid" ] || fail "the PostgreSQL server still runs in $DATA (pid $pid); nothing was changed"
  [ -x "$BIN_DIR/pg_rewind" ] || fail "$BIN_DIR/pg_rewind does not exist; nothing was changed"
  shut_down_cleanly
  home=$(getent passwd "$OS_USER" | cut -d: -f6)
  dir=/tmp
  if [ -n "$home" ] && [ -d "$home" ]; then dir=$home; fi
  # The password file and the dry run's output, the directory readable by
  # root and OS_USER only.
  work=$(mktemp -d -- "$dir/.pgpair-rewind-XXXXXX") || fail "no working directory can be created in $dir"
  # Removed on every way out; a signal during the removal does not cut it
  # short (the password file is in it).
  trap 'trap "" HUP INT TERM PIPE; rm -rf -- "$work"' EXIT
  trap 'exit 1' HUP INT TERM PIPE
  passfile=$work/pgpass
  if ! { chown -- "$OS_USER" "$work" && cat >"$passfile" && chown -- "$OS_USER" "$passfile" &&
    chmod 0600 "$passfile"; }; then
    fail "the password file $passfile cannot be written"
  fi
  # The connection's parts come from the environment: no value of the
  # manifest is spliced into a connection string.
  run_rewind() {
    # shellcheck disable=SC2154 # libpq_keepalives: engine/util/host_functions.sh
    as_server env PGPASSFILE="$passfile" PGHOST="$SOURCE_HOST" PGPORT="$SOURCE_PORT" \
      PGUSER="$SOURCE_USER" PGCONNECT_TIMEOUT=10 \
      "$BIN_DIR/pg_rewind" --target-pgdata="$DATA" \
      --source-server="dbname=postgres $libpq_keepalives" "$@" 2>&1
  }
  # The dry run fetches all that the rewind would copy, and takes as long:
  # its progress goes to standard output as it comes, so that pgpair sees
  # the command alive (only a silence of ssh.command_timeout ends it), and
  # its messages are read back from a file.
  dry_run() {
    { run_rewind --dry-run --progress; echo $? >"$work/dry-run.status"; } | tee "$work/dry-run.out"
    out=$(cat -- "$work/dry-run.out")
    return "$(cat -- "$work/dry-run.status")"
  }
  # Each missing segment of the former primary's own WAL that the archive
  # holds is copied back into pg_wal, and the dry run tried again.
  tries=0
  until dry_run; do
    segment=$(printf '%s\n' "$out" |
      sed -n 's|.*could not open file "'"$DATA"'/pg_wal/\([0-9A-F]\{24\}\)".*|\1|p' | head -n 1)
    tries=$((tries + 1))
    if [ -z "$segment" ] || [ -z "$ARCHIVE" ] || [ ! -f "$ARCHIVE/$segment" ] || [ "$tries" -gt 64 ]; then
      fail "pg_rewind's dry run failed, nothing was changed: $out"
    fi
    if ! { cp -- "$ARCHIVE/$segment" "$DATA/pg_wal/$segment.pgpair" &&
      chown -- "$OS_USER:" "$DATA/pg_wal/$segment.pgpair" &&
      mv -- "$DATA/pg_wal/$segment.pgpair" "$DATA/pg_wal/$segment"; }; then
      fail "WAL segment $segment cannot be copied from $ARCHIVE into $DATA/pg_wal; nothing else was changed"
    fi
  done
  keep
  echo "pg_rewind started; $DATA may be inconsistent until pgpair configures it" >"$mark" ||
    fail "$mark cannot be written; nothing was changed"
  sync
  # Its progress goes to standard error as it comes: pgpair gives up on
  # pg_rewind only after a silence of ssh.command_timeout, however long a
  # rewind of a large cluster that keeps copying takes.
  if ! run_rewind --progress >&2; then
    fail "pg_rewind failed; $DATA may be inconsistent and is never started as it is: the next plan clones it again (its WAL and configuration are kept in $KEEP)"
  fi
  restore_config
}

# pg_rewind removes the files the source's data directory lacks: a source
# that keeps its configuration elsewhere (Debian's /etc/postgresql) takes
# away the configuration this server reads from DATA. Those come back from
# KEEP; the source's copies, when it had them, stay (as pg_basebackup's).
restore_config() {
  for f in postgresql.conf pg_hba.conf pg_ident.conf; do
    if [ -f "$KEEP/$f" ] && [ ! -e "$DATA/$f" ]; then
      cp -p -- "$KEEP/$f" "$DATA/$f" ||
        fail "pg_rewind removed $DATA/$f (its source has none) and it cannot be put back from $KEEP; $DATA is never started as it is: the next plan clones it again"
    fi
  done
}

case $STEP in
  rewind) rewind ;;
  done) rm -f -- "$mark" && sync ;;
  *) fail "unknown step $STEP" ;;
esac
