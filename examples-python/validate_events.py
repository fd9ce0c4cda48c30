"""Validating AG-UI events from Python: a stream checked as it arrives (SSE split anywhere), findings as
dicts, severities overridden per rule, the state the deltas build, and the messages rebuilt from events."""
import json

import agstate

events = [
    {"type": "RUN_STARTED", "threadId": "thread-1", "runId": "run-1"},
    {"type": "STATE_SNAPSHOT", "snapshot": {"document": ""}},
    {"type": "TEXT_MESSAGE_START", "messageId": "m1", "role": "assistant"},
    {"type": "TEXT_MESSAGE_CONTENT", "messageId": "m1", "delta": "Writing it now."},
    {"type": "TEXT_MESSAGE_CONTENT", "messageId": "m1", "delta": ""},  # an empty delta: a warning in strict
    {"type": "TEXT_MESSAGE_END", "messageId": "m1"},
    {"type": "TOOL_CALL_START", "toolCallId": "c1", "toolCallName": "write_document", "parentMessageId": "m1"},
    {"type": "TOOL_CALL_ARGS", "toolCallId": "c1", "delta": '{"document": "Once upon a time"}'},
    {"type": "TOOL_CALL_END", "toolCallId": "c1"},
    {"type": "STATE_DELTA", "delta": [{"op": "replace", "path": "/document", "value": "Once upon a time"}]},
    {"type": "TOOL_CALL_RESULT", "messageId": "m2", "toolCallId": "c9", "content": "ok"},  # names no tool call
    {"type": "RUN_FINISHED", "threadId": "thread-1", "runId": "run-1"},
]
sse = "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode()

with agstate.EventValidator("strict", messages=True, rules={"text.empty-delta": "info"}) as validator:
    for at in range(0, len(sse), 50):  # the network's pieces
        for finding in validator.feed_stream(sse[at:at + 50]):
            print(f"event {finding['eventIndex']}: {finding['severity']} [{finding['rule']}] {finding['message']}")
    print("at the end:", validator.finalize())
    print("state:", validator.state)
    print("messages:", [(m["role"], m.get("content")) for m in validator.messages])
    print("counts:", validator.counts)

# One event at a time, as an agent emits them: a bad line is a finding, never an exception.
client = agstate.EventValidator("client")
print(client.feed('{"type": "TEXT_MESSAGE_CONTENT", "messageId": "m1", "delta": "hi"}'))
print(client.feed(b"not json"))
