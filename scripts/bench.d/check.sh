# shellcheck shell=bash
# scripts/bench part 4: `pgpair check` over many manifests at once (the
# fleet check: `check --jobs N M1 M2 ...`), beside the same logins done as
# bare `ssh HOST true` at the same concurrency, in the same run; wall time,
# pgpair's peak memory and its CPU time per pair (/usr/bin/time -v).
# 1 to 8 pairs are real ones: the sandbox grows to 16 hosts
# (PGPAIR_SANDBOX_HOSTS), pair k is pg(2k-1) and pg(2k), each converged by
# its own apply first. 64 and 256 pairs are copies of examples/sandbox.yaml
# under other pair names (pg1 and pg2 every time), as many as no machine of
# this size holds. Target for 256 pairs: at most 1.5x the bare logins. The
# sandbox is back to its two hosts at the end.
#   check.sh PGPAIR_WITH_FLEET_CHECK JOBS
# shellcheck source=scripts/bench.d/lib.sh
. scripts/bench.d/lib.sh

fleet=$1
jobs=${2:-8}
real_pairs=8
dir=$(mktemp -d /tmp/pgpair-bench-fleet.XXXXXX)
back_to_two_hosts() {
  rm -rf "$dir"
  PGPAIR_SANDBOX_HOSTS=2 "$sandbox" up >/dev/null 2>&1 || say "sandbox up (back to two hosts) failed"
}
trap back_to_two_hosts EXIT

# Pair k of the real ones: examples/sandbox.yaml with pg1 and pg2 given the
# addresses of pg(2k-1) and pg(2k) (the hosts keep their names in the
# manifest; only where they are changes).
host_address() { echo "198.18.0.$((10 + $1))"; }
for ((k = 1; k <= real_pairs; k++)); do
  sed -e "s/^pair: sandbox$/pair: real-$k/" \
    -e "s/address: 198\.18\.0\.11$/address: $(host_address $((2 * k - 1)))/" \
    -e "s/address: 198\.18\.0\.12$/address: $(host_address $((2 * k)))/" \
    "$manifest" >"$dir/real-$k.yaml"
done
for ((i = 1; i <= 256; i++)); do
  sed "s/^pair: sandbox$/pair: bench-$i/" "$manifest" >"$dir/bench-$i.yaml"
done

say "growing the sandbox to $((2 * real_pairs)) hosts and converging $real_pairs pairs"
export PGPAIR_SANDBOX_HOSTS=$((2 * real_pairs))
"$sandbox" up >/dev/null 2>&1 || die "sandbox up with $PGPAIR_SANDBOX_HOSTS hosts failed"
"$sandbox" reset >/dev/null 2>&1 || die "sandbox reset of $PGPAIR_SANDBOX_HOSTS hosts failed"
# Four at a time, one after the other in each of four lines: each clones a
# standby, and the hosts share two cores.
converge() {
  "$fleet" apply --auto-approve "$1" >"$1.apply" 2>&1 || {
    say "apply of $1 failed: $(tail -5 "$1.apply")"
    return 1
  }
}
pids=()
for ((k = 1; k <= real_pairs; k += 2)); do
  { converge "$dir/real-$k.yaml" && converge "$dir/real-$((k + 1)).yaml"; } &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || die "the real pairs could not be converged"; done

# The logins of `count` pairs as bare ssh, `jobs` at once; the addresses of
# pair i come from `address_of_pair i`.
bare_logins() {
  local count=$1 address_of_pair=$2 i
  for ((i = 1; i <= count; i++)); do "$address_of_pair" "$i"; done |
    xargs -P "$jobs" -I ADDRESS ssh -i "$key" -o UserKnownHostsFile="$known_hosts" \
      -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR root@ADDRESS true
}
real_pair_addresses() { printf '%s\n' "$(host_address $((2 * $1 - 1)))" "$(host_address $((2 * $1)))"; }
sandbox_pair_addresses() { printf '%s\n' "$PGPAIR_SANDBOX_PG1" "$PGPAIR_SANDBOX_PG2"; }

# One row: `check` of the first `count` manifests named PREFIX-i.yaml.
row() {
  local count=$1 prefix=$2 address_of_pair=$3 manifests=() i status=0 start wall rss_kb cpu
  for ((i = 1; i <= count; i++)); do manifests+=("$dir/$prefix-$i.yaml"); done
  start=$(now)
  /usr/bin/time -v -o "$dir/time.txt" "$fleet" check --jobs "$jobs" "${manifests[@]}" \
    >"$dir/out.txt" 2>&1 || status=$?
  wall=$(since "$start")
  ((status == 0)) || die "check of $count pairs exited $status: $(tail -3 "$dir/out.txt")"
  rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time.txt")
  cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$dir/time.txt")
  per_pair=$(awk -v c="$cpu" -v n="$count" 'BEGIN { printf "%.3f", c / n }')
  start=$(now)
  bare_logins "$count" "$address_of_pair"
  bare=$(since "$start")
  r=$(ratio "$wall" "$bare")
  target=""
  ((count != 256)) || target=" ($(verdict "$r" 1.5) target 1.5x)"
  echo "| $count | $4 | $wall s | $((rss_kb / 1024)) MB | $per_pair s | $bare s | $r$target |"
}

echo "### 4. \`check\` over many pairs (--jobs $jobs), beside the same logins as bare \`ssh HOST true\`"
echo
echo "1 to 8 pairs are real: pair k is its own two sandbox hosts, pg(2k-1) and pg(2k), converged. 64 and 256 are pg1 and pg2 under other pair names."
echo
echo "| pairs | hosts | pgpair check wall | peak memory | CPU per pair | bare ssh true x 2 per pair, $jobs at once | ratio |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for pairs in 1 2 4 8; do
  row "$pairs" real real_pair_addresses "$((2 * pairs)) of their own"
done

# The other hosts go; pg1 and pg2 become the one pair every copy names.
export PGPAIR_SANDBOX_HOSTS=2
PGPAIR=$fleet converged_pair
for pairs in 64 256; do
  row "$pairs" bench sandbox_pair_addresses "pg1 and pg2"
done
echo
