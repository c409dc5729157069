# shellcheck shell=bash
# scripts/bench part 3's floor on the primary: what pgpair's apply of
# examples/sandbox.yaml makes there, as bare commands in one ssh session (the
# role, the archive directory, the hba rule, the settings, one restart). Run
# as root with `bash -s`, after a first line setting pw (the password: on
# standard input, never in argv).
set -euo pipefail
cd /
conf=/etc/postgresql/15/main
# shellcheck disable=SC2154 # pw is set by the line before this script
printf "CREATE ROLE replicator REPLICATION LOGIN CONNECTION LIMIT 5 PASSWORD '%s';\n" \
  "${pw//\'/\'\'}" | runuser -u postgres -- psql -q -X -v ON_ERROR_STOP=1
install -d -o postgres -g postgres -m 700 /var/backups/pgsql/archive
echo "host replication replicator 198.18.0.12/32 scram-sha-256" >>"$conf/pg_hba.conf"
cat >>"$conf/postgresql.conf" <<'CONF'
listen_addresses = '*'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f /var/backups/pgsql/archive/%f && cp %p /var/backups/pgsql/archive/%f'
max_wal_senders = 10
CONF
pg_ctlcluster 15 main restart
