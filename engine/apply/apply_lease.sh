# pgpair-apply-lease: pgpair's apply lock on this host
# shellcheck shell=bash
# pgpair's apply lock on one host, held for as long as pgpair keeps this
# process's session alive (engine/apply/apply_lock.h). Run as root, by
# apply_lease_start.sh, as
#   bash -c SCRIPT pgpair-apply-lease TIMEOUT PAIR USER MACHINE PID SINCE
# $0 is the marker that gather.sh and remote_guard.sh look for in
# /proc/PID/cmdline. One line each way:
#   ->  LOCKED <this process's pid>      the lock is ours
#   ->  HELD <TAB-separated key=value>   another process holds it (exit 3);
#                                        no fields if it has not said who it is yet
#   ->  ERROR <why>                      no lock could be taken (exit 2)
#   <-  beat       ->  ok                pgpair is alive
#   <-  release    ->  released          pgpair is done; the lock is free
# The end of the input (pgpair died, the connection closed) or no line within
# TIMEOUT seconds (the link is gone) ends the lease as release does.
#
# The lock is flock(2) on apply.lock through fd 9, which no child of this
# process inherits: it goes with this process however that ends, kill -9
# included. apply.holder says who holds it; it is removed with the lock, and
# one left by a killed lease names a process that is gone (lease_pid and its
# kernel start time lease_start no longer match), which readers check.

set -u
umask 022
export LC_ALL=C
cd / || exit 2
timeout=$1 pair=$2 user=$3 machine=$4 pgpair_pid=$5 since=$6

fail() {
  printf 'ERROR %s\n' "$*"
  exit 2
}

# The kernel's start time of process $1 (field 22 of /proc/PID/stat): a
# process that reuses a dead one's pid has another.
start_time() {
  local stat rest
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  rest=${stat##*) }
  # shellcheck disable=SC2086 # split the fields after the command name on purpose
  set -- $rest
  printf '%s' "${20}"
}

command -v flock >/dev/null 2>&1 || fail "flock is not installed (util-linux); pgpair needs it for its apply lock"
# /run is a tmpfs on every current Linux: a lock never outlives a reboot.
if [ -d /run ]; then
  dir=/run/pgpair
elif [ -d /var/lock ]; then
  dir=/var/lock/pgpair
else
  dir=/tmp/pgpair-lock-root
fi
[ -e "$dir" ] || mkdir -m 0755 -- "$dir" 2>/dev/null
# In /tmp anybody could have made it first.
if [ -L "$dir" ] || [ ! -d "$dir" ] || [ ! -O "$dir" ]; then
  fail "$dir is not a directory owned by root; remove it and run pgpair again"
fi
chmod 0755 -- "$dir" || fail "cannot set the mode of $dir"
my_start=$(start_time $$) || fail "cannot read /proc/$$/stat"

exec 9>>"$dir/apply.lock" || fail "cannot open $dir/apply.lock"
flock -n 9
rc=$?
if [ "$rc" -ne 0 ]; then
  [ "$rc" -eq 1 ] || fail "flock failed on $dir/apply.lock (exit status $rc)"
  fields='' holder_pid='' holder_start=''
  if [ -f "$dir/apply.holder" ]; then
    while IFS= read -r line; do
      case $line in
        lease_pid=*) holder_pid=${line#lease_pid=} ;;
        lease_start=*) holder_start=${line#lease_start=} ;;
      esac
      fields="$fields"$'\t'"$line"
    done <"$dir/apply.holder"
  fi
  # A record of a lease that is gone says nothing about the one that holds
  # the lock now (it has not written its own yet).
  if [ -z "$holder_pid" ] || [ "$(start_time "$holder_pid")" != "$holder_start" ]; then
    fields=
  fi
  printf 'HELD%s\n' "$fields"
  exit 3
fi

# A signal during the removal does not cut it short.
cleanup() {
  trap '' HUP INT TERM PIPE
  rm -f -- "$dir/apply.holder" "$dir/apply.holder.$$" 9>&-
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE
printf 'pair=%s\nuser=%s\nmachine=%s\npid=%s\nsince=%s\nlease_pid=%s\nlease_start=%s\n' \
  "$pair" "$user" "$machine" "$pgpair_pid" "$since" "$$" "$my_start" >"$dir/apply.holder.$$" ||
  fail "cannot write $dir/apply.holder.$$"
mv -f -- "$dir/apply.holder.$$" "$dir/apply.holder" 9>&- || fail "cannot write $dir/apply.holder"
printf 'LOCKED %s\n' "$$"

while IFS= read -r -t "$timeout" line; do
  case $line in
    beat) printf 'ok\n' ;;
    release) break ;;
  esac
done

# The record goes before the lock, so that it never names the next holder.
trap - EXIT
cleanup
flock -u 9
exec 9>&-
printf 'released\n'
exit 0
