# pgpair-standby-files: the files that mark a data directory as a standby
# shellcheck shell=sh
# For engine/apply/standby_setup.h, run as root on the standby host as
#   sh -c SCRIPT pgpair-standby-files DATA OS_USER ASIDE STEP...
# Performs each STEP in the data directory DATA, in order:
#   move_recovery_conf     recovery.conf, if there is one, is renamed ASIDE
#                          (never deleted; an existing ASIDE stops the step)
#   create_standby_signal  an empty standby.signal owned by OS_USER, mode 0600
#   remove_standby_signal  standby.signal is removed (10 and 11 ignore it)
# then syncs DATA. A failure stops the script with its reason on standard
# error; the steps before it stay done.

set -e
data=$1 os_user=$2 aside=$3
shift 3
fail() {
  echo "$*" >&2
  exit 1
}
[ -d "$data" ] || fail "data directory $data does not exist"
for step in "$@"; do
  case $step in
  move_recovery_conf)
    if [ -e "$data/recovery.conf" ]; then
      [ ! -e "$aside" ] || fail "$aside already exists; recovery.conf is kept"
      mv -- "$data/recovery.conf" "$aside"
    fi
    ;;
  create_standby_signal)
    # An empty file, like the one pg_basebackup -R creates.
    if [ ! -e "$data/standby.signal" ]; then
      : >"$data/standby.signal"
      chown -- "$os_user" "$data/standby.signal"
      chmod 0600 "$data/standby.signal"
    fi
    ;;
  remove_standby_signal)
    rm -f -- "$data/standby.signal"
    ;;
  *) fail "unknown step $step" ;;
  esac
done
sync -- "$data"
