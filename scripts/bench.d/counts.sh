# shellcheck shell=bash
# scripts/bench part 2: SSH connections, exec round trips and SQL statements
# per host for plan, check and apply on a converged pair, counted from what
# the hosts logged while each command ran: sshd's log (the sandbox runs it
# with LogLevel VERBOSE: "Accepted publickey" per connection, "Starting
# session: command" per exec) and the server's log with log_statement = all
# (a conf.d file for the measurement, removed after it).
# shellcheck source=scripts/bench.d/lib.sh
. scripts/bench.d/lib.sh

conf_d=/etc/postgresql/15/main/conf.d/zz-pgpair-bench.conf
server_log=/var/log/postgresql/postgresql-15-main.log

sshd_log() { echo "$PGPAIR_SANDBOX_DIR/hosts/$1/live/host.log"; }
lines_of() { wc -l <"$1"; }
server_log_lines() { "$sandbox" exec "$1" sh -c "wc -l <$server_log"; }

log_statements() {
  local host=$1 value=$2
  if [[ $value == on ]]; then
    "$sandbox" exec "$host" sh -c "echo 'log_statement = all' >$conf_d"
  else
    "$sandbox" exec "$host" rm -f "$conf_d"
  fi
  "$sandbox" exec "$host" pg_ctlcluster 15 main reload
}

converged_pair
trap 'log_statements pg1 off; log_statements pg2 off' EXIT
log_statements pg1 on
log_statements pg2 on
sleep 1 # the reload is asynchronous

echo "### 2. Connections, exec round trips and SQL statements on the converged pair (counted)"
echo
echo "| command | exit | pg1: SSH connections | pg1: execs | pg1: SQL statements | pg2: SSH connections | pg2: execs | pg2: SQL statements |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for command in plan check "apply --auto-approve"; do
  declare -A ssh_before=() sql_before=()
  for host in pg1 pg2; do
    ssh_before[$host]=$(lines_of "$(sshd_log "$host")")
    sql_before[$host]=$(server_log_lines "$host")
  done
  status=0
  # shellcheck disable=SC2086 # the command's words
  "$PGPAIR" $command "$manifest" >/dev/null 2>&1 || status=$?
  sleep 0.5 # sshd writes its last lines as the connection closes
  row="| \`pgpair $command\` | $status"
  for host in pg1 pg2; do
    new=$(tail -n "+$((ssh_before[$host] + 1))" "$(sshd_log "$host")")
    connections=$(grep -c '^Accepted publickey' <<<"$new" || true)
    execs=$(grep -c '^Starting session: command' <<<"$new" || true)
    statements=$("$sandbox" exec "$host" sh -c \
      "tail -n +$((sql_before[$host] + 1)) $server_log | grep -c 'LOG:  statement: '" || true)
    row+=" | $connections | $execs | $statements"
  done
  echo "$row |"
done
echo
echo "pg2 is reached as deploy with sudo; a psql session of several statements counts each."
echo
