#!/bin/sh
# The command-line tool: verdicts, output forms and exit statuses (0 clean, 1 findings, 2 tool error).
set -u
TOOL=$1
VECTORS=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
expect() {  # expect STATUS DESCRIPTION COMMAND...
  want=$1; what=$2; shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"
  got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, wanted $want"; cat "$WORK/out" "$WORK/err"; failures=$((failures + 1))
  fi
}
for f in "$VECTORS"/events/streams/*.ndjson; do
  expect 0 "clean $f (strict)" "$TOOL" validate --profile strict "$f"
  expect 0 "clean $f from stdin" sh -c "\"$TOOL\" validate - < \"$f\""
done
printf '%s\n' '{"type":"RUN_STARTED","threadId":"t","runId":"r"}' '{"type":"TEXT_MESSAGE_CONTENT","messageId":"m","delta":"x"}' \
  '{"type":"RUN_FINISHED","threadId":"t","runId":"r"}' > "$WORK/bad.ndjson"
expect 1 "an error finding" "$TOOL" validate "$WORK/bad.ndjson"
grep -q 'event 1 at /messageId: error \[message.not-started\]' "$WORK/out" || { echo "FAIL: human output"; cat "$WORK/out"; failures=$((failures + 1)); }
expect 0 "the rule turned off" "$TOOL" validate --rule message.not-started=off "$WORK/bad.ndjson"
expect 0 "downgraded to a warning" "$TOOL" validate --rule message.not-started=warning "$WORK/bad.ndjson"
expect 1 "failing on warnings" "$TOOL" validate --rule message.not-started=warning --fail-on warning "$WORK/bad.ndjson"
expect 1 "JSON output" "$TOOL" validate --format json "$WORK/bad.ndjson"
grep -q '"rule": "message.not-started"' "$WORK/out" || { echo "FAIL: json output"; cat "$WORK/out"; failures=$((failures + 1)); }
printf 'data: {"type":"RUN_STARTED","threadId":"t","runId":"r"}\r\n\r\n: ping\n\ndata: {"type":"RUN_FINISHED",\ndata: "threadId":"t","runId":"r"}\n\n' > "$WORK/ok.sse"
expect 0 "SSE capture" "$TOOL" validate --profile strict "$WORK/ok.sse"
expect 2 "unknown profile" "$TOOL" validate --profile lenient "$WORK/ok.sse"
expect 2 "unknown rule" "$TOOL" validate --rule no.such=error "$WORK/ok.sse"
expect 2 "missing file" "$TOOL" validate "$WORK/none.ndjson"
expect 2 "no command" "$TOOL"
expect 0 "replay" "$TOOL" replay "$VECTORS/events/streams/shared_state.ndjson"
grep -q '"state":{"recipe":{"title":"Leek soup"' "$WORK/out" || { echo "FAIL: replay state"; cat "$WORK/out"; failures=$((failures + 1)); }
grep -q '"messages":\[{"id":"u1","role":"user","content":"Make soup"}' "$WORK/out" || { echo "FAIL: replay messages"; failures=$((failures + 1)); }
# A stream of deltas against the request's state (no STATE_SNAPSHOT), with and without that state.
printf '%s\n' '{"type":"RUN_STARTED","threadId":"t","runId":"r","timestamp":1}' \
  '{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/count","value":2},{"op":"add","path":"/items/-","value":"b"}]}' \
  '{"type":"RUN_FINISHED","threadId":"t","runId":"r","outcome":{"type":"cancelled"}}' > "$WORK/deltas.ndjson"
printf '{"count":1,"items":["a"]}' > "$WORK/state.json"
expect 0 "deltas with the starting state (strict)" "$TOOL" validate --profile Strict --fail-on info --state "$WORK/state.json" "$WORK/deltas.ndjson"
expect 0 "deltas without it: information only" "$TOOL" validate --profile strict "$WORK/deltas.ndjson"
grep -q 'info \[state.delta-before-snapshot\]' "$WORK/out" || { echo "FAIL: delta before snapshot"; cat "$WORK/out"; failures=$((failures + 1)); }
expect 0 "replay --state" "$TOOL" replay --state "$WORK/state.json" "$WORK/deltas.ndjson"
grep -qx '{"state":{"count":2,"items":\["a","b"\]},"activities":{},"messages":\[\]}' "$WORK/out" || { echo "FAIL: replay --state"; cat "$WORK/out"; failures=$((failures + 1)); }
expect 0 "replay without the starting state" "$TOOL" replay "$WORK/deltas.ndjson"
grep -q '"stateBase":"unknown","deltasWithoutBase":1,"deltasNotApplied":1' "$WORK/out" || { echo "FAIL: replay says the base is unknown"; cat "$WORK/out"; failures=$((failures + 1)); }
grep -q 'give the starting state' "$WORK/err" || { echo "FAIL: replay note"; cat "$WORK/err"; failures=$((failures + 1)); }
printf '{"count":' > "$WORK/bad-state.json"
expect 2 "a starting state that is not JSON" "$TOOL" replay --state "$WORK/bad-state.json" "$WORK/deltas.ndjson"
expect 0 "rules" "$TOOL" rules
[ "$(wc -l < "$WORK/out")" -ge 50 ] || { echo "FAIL: rules list"; failures=$((failures + 1)); }
echo "test_cli: $failures failures"
[ "$failures" = 0 ]
