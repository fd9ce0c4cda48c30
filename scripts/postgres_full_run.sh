#!/usr/bin/env bash
# The full-size shared-store runs (the tests run 4 x 300): 4 processes x 2,000 commits on one store id
# through a private PostgreSQL, then the same with the server stopped (pg_ctl stop -m immediate) at the
# middle and started again. Run after scripts/setup.sh has built build/.
#   scripts/postgres_full_run.sh [PROCESSES] [COMMITS]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROCESSES=${1:-4}
COMMITS=${2:-2000}
source "$ROOT/scripts/servers.sh"
TEST=$ROOT/build/tests-c/test_shared_storage
"$TEST" run "$AGSTATE_TEST_PG_URL" "$PROCESSES" "$COMMITS"
"$TEST" run "$AGSTATE_TEST_PG_URL" "$PROCESSES" "$COMMITS" "$AGSTATE_TEST_PG_STOP" "$AGSTATE_TEST_PG_START" 2>&1 \
  | grep -v "^WARNING:  terminating connection"
