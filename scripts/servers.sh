# Sourced by test.sh: starts private database servers for the tests in a temporary folder (PostgreSQL on a
# Unix socket there, as an unprivileged user when run as root) and stops them on exit. Exports
# AGSTATE_TEST_PG_URL, and AGSTATE_TEST_PG_STOP / AGSTATE_TEST_PG_START (commands that stop the server
# with `pg_ctl stop -m immediate` and start it again).
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
