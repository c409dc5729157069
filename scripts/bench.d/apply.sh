# shellcheck shell=bash
# scripts/bench part 3: pgpair's apply from a fresh pair beside the bare
# commands it stands for (bare-primary.sh, then bare-standby.sh, one ssh
# session each), measured in the same run, each from a reset sandbox.
# With SIZE_MB > 0 the primary is first made SIZE_MB bigger (sandbox fill)
# and sends at RATE (sandbox throttle), so that the clone dominates.
# Target: at most 1.2x.
#   apply.sh SIZE_MB RATE
# shellcheck source=scripts/bench.d/lib.sh
. scripts/bench.d/lib.sh

size=${1:-0}
rate=${2:-off}
password=$(<"$PGPAIR_SANDBOX_REPLICATION_PASSWORD_FILE")

# A reset pair, filled and throttled as asked.
prepare() {
  "$sandbox" reset >/dev/null 2>&1 || die "sandbox reset failed"
  if ((size > 0)); then
    "$sandbox" fill pg1 "$size" >/dev/null || die "sandbox fill pg1 $size failed"
  fi
  "$sandbox" throttle pg1 "$rate" >/dev/null
}
trap '"$sandbox" throttle pg1 off >/dev/null' EXIT

prepare
start=$(now)
"$PGPAIR" apply --auto-approve "$manifest" >/dev/null 2>&1 || die "pgpair apply failed"
pgpair_seconds=$(since "$start")
"$PGPAIR" check "$manifest" >/dev/null 2>&1 || die "the pair does not stream after pgpair apply"

prepare
start=$(now)
{ printf 'pw=%q\n' "$password"; cat scripts/bench.d/bare-primary.sh; } |
  bare_ssh pg1 bash -s >/dev/null || die "the bare commands failed on pg1"
{ printf 'pw=%q\n' "$password"; cat scripts/bench.d/bare-standby.sh; } |
  bare_ssh pg2 bash -s >/dev/null || die "the bare clone failed on pg2"
bare_seconds=$(since "$start")

r=$(ratio "$pgpair_seconds" "$bare_seconds")
what="fresh pair"
((size == 0)) || what="primary ${size} MB bigger (sandbox fill), pg1 sending at $rate"
echo "| $what | $pgpair_seconds s | $bare_seconds s | $r ($(verdict "$r" 1.2) target 1.2x) |"
