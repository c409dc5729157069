# pgpair-server-control: starts or restarts a server, and says why it failed
# shellcheck shell=sh
# For pgpair's apply (engine/apply/server_control.h), run as root as
#   sh -c SCRIPT pgpair-server-control MARK CONTROL LOG CLUSTER UNIT DATA
#   MARK     a random marker that frames the parts of the output
#   CONTROL  the command that starts or restarts the server
#   LOG      the server's log file (may be empty)
#   CLUSTER  Debian's cluster ("15/main"; may be empty): its log file, as
#            pg_lsclusters lists it, wins over LOG
#   UNIT     a systemd unit whose journal holds the log when no file does
#   DATA     the data directory
# The command's own output comes first. When it fails, the script prints
# "MARK log SOURCE", what the server logged since the command began (the
# log's growth; all of its end if it was rotated meanwhile), then "MARK
# running", and yes or no: whether a postmaster runs now. It exits with the
# command's status.

PGPAIR_MARK=$1 PGPAIR_CONTROL=$2 PGPAIR_LOG=$3 PGPAIR_CLUSTER=$4 PGPAIR_UNIT=$5 PG_DATA=$6

# pg_lsclusters names Debian's default log file, which pgpair passes as LOG,
# unless the cluster's files say otherwise: a log symlink in its
# configuration directory, or a line that sets logging_collector or
# log_destination (or includes a file that could). It is spared (perl, a
# tenth of a second) when no active line of postgresql.conf, conf.d/*.conf
# and postgresql.auto.conf could, and its data_directory line names DATA,
# as this awk program (q = a single quote, d = DATA, main = postgresql.conf)
# says by exiting 0; any doubt, and pg_lsclusters is asked.
# shellcheck disable=SC2016 # an awk program: its $0 is awk's
default_log_only='
  { line = tolower($0) }
  line ~ /^[[:space:]]*(#.*)?$/ { next }
  FILENAME == main && index($0, q "conf.d" q) &&
    line ~ ("^[[:space:]]*include_dir[[:space:]]*=?[[:space:]]*" q "conf\\.d" q "[[:space:]]*(#.*)?$") { next }
  line ~ /^[[:space:]]*(logging_collector|log_destination|include)/ { exit 1 }
  line ~ /^[[:space:]]*data_directory/ {
    if (!match($0, q "[^" q "]*" q) || substr($0, RSTART, RLENGTH) != q d q) exit 1
    seen = 1
  }
  END { if (!seen) exit 1 }'
debian_default_log() {
  conf_dir=/etc/postgresql/$PGPAIR_CLUSTER
  [ "$PGPAIR_LOG" = "/var/log/postgresql/postgresql-${PGPAIR_CLUSTER%%/*}-${PGPAIR_CLUSTER#*/}.log" ] &&
    [ -f "$conf_dir/postgresql.conf" ] && [ ! -L "$conf_dir/log" ] && [ -n "$PG_DATA" ] || return 1
  set -- "$conf_dir/postgresql.conf"
  for f in "$conf_dir"/conf.d/*.conf "$PG_DATA/postgresql.auto.conf"; do
    if [ -f "$f" ]; then set -- "$@" "$f"; elif [ -e "$f" ]; then return 1; fi
  done
  awk -v q="'" -v d="$PG_DATA" -v main="$conf_dir/postgresql.conf" "$default_log_only" "$@" \
    2>/dev/null
}
if [ -n "$PGPAIR_CLUSTER" ] && command -v pg_lsclusters >/dev/null 2>&1 && ! debian_default_log; then
  listed=$(pg_lsclusters -h "${PGPAIR_CLUSTER%%/*}" "${PGPAIR_CLUSTER#*/}" 2>/dev/null |
    awk 'NR == 1 { print $7 }')
  case $listed in /*) PGPAIR_LOG=$listed ;; esac
fi

log_size() {
  if [ -n "$PGPAIR_LOG" ] && [ -f "$PGPAIR_LOG" ]; then
    stat -c %s -- "$PGPAIR_LOG" 2>/dev/null || echo 0
  else
    echo 0
  fi
}

before=$(log_size)
since=$(date +%s)
sh -c "$PGPAIR_CONTROL"
rc=$?
[ "$rc" -eq 0 ] && exit 0

if [ -n "$PGPAIR_LOG" ] && [ -f "$PGPAIR_LOG" ]; then
  printf '\n%s log %s\n' "$PGPAIR_MARK" "$PGPAIR_LOG"
  after=$(log_size)
  if [ "$after" -ge "$before" ]; then
    tail -c +"$((before + 1))" -- "$PGPAIR_LOG" | tail -n 400
  else
    tail -n 400 -- "$PGPAIR_LOG"
  fi
elif [ -n "$PGPAIR_UNIT" ] && command -v journalctl >/dev/null 2>&1; then
  printf '\n%s log journalctl -u %s\n' "$PGPAIR_MARK" "$PGPAIR_UNIT"
  journalctl -u "$PGPAIR_UNIT" --since "@$since" --no-pager -o cat -n 400 2>&1
else
  printf '\n%s log none\n' "$PGPAIR_MARK"
fi

printf '\n%s running\n' "$PGPAIR_MARK"
pid=$(sed -n 1p "$PG_DATA/postmaster.pid" 2>/dev/null)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo yes; else echo no; fi
exit "$rc"
