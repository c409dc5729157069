# pgpair-apply-lease: starts the apply lease (apply_lease.sh) under bash
# shellcheck shell=sh
# For engine/apply/apply_lock.cc, run as root as
#   sh -c SCRIPT pgpair-apply-lease LEASE_SCRIPT TIMEOUT PAIR USER MACHINE PID SINCE
# The lease needs bash (for `read -t`); a host without it gets the lease's
# own ERROR line, which pgpair shows. Otherwise this process becomes the
# lease: bash runs LEASE_SCRIPT with the same $0, the marker that gather.sh
# and remote_guard.sh look for in /proc/PID/cmdline, and the other
# arguments.

if ! command -v bash >/dev/null 2>&1; then
  echo 'ERROR bash is not installed; pgpair needs it (and flock of util-linux) for its apply lock'
  exit 2
fi
lease_script=$1
shift
exec bash -c "$lease_script" "$0" "$@"
