# shellcheck shell=bash
# scripts/bench part 4: `pgpair check` over many manifests at once (the
# fleet check: `check --jobs N M1 M2 ...`), beside the same logins done as
# bare `ssh HOST true` at the same concurrency, in the same run; wall time,
# pgpair's peak memory and its CPU time per pair (/usr/bin/time -v). The
# sandbox has two hosts: the manifests are copies of examples/sandbox.yaml
# under other pair names, so every pair is pg1 and pg2. Target for 256
# pairs: at most 1.5x the bare logins.
#   check.sh PGPAIR_WITH_FLEET_CHECK JOBS
# shellcheck source=scripts/bench.d/lib.sh
. scripts/bench.d/lib.sh

fleet=$1
jobs=${2:-8}
dir=$(mktemp -d /tmp/pgpair-bench-fleet.XXXXXX)
trap 'rm -rf "$dir"' EXIT
for ((i = 1; i <= 256; i++)); do
  sed "s/^pair: sandbox$/pair: bench-$i/" "$manifest" >"$dir/bench-$i.yaml"
done

PGPAIR=$fleet converged_pair
echo "### 4. \`check\` over many pairs (--jobs $jobs), beside the same logins as bare \`ssh HOST true\`"
echo
echo "Every pair is the sandbox's pg1 and pg2 under another pair name (the sandbox has two hosts)."
echo
echo "| pairs | pgpair check wall | peak memory | CPU per pair | bare ssh true x 2 per pair, $jobs at once | ratio |"
echo "| --- | --- | --- | --- | --- | --- |"
for pairs in 1 2 4 8 64 256; do
  manifests=()
  for ((i = 1; i <= pairs; i++)); do manifests+=("$dir/bench-$i.yaml"); done
  status=0
  start=$(now)
  /usr/bin/time -v -o "$dir/time.txt" "$fleet" check --jobs "$jobs" "${manifests[@]}" \
    >"$dir/out.txt" 2>&1 || status=$?
  wall=$(since "$start")
  ((status == 0)) || die "check of $pairs pairs exited $status: $(tail -3 "$dir/out.txt")"
  rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time.txt")
  cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$dir/time.txt")
  per_pair=$(awk -v c="$cpu" -v n="$pairs" 'BEGIN { printf "%.3f", c / n }')
  start=$(now)
  for ((i = 1; i <= pairs; i++)); do printf '%s\n' "$PGPAIR_SANDBOX_PG1" "$PGPAIR_SANDBOX_PG2"; done |
    xargs -P "$jobs" -I ADDRESS ssh -i "$key" -o UserKnownHostsFile="$known_hosts" \
      -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR root@ADDRESS true
  bare=$(since "$start")
  r=$(ratio "$wall" "$bare")
  target=""
  ((pairs != 256)) || target=" ($(verdict "$r" 1.5) target 1.5x)"
  echo "| $pairs | $wall s | $((rss_kb / 1024)) MB | $per_pair s | $bare s | $r$target |"
done
echo
