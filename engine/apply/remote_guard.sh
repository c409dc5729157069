# pgpair-remote-guard: runs one long apply step so that it dies with pgpair
# shellcheck shell=sh
# (engine/apply/remote_guard.h), as
#   sh -c SCRIPT pgpair-remote-guard LEASE_PID COMMAND
# COMMAND runs in /bin/sh, in a session and process group of its own, with
# this script's standard input, output and error. While it runs, a watcher
# checks every second that pgpair's apply lease LEASE_PID (apply_lease.sh,
# whose command line names pgpair-apply-lease) still runs; the lease ends
# when pgpair dies, its connection closes or its link stays cut. Then every
# process of COMMAND (its session, and its descendants wherever they went)
# is stopped, sent TERM and continued, and after 5 s sent KILL; the script
# says so on standard error and exits 125. Otherwise it exits with
# COMMAND's status. A lease that does not run when this starts: COMMAND is
# not started (exit 125).

set -u
lease=$1
command=$2
export LC_ALL=C

# Prints the lease's kernel start time (field 22 of /proc/PID/stat); fails
# when LEASE_PID is not, or no longer, pgpair's lease.
lease_start() {
  tr '\0' '\n' 2>/dev/null <"/proc/$lease/cmdline" | grep -qx pgpair-apply-lease || return 1
  read -r stat 2>/dev/null <"/proc/$lease/stat" || return 1
  rest=${stat##*) }
  # shellcheck disable=SC2086 # split the fields after the command name on purpose
  set -- $rest
  printf '%s' "${20}"
}

started=$(lease_start) || {
  echo "pgpair's apply lease (pid $lease) does not run on this host, so the step was not started" >&2
  exit 125
}
work=$(mktemp -d) || exit 125
trap 'rm -rf "$work"' EXIT

# A background job's input would be /dev/null: hand it ours through fd 3.
exec 3<&0
# A background child of a non-interactive shell is no group leader, so
# setsid runs COMMAND in this very process: its pid names its session.
setsid /bin/sh -c "$command" <&3 3<&- &
child=$!
exec 3<&-

# The live processes of COMMAND: its session, and every descendant of it
# (one that left the session is still a child of one in it, or was).
members() {
  ps -e -o pid= -o ppid= -o sid= -o stat= | awk -v root="$child" '
    $4 !~ /^Z/ { pid[NR] = $1; parent[NR] = $2; session[NR] = $3; live[$1] = 1 }
    END {
      keep[root] = 1
      do {
        grown = 0
        for (i in pid) {
          if (!(pid[i] in keep) && (parent[i] in keep || session[i] == root)) {
            keep[pid[i]] = 1
            grown = 1
          }
        }
      } while (grown)
      for (p in keep) if (p in live) print p
    }'
}

# A pause of $1 seconds (fractions where sleep takes them, else a second)
# that holds none of this script's output: a sleep left behind when its
# shell is killed must not keep the SSH channel open, and the command's
# end unseen, until it wakes.
pause() {
  { sleep "$1" || sleep 1; } </dev/null >/dev/null 2>&1
}

(
  # pgpair is likely gone, and with it the reader of our output: a write
  # must not kill the watcher before it has done its work.
  trap '' PIPE
  while [ "$(lease_start)" = "$started" ]; do pause 1; done
  : >"$work/stopping"
  echo "pgpair's apply lease (pid $lease) on this host ended: pgpair is gone or its connection to this host was lost; stopping the step (TERM, then KILL after 5 s)" >&2
  # All of them stopped first, then told to end, then let go: none runs on
  # between two kills (a shell whose child died first would run its next
  # command, a cleanup would race a writer still writing).
  pids=$(members)
  # shellcheck disable=SC2086 # one pid a word
  kill -STOP $pids 2>/dev/null
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null
  # shellcheck disable=SC2086
  kill -CONT $pids 2>/dev/null
  tries=0
  while [ "$tries" -lt 5 ] && [ -n "$(members)" ]; do
    pause 1
    tries=$((tries + 1))
  done
  # shellcheck disable=SC2046
  kill -KILL $(members) 2>/dev/null
  exit 0
) &
watcher=$!

wait "$child" 2>/dev/null
rc=$?
# A process of the step that outlived its shell (a pg_basebackup whose
# parent died with pgpair's connection, or its WAL streamer finishing a
# moment after it) is still the step's: the watcher stays until it ends,
# or stops it once the lease is gone. Looked at every tenth of a second
# at first, since most end at once, then every second.
polls=0
while [ -n "$(members)" ] && [ ! -e "$work/stopping" ]; do
  if [ "$polls" -lt 20 ]; then pause 0.1; else pause 1; fi
  polls=$((polls + 1))
done
if [ -e "$work/stopping" ]; then
  wait "$watcher"
  echo "the step was stopped because pgpair's apply lease ended" >&2
  exit 125
fi
kill "$watcher" 2>/dev/null
exit "$rc"
