# pgpair-archive-dir: prepares the WAL archive directory on the primary
# shellcheck shell=sh
# For resources/archive_dir.cc, run as root as
#   sh -c SCRIPT pgpair-archive-dir DIR OWNER MODE USER
# Creates DIR with its parents, gives it to OWNER (and the group of OWNER's
# login) with MODE (four octal digits), then checks that USER, who runs
# archive_command, can enter and write to it. Exits 0 when it can, 1 when a
# step fails (the command's message on standard error), and 3 when USER
# cannot, saying on standard error which directory on the way stops it
# ("blocked-by: root:root 700 /var/backups") or that DIR itself is not
# writable ("not-writable: owner barman:barman, mode 700").

dir=$1 owner=$2 mode=$3 user=$4
# The extra leading zero makes GNU chmod clear setuid/setgid bits of a
# directory too; with four digits it keeps them, and the next plan would
# find the mode still wrong.
mkdir -p -- "$dir" && chown -- "$owner:" "$dir" && chmod -- "0$mode" "$dir" || exit 1
if runuser -u "$user" -- test -w "$dir" && runuser -u "$user" -- test -x "$dir"; then exit 0; fi
# The topmost directory on the way that the user cannot enter.
blocked=
p=$dir
while [ "$p" != / ] && [ "$p" != . ]; do
  p=$(dirname -- "$p")
  runuser -u "$user" -- test -x "$p" || blocked=$p
done
if [ -n "$blocked" ]; then
  echo "blocked-by: $(stat -c '%U:%G %a' -- "$blocked") $blocked" >&2
else
  echo "not-writable: $(stat -c 'owner %U:%G, mode %a' -- "$dir")" >&2
fi
exit 3
