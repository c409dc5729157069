# pgpair-standby-clone: the steps of a staged standby clone
# shellcheck shell=sh
# For resources/standby_clone.cc, run as root on the standby host as
#   sh -c SCRIPT pgpair-standby-clone STEP DATA ASIDE OS_USER PG_BASEBACKUP \
#     PRIMARY_HOST PRIMARY_PORT REPL_USER COPY_KB [CONFIG...]
#   STEP          stage | ready | swap
#   DATA          the standby's data directory
#   ASIDE         where swap moves the old data directory (never deleted)
#   OS_USER       the operating system user that owns the server
#   PG_BASEBACKUP the pg_basebackup of the cluster's major (stage)
#   PRIMARY_HOST PRIMARY_PORT REPL_USER   where stage copies from
#   COPY_KB       the room the copy needs, in KiB (stage; 0: not checked)
#   CONFIG        required:NAME or optional:NAME, a configuration file the
#                 server reads from DATA (NAME relative to it): ready copies
#                 it from DATA into the copy when the copy lacks it (the
#                 primary keeps its configuration elsewhere, as Debian
#                 does); a required one that neither has fails ready
# stage reads one line of a libpq password file on stdin, and writes
# pg_basebackup's --progress and --verbose lines to standard error.
#
# At every instant DATA holds either what it held before or a complete copy
# configured as a standby: the copy is made in DATA.pgpair-staging (stage),
# configured there by pgpair, renamed to DATA.pgpair-ready once complete
# (ready), and only then swapped with the old data directory (swap).
# Directories with these two names are pgpair's own scratch copies: stage
# removes any it finds before copying again.

set -u
STEP=$1 DATA=$2 ASIDE=$3 OS_USER=$4 PG_BASEBACKUP=$5
PRIMARY_HOST=$6 PRIMARY_PORT=$7 REPL_USER=$8 COPY_KB=$9
shift 9
umask 077
cd / || exit 1
staging=$DATA.pgpair-staging
ready=$DATA.pgpair-ready

fail() {
  printf '%s\n' "$*" >&2
  exit 1
}

# The pid of a live postmaster in directory $1, else nothing.
live_postmaster() {
  [ -f "$1/postmaster.pid" ] || return 0
  pid=$(sed -n 1p "$1/postmaster.pid")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

# The pid of a process that still writes into directory $1 (a pg_basebackup
# of a run that did not end), else nothing.
writer_in() {
  for proc in /proc/[0-9]*; do
    case $(tr '\0' ' ' 2>/dev/null <"$proc/cmdline") in
      *pg_basebackup*"$1"*) echo "${proc#/proc/}" && return 0 ;;
    esac
  done
}

stage() {
  # The facts said so when the plan was made (a blocker); this is the last
  # word. mount_point_of and free_kb: engine/util/host_functions.sh.
  mount_point_of "$DATA"
  # shellcheck disable=SC2154 # set by mount_point_of
  if [ "$mount_point" = yes ]; then
    fail "$DATA is a mount point: pgpair makes the copy beside it and puts it in place by renaming, which a mount point does not allow; nothing was changed. Mount the volume on $(dirname -- "$DATA") instead, with the data directory inside it"
  fi
  pid=$(writer_in "$staging")
  [ -z "$pid" ] || fail "an earlier clone's pg_basebackup (pid $pid) still writes into $staging; nothing was changed: wait for it to end, then apply again"
  for dir in "$staging" "$ready"; do
    if [ -e "$dir" ] || [ -L "$dir" ]; then
      [ -z "$(live_postmaster "$dir")" ] || fail "a PostgreSQL server runs in $dir; nothing was changed"
      rm -rf -- "$dir" || fail "the copy left by an interrupted clone at $dir cannot be removed"
    fi
  done
  parent=$(dirname -- "$DATA")
  [ -d "$parent" ] || fail "$parent does not exist; $DATA cannot be cloned into it"
  # The copy is made beside DATA, which stays until the copy is complete:
  # both must fit. A copy that filled the filesystem would fail late and
  # could leave the host's other users without room.
  free=$(free_kb "$parent")
  if [ "$COPY_KB" -gt 0 ] 2>/dev/null && [ -n "$free" ] && [ "$free" -lt "$COPY_KB" ]; then
    fail "$parent has $((free / 1024)) MB free, and the copy of $PRIMARY_HOST needs about $((COPY_KB / 1024)) MB there beside $DATA (kept until the copy is complete); nothing was changed: make room on that filesystem, then apply again"
  fi
  passfile=
  complete=no
  # A partial copy is removed on every way out but success; a kill -9 of
  # this shell leaves it, and the next stage removes it.
  # pg_basebackup's WAL streamer may outlive it by a moment, still writing
  # into the copy: the removal waits for it (at most 3 s, within the 5 s the
  # remote guard gives before its KILL) and tries twice. A signal does not
  # cut it short: the guard's TERM often comes while it waits, when
  # pg_basebackup died first of pgpair's closed connection.
  cleanup() {
    trap '' HUP INT TERM PIPE
    if [ -n "$passfile" ]; then rm -f -- "$passfile"; fi
    if [ "$complete" != yes ]; then
      waited=0
      while [ -n "$(writer_in "$staging")" ] && [ "$waited" -lt 30 ]; do
        { sleep 0.1 || sleep 1; } 2>/dev/null
        waited=$((waited + 1))
      done
      rm -rf -- "$staging" 2>/dev/null || { sleep 1 && rm -rf -- "$staging"; }
    fi
  }
  trap cleanup EXIT
  trap 'exit 1' HUP INT TERM PIPE
  mkdir -- "$staging" || fail "$staging cannot be created"
  if ! { chown -- "$OS_USER:" "$staging" && chmod 0700 "$staging"; }; then
    fail "$staging cannot be given to $OS_USER"
  fi
  # In the server user's home, where it may read; /tmp otherwise.
  home=$(getent passwd "$OS_USER" | cut -d: -f6)
  dir=/tmp
  if [ -n "$home" ] && [ -d "$home" ]; then dir=$home; fi
  passfile=$(mktemp -- "$dir/.pgpair-pgpass-XXXXXX") ||
    fail "no password file can be created in $dir"
  if ! { chown -- "$OS_USER" "$passfile" && chmod 0600 "$passfile" && cat >"$passfile"; }; then
    fail "the password file $passfile cannot be written"
  fi
  # Its messages go to standard error as they come: pgpair reads the
  # progress lines and what it waits for from them while it runs
  # (engine/apply/clone_progress.h), in C words whatever the host's locale,
  # and quotes the rest if it fails. TCP keepalives on its connections
  # (engine/util/host_functions.sh): a primary that stops answering ends
  # the copy within half a minute, and the partial copy is removed.
  # shellcheck disable=SC2154 # libpq_keepalives: engine/util/host_functions.sh
  if ! runuser -u "$OS_USER" -- env LC_ALL=C PGPASSFILE="$passfile" "$PG_BASEBACKUP" \
    -d "$libpq_keepalives" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$REPL_USER" -D "$staging" \
    -X stream -c fast -w --progress --verbose >&2; then
    fail "pg_basebackup failed"
  fi
  complete=yes
}

