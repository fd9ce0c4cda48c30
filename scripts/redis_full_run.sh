#!/usr/bin/env bash
# The full-size shared-store runs through Redis (the tests run 4 x 250): 4 processes x 2,000 commits on one
# store id through a private redis-server (Unix socket, appendonly yes, appendfsync always), then the same
# with the server killed (kill -9) at the middle and started again. Run after scripts/setup.sh has built build/.
#   scripts/redis_full_run.sh [PROCESSES] [COMMITS]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROCESSES=${1:-4}
COMMITS=${2:-2000}
source "$ROOT/scripts/servers.sh"
TEST=$ROOT/build/tests-c/test_shared_storage
"$TEST" run "$AGSTATE_TEST_REDIS_URL" "$PROCESSES" "$COMMITS"
"$TEST" run "$AGSTATE_TEST_REDIS_URL" "$PROCESSES" "$COMMITS" "$AGSTATE_TEST_REDIS_STOP" "$AGSTATE_TEST_REDIS_START"
