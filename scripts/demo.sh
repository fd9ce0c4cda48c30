#!/usr/bin/env bash
# The demo: builds agstate, then runs the C and Python examples: an AG-UI state changed by STATE_DELTA
# patches with a bad delta rejected and the state left unchanged; and a store behind an AG-UI stream
# (subscriptions to STATE_DELTA frames, catching up a client, a transaction, a snapshot restored); and an
# AG-UI event stream validated as it arrives, from C, Python and the command line.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

echo "== C: examples-c/state_delta.c"
"$BUILD/examples-c/state_delta"
echo "== C: examples-c/agent_state.c"
"$BUILD/examples-c/agent_state"
echo "== Python: examples-python/state_delta.py"
"$VENV_PYTHON" "$ROOT/examples-python/state_delta.py"
echo "== Python: examples-python/agent_state.py"
"$VENV_PYTHON" "$ROOT/examples-python/agent_state.py"
echo "== C: examples-c/validate_events.c"
"$BUILD/examples-c/validate_events"
echo "== Python: examples-python/validate_events.py"
"$VENV_PYTHON" "$ROOT/examples-python/validate_events.py"
echo "== Command line: agstate validate / replay"
"$BUILD/bin/agstate" validate --profile strict "$ROOT/test-vectors/events/streams/tool_calls.ndjson"
"$BUILD/bin/agstate" replay "$ROOT/test-vectors/events/streams/shared_state.ndjson"
echo "== C: examples-c/basic_state_sync.c (scripts/examples.sh runs every example in C, Python and Go)"
"$BUILD/examples-c/basic_state_sync"
echo "== Python: examples-python/enhanced_event_handlers.py"
"$VENV_PYTHON" "$ROOT/examples-python/enhanced_event_handlers.py"
