#!/usr/bin/env bash
# Commits per second through PostgreSQL from 1 and 4 processes (each on a store of its own), beside
# pgbench's simple-update TPS (-N) with 1 and 4 clients on the same private server in the same run.
#   benchmarks/postgres.sh [SECONDS]   (after scripts/setup.sh has built build/)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_EACH=${1:-10}
source "$ROOT/scripts/servers.sh"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGB=("$PG_BIN/pgbench" -h "$SERVERS_DIR" -U postgres)
"${PGB[@]}" -i -q postgres >/dev/null 2>&1
for clients in 1 4; do
  "${PGB[@]}" -N -c $clients -j $clients -T "$SECONDS_EACH" postgres 2>/dev/null | grep -E "^tps" | sed "s/^/pgbench -N, $clients client(s): /"
  "$ROOT/build/benchmarks/bench_shared_storage" "$AGSTATE_TEST_PG_URL" $clients "$SECONDS_EACH"
done
