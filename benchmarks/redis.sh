#!/usr/bin/env bash
# Commits per second through Redis from 1 and 4 processes (each on a store of its own), beside
# redis-benchmark with as many clients on the same private server in the same run (the limit): SET, and an
# EVAL doing what a commit's script does (a version counter, an XADD of a ~100-byte change, a PUBLISH).
# SET runs again after agstate (the disk's sync latency drifts on a shared machine). The server is
# scripts/servers.sh's (a Unix socket, appendonly yes), measured with appendfsync always (its setting for
# the tests: every write synced before it is acknowledged) and then everysec.
#   benchmarks/redis.sh [SECONDS]   (after scripts/setup.sh has built build/)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_EACH=${1:-10}
source "$ROOT/scripts/servers.sh"
SOCKET=$SERVERS_DIR/redis.sock
SCRIPT="local v = redis.call('HINCRBY', KEYS[1], 'version', 1) redis.call('XADD', KEYS[2], v .. '-0', 'd', ARGV[1], 'w', ARGV[2]) redis.call('PUBLISH', 'bench', v) return 1"
CHANGE='[{"op":"replace","path":"/n","value":12345},{"op":"add","path":"/list/-","value":{"p":1,"i":2}}]'
for fsync in always everysec; do
  redis-cli -s "$SOCKET" config set appendfsync $fsync >/dev/null
  echo "== appendfsync $fsync"
  # Requests per client: about as many as a run of SECONDS_EACH allows (a synced write takes milliseconds).
  per_client=$([ $fsync = always ] && echo $((SECONDS_EACH * 150)) || echo $((SECONDS_EACH * 5000)))
  for clients in 1 4; do
    redis-benchmark -s "$SOCKET" -q -n $((per_client * clients)) -c $clients -t set | tr '\r' '\n' | grep -E "^SET: .* requests per second" \
      | sed "s/^/redis-benchmark, $clients client(s): /"
    redis-cli -s "$SOCKET" del bench:meta bench:changes >/dev/null
    redis-benchmark -s "$SOCKET" -q -n $((per_client * clients)) -c $clients eval "$SCRIPT" 2 bench:meta bench:changes "$CHANGE" writer0123456789 \
      | tr '\r' '\n' | grep -E "requests per second" | tail -1 | sed "s/^.*: \([0-9.]*\) requests/EVAL (a commit's work): \1 requests/" \
      | sed "s/^/redis-benchmark, $clients client(s): /"
    "$ROOT/build/benchmarks/bench_shared_storage" "redis+unix://$SOCKET" $clients "$SECONDS_EACH"
    # Again after: on a shared machine the disk's sync latency drifts within a run.
    redis-benchmark -s "$SOCKET" -q -n $((per_client * clients)) -c $clients -t set | tr '\r' '\n' | grep -E "^SET: .* requests per second" \
      | sed "s/^/redis-benchmark again, $clients client(s): /"
  done
done
