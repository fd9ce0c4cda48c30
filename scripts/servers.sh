# Sourced by test.sh: starts private database servers for the tests in a temporary folder (PostgreSQL on a
# Unix socket there, as an unprivileged user when run as root; Redis on a Unix socket there, no TCP port,
# appendonly yes with appendfsync always, so that an acknowledged write survives a kill -9 of the server)
# and stops them on exit. Exports AGSTATE_TEST_PG_URL, AGSTATE_TEST_PG_STOP / AGSTATE_TEST_PG_START
# (commands that stop the server with `pg_ctl stop -m immediate` and start it again), AGSTATE_TEST_REDIS_URL
# and AGSTATE_TEST_REDIS_STOP / AGSTATE_TEST_REDIS_START (kill -9 of the Redis server, and a start that
# waits until it has loaded its append-only file).
SERVERS_DIR=$(mktemp -d /tmp/agstate-servers-XXXXXX)
chmod 755 "$SERVERS_DIR"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$SERVERS_DIR"
  AS_PG=(runuser -u postgres --)
fi
stop_servers() {
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$SERVERS_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  [ -f "$SERVERS_DIR/redis.pid" ] && kill -KILL "$(cat "$SERVERS_DIR/redis.pid")" >/dev/null 2>&1 || true
  rm -rf "$SERVERS_DIR"
}
trap stop_servers EXIT
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$SERVERS_DIR/pg" -A trust -U postgres >"$SERVERS_DIR/initdb.log" 2>&1 \
  || { cat "$SERVERS_DIR/initdb.log" >&2; exit 1; }
PG_START="${AS_PG[*]} $PG_BIN/pg_ctl -D $SERVERS_DIR/pg -l $SERVERS_DIR/pg.log -w -o \"-k $SERVERS_DIR -h '' -c max_connections=200\" start"
eval "$PG_START" >/dev/null
export AGSTATE_TEST_PG_URL="postgresql:///postgres?host=$SERVERS_DIR&user=postgres"
export AGSTATE_TEST_PG_STOP="${AS_PG[*]} $PG_BIN/pg_ctl -D $SERVERS_DIR/pg -m immediate stop >/dev/null"
export AGSTATE_TEST_PG_START="$PG_START >/dev/null"
echo "servers: PostgreSQL on $SERVERS_DIR"

mkdir -p "$SERVERS_DIR/redis"
printf '%s\n' "port 0" "unixsocket $SERVERS_DIR/redis.sock" "unixsocketperm 777" "dir $SERVERS_DIR/redis" \
  "daemonize yes" "pidfile $SERVERS_DIR/redis.pid" "logfile $SERVERS_DIR/redis.log" 'save ""' \
  "appendonly yes" "appendfsync always" >"$SERVERS_DIR/redis.conf"
# Started, then waited for (up to 30 s) until it answers PING, which it does once its append-only file is loaded.
REDIS_PING="redis-cli -s $SERVERS_DIR/redis.sock ping 2>/dev/null | grep -q PONG"
REDIS_START="redis-server $SERVERS_DIR/redis.conf && for i in \$(seq 600); do $REDIS_PING && break; sleep 0.05; done && $REDIS_PING"
eval "$REDIS_START" || { cat "$SERVERS_DIR/redis.log" >&2; exit 1; }
export AGSTATE_TEST_REDIS_URL="redis+unix://$SERVERS_DIR/redis.sock"
# kill -9, then a wait until the process is gone (or a zombie).
export AGSTATE_TEST_REDIS_STOP="pid=\$(cat $SERVERS_DIR/redis.pid) && kill -KILL \$pid && while ps -o stat= -p \$pid | grep -qv Z; do sleep 0.02; done"
export AGSTATE_TEST_REDIS_START="$REDIS_START"
echo "servers: Redis on $SERVERS_DIR/redis.sock"
