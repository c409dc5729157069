# shellcheck shell=bash
# scripts/bench part 3: pgpair's apply from a fresh pair beside the bare
# commands it stands for (bare-primary.sh, then bare-standby.sh, one ssh
# session each), measured in the same run, each from a reset sandbox, RUNS
# times alternately: the median, and the range. With SIZE_MB > 0 the
# primary is first made SIZE_MB bigger (sandbox fill) and sends at RATE
# (sandbox throttle), so that the clone dominates.
# Target: at most 1.2x (the medians).
#   apply.sh SIZE_MB RATE RUNS
# shellcheck source=scripts/bench.d/lib.sh
. scripts/bench.d/lib.sh

size=${1:-0}
rate=${2:-off}
runs=${3:-1}
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

# One apply by pgpair, its seconds on standard output.
pgpair_run() {
  prepare
  local start
  start=$(now)
  "$PGPAIR" apply --auto-approve "$manifest" >/dev/null 2>&1 || die "pgpair apply failed"
  since "$start"
  "$PGPAIR" check "$manifest" >/dev/null 2>&1 || die "the pair does not stream after pgpair apply"
}

# The same from bare commands.
bare_run() {
  prepare
  local start
  start=$(now)
  { printf 'pw=%q\n' "$password"; cat scripts/bench.d/bare-primary.sh; } |
    bare_ssh pg1 bash -s >/dev/null || die "the bare commands failed on pg1"
  { printf 'pw=%q\n' "$password"; cat scripts/bench.d/bare-standby.sh; } |
    bare_ssh pg2 bash -s >/dev/null || die "the bare clone failed on pg2"
  since "$start"
}

pgpair_times=() bare_times=()
for ((run = 0; run < runs; run++)); do
  seconds=$(pgpair_run) || exit 1
  pgpair_times+=("$seconds")
  seconds=$(bare_run) || exit 1
  bare_times+=("$seconds")
done
read -r pgpair_median pgpair_min pgpair_max < <(printf '%s\n' "${pgpair_times[@]}" | stats)
read -r bare_median bare_min bare_max < <(printf '%s\n' "${bare_times[@]}" | stats)

r=$(ratio "$pgpair_median" "$bare_median")
what="fresh pair"
((size == 0)) || what="primary ${size} MB bigger (sandbox fill), pg1 sending at $rate"
if ((runs == 1)); then
  echo "| $what | 1 | $pgpair_median s | $bare_median s | $r ($(verdict "$r" 1.2) target 1.2x) |"
else
  echo "| $what | $runs | $pgpair_median s ($pgpair_min to $pgpair_max) | $bare_median s ($bare_min to $bare_max) | $r ($(verdict "$r" 1.2) target 1.2x) |"
fi
