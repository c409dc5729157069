# shellcheck shell=bash
# scripts/bench part 1: the converged plan beside one `ssh HOST true`, in the
# same run, alternately, RUNS times each. Target: at most 1.3x.
# shellcheck source=scripts/bench.d/lib.sh
. scripts/bench.d/lib.sh

runs=${1:-10}
converged_pair
# One of each first: the page cache and sshd's first fork are not measured.
bare_ssh pg1 true
"$PGPAIR" plan "$manifest" >/dev/null
plan_times=() ssh_times=() kex_times=()
for ((i = 0; i < runs; i++)); do
  start=$(now)
  bare_ssh pg1 true
  ssh_times+=("$(since "$start")")
  start=$(now)
  bare_ssh pg1 -o KexAlgorithms=curve25519-sha256 true
  kex_times+=("$(since "$start")")
  start=$(now)
  "$PGPAIR" plan "$manifest" >/dev/null || die "converged plan run $i did not exit 0"
  plan_times+=("$(since "$start")")
done
read -r plan_median plan_min plan_max < <(printf '%s\n' "${plan_times[@]}" | stats)
read -r ssh_median ssh_min ssh_max < <(printf '%s\n' "${ssh_times[@]}" | stats)
read -r kex_median kex_min kex_max < <(printf '%s\n' "${kex_times[@]}" | stats)
r=$(ratio "$plan_median" "$ssh_median")
rk=$(ratio "$plan_median" "$kex_median")

echo "### 1. Converged plan beside one \`ssh HOST true\` ($runs runs each, alternately)"
echo
echo "| command | runs | median | min | max | pgpair plan / this |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| \`pgpair plan\` on the converged pair (both hosts, login probe) | $runs | $plan_median s | $plan_min s | $plan_max s | |"
echo "| \`ssh root@pg1 true\` (OpenSSH's default key exchange) | $runs | $ssh_median s | $ssh_min s | $ssh_max s | $r ($(verdict "$r" 1.3) target 1.3x) |"
echo "| \`ssh -o KexAlgorithms=curve25519-sha256 root@pg1 true\` (libssh2's) | $runs | $kex_median s | $kex_min s | $kex_max s | $rk |"
echo
