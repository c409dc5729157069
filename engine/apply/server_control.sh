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

if [ -n "$PGPAIR_CLUSTER" ] && command -v pg_lsclusters >/dev/null 2>&1; then
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
