#!/usr/bin/env bash
# The demo: builds agstate, then runs the C and Python examples: an AG-UI state changed by STATE_DELTA
# patches with a bad delta rejected and the state left unchanged; and a store behind an AG-UI stream
# (subscriptions to STATE_DELTA frames, catching up a client, a transaction, a snapshot restored).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

echo "== C: examples-c/state_delta.c"
"$BUILD/examples-c/state_delta"
echo "== C: examples-c/agent_state.c"
"$BUILD/examples-c/agent_state"
echo "== Python: examples-python/state_delta.py"
"$VENV_PYTHON" "$ROOT/examples-python/state_delta.py"
echo "== Python: examples-python/agent_state.py"
"$VENV_PYTHON" "$ROOT/examples-python/agent_state.py"
