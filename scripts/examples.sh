#!/usr/bin/env bash
# Runs the examples of examples-c/, examples-python/ and bindings/go/examples/ (the same names in all three;
# each exits non-zero when what it shows does not hold), then drives headless Chromium against the Python and
# Go realtime dashboards. --short runs the dashboards for less time (for CI). Called at the end of test.sh,
# which has started the database servers; run alone, it starts them itself (scripts/servers.sh).
set -euo pipefail
SHORT=0
[ "${1:-}" = "--short" ] && SHORT=1
if [ -z "${VENV_PYTHON:-}" ]; then
  source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
fi
cd "$ROOT"
# distributed_state needs PostgreSQL.
if [ -z "${AGSTATE_TEST_PG_URL:-}" ]; then
  source "$ROOT/scripts/servers.sh"
fi

# In the order of the README's list. The C versions leave out what needs a web server.
NAMES=(basic_state_sync collaborative_editing realtime_dashboard distributed_state storage_backends
       monitoring_observability enhanced_event_handlers performance_optimization enhanced_collaborative_editing)
C_SKIPPED="realtime_dashboard monitoring_observability"
DASHBOARD_SECONDS=3
BROWSER_SECONDS=4
if [ "$SHORT" = 1 ]; then DASHBOARD_SECONDS=1.5; BROWSER_SECONDS=3; fi

echo "== Go examples: build"
(cd "$ROOT/bindings/go" && go build -o "$BUILD/examples-go/" ./examples/...)
cmp examples-python/realtime_dashboard.html bindings/go/examples/realtime_dashboard/index.html \
  || { echo "examples: the dashboard page differs between Python and Go" >&2; exit 1; }

for name in "${NAMES[@]}"; do
  args_py=() args_go=()
  if [ "$name" = realtime_dashboard ]; then args_py=(--seconds "$DASHBOARD_SECONDS"); args_go=(-seconds "$DASHBOARD_SECONDS"); fi
  if [[ " $C_SKIPPED " == *" $name "* ]]; then
    echo "== C: $name is not written in C (it needs a web server)"
  else
    echo "== C: $name"
    "$BUILD/examples-c/$name"
  fi
  echo "== Python: $name"
  "$VENV_PYTHON" "examples-python/$name.py" "${args_py[@]}"
  echo "== Go: $name"
  "$BUILD/examples-go/$name" "${args_go[@]}"
done

echo "== Browser: the Python dashboard in headless Chromium"
"$VENV_PYTHON" scripts/dashboard_browser_test.py "$BUILD/realtime_dashboard-python.png" -- \
  "$VENV_PYTHON" examples-python/realtime_dashboard.py --seconds "$BROWSER_SECONDS" --serve 0
echo "== Browser: the Go dashboard in headless Chromium"
"$VENV_PYTHON" scripts/dashboard_browser_test.py "$BUILD/realtime_dashboard-go.png" -- \
  "$BUILD/examples-go/realtime_dashboard" -seconds "$BROWSER_SECONDS" -serve 0
echo "== examples: all passed"
