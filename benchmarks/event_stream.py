"""A long, realistic AG-UI event stream, generated deterministically: runs of chat turns, each a streamed
text message (mostly TEXT_MESSAGE_CONTENT), a streamed tool call (mostly TOOL_CALL_ARGS) with its result,
and a STATE_DELTA against the state the run's STATE_SNAPSHOT established."""
import json
import random

WORDS = ("the agent reads the file and then writes a short summary of what it found in every section "
         "while the user waits for the final answer with some patience").split()


def _id(rng, prefix):
    return f"{prefix}-{rng.getrandbits(64):016x}-{rng.getrandbits(64):016x}"


def make_stream(target_events=200_000, seed=7, state_items=20, deltas_per_tool_call=1):
    """Returns (ndjson_bytes, event_count). `state_items` sizes the shared state (a task list; about 180
    bytes an item), `deltas_per_tool_call` how many STATE_DELTA events accompany each tool call's arguments
    (predictive state updates send one per few argument chunks)."""
    rng = random.Random(seed)
    lines = []

    def emit(**event):
        lines.append(json.dumps(event, separators=(",", ":"), ensure_ascii=False))

    run = 0
    while len(lines) < target_events:
        run += 1
        thread, run_id = "thread-1", _id(rng, "run")
        emit(type="RUN_STARTED", threadId=thread, runId=run_id, timestamp=1_700_000_000_000 + run)
        emit(type="STATE_SNAPSHOT", snapshot={
            "turn": 0, "status": "working", "document": "",
            "items": [{"id": i, "title": " ".join(rng.choice(WORDS) for _ in range(8)), "done": False,
                       "tags": ["work", "later"], "notes": " ".join(rng.choice(WORDS) for _ in range(12))}
                      for i in range(state_items)]})
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
            chunks = [args[k:k + step] for k in range(0, len(args), step)]
            every = max(1, len(chunks) // deltas_per_tool_call) if deltas_per_tool_call > 1 else len(chunks) + 1
            for k, chunk in enumerate(chunks):
                emit(type="TOOL_CALL_ARGS", toolCallId=call, delta=chunk)
                if (k + 1) % every == 0:
                    emit(type="STATE_DELTA", delta=[{"op": "replace", "path": "/document", "value": args[:(k + 1) * step]}])
            emit(type="TOOL_CALL_END", toolCallId=call)
            emit(type="TOOL_CALL_RESULT", messageId=_id(rng, "msg"), toolCallId=call, content="done", role="tool")
            emit(type="STATE_DELTA", delta=[{"op": "replace", "path": "/turn", "value": turn + 1},
                                            {"op": "replace", "path": f"/items/{turn % state_items}/done", "value": True}])
        emit(type="RUN_FINISHED", threadId=thread, runId=run_id)
    return ("\n".join(lines) + "\n").encode(), len(lines)
