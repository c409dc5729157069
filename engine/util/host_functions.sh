# pgpair-host-functions: shell functions (and a setting) that more than one
# of the scripts pgpair sends to hosts needs. CMakeLists.txt
# (pgpair_embed_script's FUNCTIONS) puts this file before each script that
# uses them, so a script and its functions travel as one text.
# shellcheck shell=sh
# shellcheck disable=SC2034 # mount_point and libpq_keepalives are the caller's

# libpq's TCP keepalives, for a connection to the other host that mostly
# receives (pg_basebackup's, pg_rewind's): a peer that stops answering (a
# cut link, a dropped port) fails it after about 25 s of silence (10 s,
# then 3 probes 5 s apart), where it could otherwise wait for ever. A live
# peer's kernel answers the probes, however busy its server.
libpq_keepalives='keepalives=1 keepalives_idle=10 keepalives_interval=5 keepalives_count=3'

# Sets mount_point to yes when directory $1 is a mount point (a volume of
# its own, or a bind mount: a rename cannot move it), to no when it is not,
# and to nothing when that cannot be told (no such directory, a symbolic
# link, no /proc). The kernel's table names mount points by their real
# paths, writing blanks, tabs, newlines and backslashes as octal escapes
# (\040): the shell reads it itself and decodes only a name that has one.
mount_point_of() {
  mount_point=
  [ -d "$1" ] && [ ! -L "$1" ] && [ -r /proc/self/mountinfo ] || return 0
  mp_real=$(cd -- "$1" 2>/dev/null && pwd -P) || return 0
  mount_point=no
  while read -r _ _ _ _ mp_point _; do
    case $mp_point in *\\*) mp_point=$(printf '%b' "$mp_point") ;; esac
    if [ "$mp_point" = "$mp_real" ]; then mount_point=yes; fi
  done </proc/self/mountinfo
}

# The room on the filesystem of directory $1 that an unprivileged user may
# take, in KiB; nothing when df cannot say.
free_kb() {
  df -Pk -- "$1" 2>/dev/null | awk 'NR == 2 && $4 ~ /^[0-9]+$/ { print $4 }'
}
