# shellcheck shell=bash
# scripts/bench part 3's floor on the standby: the bare clone, as one ssh
# session (stop, move the old data aside, pg_basebackup -R, start, wait
# until it streams). Run as root with `bash -s`, after a first line setting
# pw (the password: on standard input, never in argv).
set -euo pipefail
cd /
data=/var/lib/postgresql/15/main
pg_ctlcluster 15 main stop
mv "$data" "$data.bare-$(date -u +%Y%m%dT%H%M%SZ)"
umask 077
# shellcheck disable=SC2154 # pw is set by the line before this script
printf '198.18.0.11:5432:*:replicator:%s\n' "$pw" >/var/lib/postgresql/.pgpass
chown postgres: /var/lib/postgresql/.pgpass
runuser -u postgres -- pg_basebackup -h 198.18.0.11 -U replicator -D "$data" -X stream -c fast -w -R
pg_ctlcluster 15 main start
for _ in $(seq 1200); do
  state=$(runuser -u postgres -- psql -X -Atc "SELECT status FROM pg_stat_wal_receiver")
  [ "$state" != streaming ] || exit 0
  sleep 0.1
done
echo "bare clone: pg2 does not stream after 120 s" >&2
exit 1
