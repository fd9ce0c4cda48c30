#!/usr/bin/env bash
# The demo: builds agstate, then runs the C and Python examples (an AG-UI state changed by STATE_DELTA
# patches, and a bad delta rejected with the state left unchanged).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

echo "== C: examples-c/state_delta.c"
"$BUILD/examples-c/state_delta"
echo "== Python: examples-python/state_delta.py"
"$VENV_PYTHON" "$ROOT/examples-python/state_delta.py"
