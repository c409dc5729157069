# pgpair-config-snapshot: keeps and restores a server's configuration files
# shellcheck shell=sh
# For pgpair's apply (engine/apply/config_snapshot.h), run as root as
#   sh -c SCRIPT pgpair-config-snapshot ACTION COPIES ASIDE FILE...
#   ACTION  save (replace the copies), keep (save only files without a
#           copy) or restore (put the copies back)
#   COPIES  the directory of the copies: each file's copy is there under
#           its absolute path; "FILE.absent" says FILE did not exist
#   ASIDE   restore only: where the replaced versions go, under their
#           absolute paths (nothing is deleted)
#   FILE... the files, by absolute path
# It prints one line per file, "WHAT<TAB>FILE[<TAB>ASIDE]": saved, kept,
# absent (saved as missing), restored, moved (a file that did not exist),
# same (already the copy), none (no copy). Copies keep owner, group and mode;
# every write goes to a temporary file beside its target and is renamed over
# it, so a target holds the old or the new content, never a torn one.

set -e
PGPAIR_ACTION=$1 PGPAIR_COPIES=$2 PGPAIR_ASIDE=$3
shift 3
umask 077
fail() {
  echo "$*" >&2
  exit 1
}

# The directory of absolute path $1 (no trailing "/"), as dirname says it,
# in $parent, by the shell itself: a process each costs more than the copy.
parent_of() {
  parent=${1%/*}
  [ -n "$parent" ] || parent=/
}

# Copies $1 to $2 through a temporary file beside $2.
copy_atomic() {
  parent_of "$2"
  tmp=$(mktemp -- "$parent/.${2##*/}.pgpair-XXXXXX") ||
    fail "cannot create a temporary file beside $2"
  if ! cp -p -- "$1" "$tmp" || ! sync -- "$tmp" || ! mv -f -- "$tmp" "$2"; then
    rm -f -- "$tmp"
    fail "cannot copy $1 to $2"
  fi
  sync -- "$parent"
}

# umask 077: every directory made here, parents included, is root's only.
mkdir -p -- "$PGPAIR_COPIES" || fail "cannot create $PGPAIR_COPIES"
for file in "$@"; do
  copy=$PGPAIR_COPIES$file
  case $PGPAIR_ACTION in
  save | keep)
    if [ "$PGPAIR_ACTION" = keep ] && { [ -e "$copy" ] || [ -e "$copy.absent" ]; }; then
      printf 'kept\t%s\n' "$file"
      continue
    fi
    parent_of "$copy"
    [ -d "$parent" ] || mkdir -p -- "$parent" || fail "cannot create the directory of $copy"
    if [ -e "$file" ]; then
      copy_atomic "$file" "$copy"
      if [ -e "$copy.absent" ]; then rm -f -- "$copy.absent"; fi
      printf 'saved\t%s\n' "$file"
    else
      : >"$copy.absent"
      rm -f -- "$copy"
      printf 'absent\t%s\n' "$file"
    fi
    ;;
  restore)
    # A symlinked file is restored where it points.
    target=$(readlink -f -- "$file") || target=$file
    aside=$PGPAIR_ASIDE$file
    if [ -f "$copy" ]; then
      if [ -e "$target" ] && cmp -s -- "$copy" "$target"; then
        printf 'same\t%s\n' "$file"
        continue
      fi
      if [ -e "$target" ]; then
        mkdir -p -- "$(dirname -- "$aside")" || fail "cannot create the directory of $aside"
        cp -p -- "$target" "$aside" || fail "cannot keep $target as $aside"
      else
        aside=
      fi
      copy_atomic "$copy" "$target"
      printf 'restored\t%s\t%s\n' "$file" "$aside"
    elif [ -e "$copy.absent" ] && [ -e "$target" ]; then
      mkdir -p -- "$(dirname -- "$aside")" || fail "cannot create the directory of $aside"
      cp -p -- "$target" "$aside" || fail "cannot keep $target as $aside"
      rm -f -- "$target"
      sync -- "$(dirname -- "$target")"
      printf 'moved\t%s\t%s\n' "$file" "$aside"
    else
      printf 'none\t%s\n' "$file"
    fi
    ;;
  *)
    fail "unknown action $PGPAIR_ACTION"
    ;;
  esac
done
