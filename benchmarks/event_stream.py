"""A long, realistic AG-UI event stream, generated deterministically: runs of chat turns, each a streamed
text message (mostly TEXT_MESSAGE_CONTENT), a streamed tool call (mostly TOOL_CALL_ARGS) with its result,
and a STATE_DELTA against the state the run's STATE_SNAPSHOT established."""
import json
import random

WORDS = ("the agent reads the file and then writes a short summary of what it found in every section "
         "while the user waits for the final answer with some patience").split()


def _id(rng, prefix):
    return f"{prefix}-{rng.getrandbits(64):016x}-{rng.getrandbits(64):016x}"


def make_stream(target_events=200_000, seed=7):
    """Returns (ndjson_bytes, event_count)."""
    rng = random.Random(seed)
    lines = []

    def emit(**event):
        lines.append(json.dumps(event, separators=(",", ":"), ensure_ascii=False))

    run = 0
    while len(lines) < target_events:
        run += 1
        thread, run_id = "thread-1", _id(rng, "run")
        emit(type="RUN_STARTED", threadId=thread, runId=run_id, timestamp=1_700_000_000_000 + run)
        emit(type="STATE_SNAPSHOT", snapshot={"turn": 0, "status": "working", "items": [{"id": i, "done": False} for i in range(20)]})
        for turn in range(10):
            message = _id(rng, "msg")
            emit(type="TEXT_MESSAGE_START", messageId=message, role="assistant")
            for _ in range(40):
                emit(type="TEXT_MESSAGE_CONTENT", messageId=message, delta=" " + rng.choice(WORDS))
            emit(type="TEXT_MESSAGE_END", messageId=message)
            call = _id(rng, "call")
            emit(type="TOOL_CALL_START", toolCallId=call, toolCallName="write_document", parentMessageId=message)
            args = json.dumps({"title": "Report", "body": " ".join(rng.choice(WORDS) for _ in range(60))})
            step = max(1, len(args) // 25)
            for k in range(0, len(args), step):
                emit(type="TOOL_CALL_ARGS", toolCallId=call, delta=args[k:k + step])
            emit(type="TOOL_CALL_END", toolCallId=call)
            emit(type="TOOL_CALL_RESULT", messageId=_id(rng, "msg"), toolCallId=call, content="done", role="tool")
            emit(type="STATE_DELTA", delta=[{"op": "replace", "path": "/turn", "value": turn + 1},
                                            {"op": "replace", "path": f"/items/{turn}/done", "value": True}])
        emit(type="RUN_FINISHED", threadId=thread, runId=run_id)
    return ("\n".join(lines) + "\n").encode(), len(lines)
