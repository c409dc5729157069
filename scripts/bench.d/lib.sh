# shellcheck shell=bash
# What every part of scripts/bench shares: the sandbox, timing, statistics.
# Sourced by scripts/bench.d/*.sh, from the repository's top directory.

sandbox=tests/sandbox/sandbox
manifest=examples/sandbox.yaml
: "${PGPAIR:=build/pgpair}"
eval "$("$sandbox" env)"
key=$PGPAIR_SANDBOX_KEY
known_hosts=$PGPAIR_SANDBOX_KNOWN_HOSTS

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
  printf 'bench: %s\n' "$*" >&2
  exit 1
}

# Seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# Seconds elapsed since $1 (a now), three decimals.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# "median min max" of the numbers on standard input.
stats() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "- - -"; exit }
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}

# $1 / $2 as "1.23x".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

# "met" or "missed": whether ratio $1 (a number) is at most target $2.
verdict() { awk -v r="${1%x}" -v t="$2" 'BEGIN { print (r <= t ? "met" : "missed") }'; }

# The address of sandbox host $1.
address_of() {
  case $1 in
    pg1) echo "$PGPAIR_SANDBOX_PG1" ;;
    pg2) echo "$PGPAIR_SANDBOX_PG2" ;;
    *) die "no sandbox host $1" ;;
  esac
}

# OpenSSH's client as a person runs it, with the manifest's key and
# known_hosts: `ssh root@HOST COMMAND...`.
bare_ssh() {
  local host=$1
  shift
  ssh -i "$key" -o UserKnownHostsFile="$known_hosts" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -o LogLevel=ERROR "root@$(address_of "$host")" "$@"
}

# Two fresh clusters, then pgpair's apply: the converged pair.
converged_pair() {
  "$sandbox" reset >/dev/null 2>&1 || die "sandbox reset failed"
  "$PGPAIR" apply --auto-approve "$manifest" >/dev/null 2>&1 || die "pgpair apply failed on a fresh pair"
  "$PGPAIR" plan "$manifest" >/dev/null 2>&1 || die "the plan after apply is not empty"
}