# The standby's own configuration files (the CONFIG arguments) that the copy
# lacks, copied from DATA with their owner and mode. Nothing of DATA changes.
carry_config() {
  for spec in "$@"; do
    need=${spec%%:*} name=${spec#*:}
    [ ! -e "$staging/$name" ] || continue
    if [ -f "$DATA/$name" ]; then
      if ! { mkdir -p -- "$(dirname -- "$staging/$name")" &&
        cp -p -- "$DATA/$name" "$staging/$name"; }; then
        fail "$DATA/$name cannot be copied into $staging; $DATA is unchanged"
      fi
    elif [ "$need" = required ]; then
      fail "the copy has no $name (the primary keeps its configuration outside its data directory) and $DATA has none to carry into it; $DATA is unchanged: put the server's $name in $DATA, or declare config_file and hba_file outside it"
    fi
  done
}

# The copy in staging is complete and configured as a standby.
mark_ready() {
  [ -d "$staging" ] || fail "$staging does not exist: the copy is gone"
  [ ! -e "$ready" ] || fail "$ready already exists"
  carry_config "$@"
  mv -- "$staging" "$ready" || fail "$staging cannot be renamed to $ready"
  sync -- "$(dirname -- "$DATA")" 2>/dev/null || sync
}

# Two renames, which must not be cut apart: signals are ignored, so a
# pgpair that dies here leaves the swap to finish.
swap() {
  trap '' HUP INT TERM PIPE
  [ -d "$ready" ] || fail "$ready does not exist: there is no complete copy to put in place"
  pid=$(live_postmaster "$DATA")
  [ -z "$pid" ] || fail "the PostgreSQL server still runs in $DATA (pid $pid); nothing was changed"
  old="there was no old data directory"
  if [ -e "$DATA" ] || [ -L "$DATA" ]; then
    if [ -e "$ASIDE" ] || [ -L "$ASIDE" ]; then fail "$ASIDE already exists; nothing was changed"; fi
    mv -- "$DATA" "$ASIDE" || fail "$DATA cannot be moved to $ASIDE; nothing was changed"
    old="the old data directory is at $ASIDE"
    echo "moved $ASIDE"
  fi
  mv -- "$ready" "$DATA" || fail "$ready cannot be renamed to $DATA; $old"
  # The mark of a rewind that did not finish was about the directory now
  # moved aside (engine/apply/standby_rewind.sh).
  rm -f -- "$DATA.pgpair-rewinding"
  sync -- "$(dirname -- "$DATA")" 2>/dev/null || sync
}

case $STEP in
  stage) stage ;;
  ready) mark_ready "$@" ;;
  swap) swap ;;
  *) fail "unknown step $STEP" ;;
esac
