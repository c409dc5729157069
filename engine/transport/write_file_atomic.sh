# pgpair-write-file: replaces one file atomically with standard input
# shellcheck shell=sh
# For pgpair's remote file writes (engine/transport/remote_files.h), run as
#   sh -c SCRIPT pgpair-write-file PATH OWNER GROUP MODE
# The content arrives on standard input (never in argv: it may hold a
# secret) and goes into a temporary file beside PATH's target (a symlink at
# PATH is followed), which takes the replaced file's owner, group and mode,
# then OWNER, GROUP and MODE where they are not empty; it is synced, renamed
# over the target, and the directory is synced. A new file without
# attributes gets mode 0600 (mktemp's) and the running user. On failure the
# temporary is removed, the target is untouched, and the reason is on
# standard error.

set -e
path=$1 owner=$2 group=$3 mode=$4
fail() {
  echo "$*" >&2
  exit 1
}
target=$(readlink -f -- "$path") || fail 'its directory does not exist'
# readlink -f gives an absolute path without a trailing "/": its directory
# and name by parameter expansion, with no dirname and basename processes.
dir=${target%/*}
[ -n "$dir" ] || dir=/
# Beside the target, so that mv is a rename within one file system.
tmp=$(mktemp -- "$dir/.${target##*/}.pgpair-XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
cat >"$tmp"
if [ -e "$target" ]; then
  chown --reference="$target" -- "$tmp"
  chmod --reference="$target" -- "$tmp"
fi
if [ -n "$owner" ]; then chown -- "$owner" "$tmp"; fi
if [ -n "$group" ]; then chgrp -- "$group" "$tmp"; fi
if [ -n "$mode" ]; then chmod -- "$mode" "$tmp"; fi
# Data before rename, rename before the directory: after a crash the
# target holds either the old or the new content, never a torn file.
sync -- "$tmp"
mv -f -- "$tmp" "$target"
sync -- "$dir"
