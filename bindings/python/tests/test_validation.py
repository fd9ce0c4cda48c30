"""EventValidator: the shared rule vectors and example streams, SSE framing, state, messages, bad input."""
import json
import os
import threading

import pytest

import agstate
from conftest import ROOT

VECTORS = os.path.join(ROOT, "test-vectors", "events")
with open(os.path.join(VECTORS, "rules.json"), encoding="utf-8") as f:
    CASES = json.load(f)["cases"]
STREAMS = ["agentic_chat", "tool_calls", "human_in_the_loop", "shared_state", "predictive_state_updates",
           "multiple_runs"]


def run(lines, profile):
    v = agstate.EventValidator(profile)
    for line in lines:
        v.feed(line)
    v.finalize()
    return v.findings


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] + c.get("pointer", "") for c in CASES])
def test_rule_vectors(case):
    found = run(case["trigger"], case["profile"])
    assert any(f["rule"] == case["rule"] and f["pointer"] == case.get("pointer", f["pointer"]) for f in found), found
    clean = run(case["clean"], case["profile"])
    assert case["rule"] not in [f["rule"] for f in clean]
    assert all(f["severity"] == "info" for f in clean), clean


@pytest.mark.parametrize("name", STREAMS)
@pytest.mark.parametrize("profile", ["client", "strict"])
def test_documented_examples_validate_clean(name, profile):
    with open(os.path.join(VECTORS, "streams", name + ".ndjson"), "rb") as f:
        data = f.read()
    with agstate.EventValidator(profile) as v:
        # Advice (information) is allowed: CopilotKit's PredictState custom event has no namespace.
        assert [f for f in v.feed_stream(data) if f["severity"] != "info"] == []
        assert v.finalize() == []
        assert v.counts["events"] == data.count(b"\n")


def test_finding_shape_and_dict_input():
    v = agstate.EventValidator("strict")
    assert v.feed({"type": "RUN_STARTED", "threadId": "t", "runId": "r", "timestamp": 1}) == []
    assert v.feed({"type": "STATE_SNAPSHOT", "snapshot": {"a": 1}}) == []
    found = v.feed({"type": "STATE_DELTA", "delta": [{"op": "remove", "path": "/zz"}]})
    assert found == [{"rule": "state.delta-failed", "severity": "error", "message": found[0]["message"],
                      "eventIndex": 2, "pointer": "/delta/0"}]
    assert v.state == {"a": 1}
    end = v.finalize()
    assert [(f["rule"], f["eventIndex"], f["pointer"]) for f in end] == [("run.unterminated", -1, None)]
    assert len(v.findings) == 2
    assert not v.ok


def test_bad_lines_are_findings_not_exceptions():
    v = agstate.EventValidator()
    for bad in ["", "nope", b"\xff\xfe", "[1]", '{"type": 7}', '{"type":"NOPE"}', "{" * 3000]:
        assert v.feed(bad), bad
    assert v.counts["events"] == 7


def test_severity_overrides_and_unknown_rules():
    v = agstate.EventValidator("strict", rules={"text.empty-delta": "error"})
    v.feed('{"type":"RUN_STARTED","threadId":"t","runId":"r"}')
    v.feed('{"type":"TEXT_MESSAGE_START","messageId":"m"}')
    assert [f["severity"] for f in v.feed('{"type":"TEXT_MESSAGE_CONTENT","messageId":"m","delta":""}')] == ["error"]
    with pytest.raises(agstate.InvalidArgument):
        v.set_severity("no.such-rule", "error")
    with pytest.raises(ValueError):
        v.set_severity("text.empty-delta", "fatal")
    with pytest.raises(agstate.InvalidArgument):
        agstate.EventValidator("lenient")


SSE = (b": hello\r\n\r\nevent: message\r\ndata: {\"type\":\"RUN_STARTED\",\r\ndata: \"threadId\":\"t\",\"runId\":\"r\"}\r\n\r\n"
       b"data:{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":{\"n\":1}}\n\n"
       b"id: 2\ndata: {\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]}\r\r"
       b"data: {\"type\":\"RUN_FINISHED\",\"threadId\":\"t\",\"runId\":\"r\",\"timestamp\":1}\n\n")


def test_sse_split_at_every_offset():
    for cut in range(len(SSE) + 1):
        v = agstate.EventValidator("strict")
        v.feed_stream(SSE[:cut])
        v.feed_stream(SSE[cut:])
        assert v.finalize() == [] and v.findings == [], cut
        assert v.counts["events"] == 4
        assert v.state == {"n": 2}


def test_cut_sse_stream_is_reported():
    v = agstate.EventValidator()
    v.feed_stream('data: {"type":"RUN_STARTED","threadId":"t","runId":"r"}\n', format="sse")
    assert [f["rule"] for f in v.finalize()] == ["stream.truncated"]


def test_messages_and_activities_are_rebuilt():
    with open(os.path.join(VECTORS, "streams", "tool_calls.ndjson"), "rb") as f:
        data = f.read()
    v = agstate.EventValidator("client", messages=True)
    v.feed_stream(data)
    v.finalize()
    by_id = {m["id"]: m for m in v.messages}
    assert by_id["msg-1"]["content"] == "Let me check the weather."
    assert [c["function"]["arguments"] for c in by_id["msg-1"]["toolCalls"]] == ['{"city":"Paris"}', '{"tz":"CET"}']
    assert by_id["msg-3"]["content"] == "It is 21 degrees in Paris."
    assert by_id["msg-2"] == {"id": "msg-2", "role": "tool", "toolCallId": "call-1", "content": '{"temp":21}'}
    s = agstate.EventValidator("strict")
    with open(os.path.join(VECTORS, "streams", "shared_state.ndjson"), "rb") as f:
        s.feed_stream(f.read())
    assert s.activities == {"act-1": {"activityType": "PLAN", "content": {"step": 2, "of": 3}}}
    assert s.state["recipe"]["title"] == "Leek soup"


def test_closed_validator_raises_and_threads_share_one():
    v = agstate.EventValidator()
    v.feed('{"type":"RUN_STARTED","threadId":"t","runId":"r"}')

    def work(k):
        for i in range(200):
            v.feed(f'{{"type":"STEP_STARTED","stepName":"s{k}-{i}"}}')
            v.feed(f'{{"type":"STEP_FINISHED","stepName":"s{k}-{i}"}}')

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert v.findings == [] and v.counts["events"] == 1601
    v.close()
    with pytest.raises(agstate.Closed):
        v.feed("{}")


def test_starting_state_sse_frames_and_profile_case():
    frames = ['data: {"type":"RUN_STARTED","threadId":"t","runId":"r","timestamp":1}\n\n',
              'data: {"type":"STATE_DELTA","delta":[{"op":"replace","path":"/count","value":2}]}\n\n',
              'data: {"type":"RUN_FINISHED","threadId":"t","runId":"r","outcome":{"type":"cancelled"}}\n\n']
    for state in ({"count": 1, "x": [None]}, '{"count":1,"x":[null]}', b'{"count":1,"x":[null]}'):
        with agstate.EventValidator("Strict", initial_state=state) as v:
            assert [v.feed(f) for f in frames] == [[], [], []]
            assert v.finalize() == []
            assert v.state == {"count": 2, "x": [None]}
    with agstate.EventValidator("STRICT") as v:
        found = [f for frame in frames for f in v.feed(frame)]
        assert [(f["rule"], f["severity"]) for f in found] == [("state.delta-before-snapshot", "info")]
        assert v.state == {"count": 2}
    with pytest.raises(agstate.InvalidJSON):
        agstate.EventValidator(initial_state='{"count":')
