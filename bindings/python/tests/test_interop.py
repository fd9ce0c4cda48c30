"""Interoperability with AG-UI software written elsewhere: the official Python SDK (PyPI ag-ui-protocol: its
models and its EventEncoder) and pydantic-ai's AG-UI adapter, run offline with a function model. Their
streams must validate with no error or warning in the client and strict profiles, their objects must be
accepted wherever agstate takes an event or a JSON value, and a replay with the request's starting state
must reach the state the framework itself ends with."""
import asyncio
import json
import os
import subprocess

import pytest
from ag_ui import core as ag
from ag_ui.encoder import EventEncoder

import agstate
from conftest import ROOT

TOOL = os.environ.get("AGSTATE_TOOL") or os.path.join(ROOT, "build", "bin", "agstate")
PROFILES = ["client", "strict"]


def sdk_run() -> list:
    """One run with every AG-UI 1.0 event type, built from the SDK's own models."""
    state = {"recipe": {"title": "Soup", "ingredients": ["potato"]}}
    messages = [
        ag.SystemMessage(id="s1", content="You cook."),
        ag.DeveloperMessage(id="d1", content="Be brief.", name="ops"),
        ag.UserMessage(id="u1", name="ada", content=[
            ag.TextPart(text="What is in this picture?"),
            ag.ImagePart(source=ag.DataSource(value="iVBORw0KGgo=", mime_type="image/png")),
            ag.DocumentPart(source=ag.UrlSource(value="https://example.com/menu.pdf", mime_type="application/pdf")),
            ag.AudioPart(source=ag.FileSource(value="file-abc", provider="openai")),
        ]),
        ag.AssistantMessage(id="a0", tool_calls=[ag.ToolCall(
            id="c0", function=ag.FunctionCall(name="look", arguments='{"at":"picture"}'))]),
        ag.ToolMessage(id="t0", tool_call_id="c0", content="a leek", error=None),
        ag.ReasoningMessage(id="r0", content="The user wants soup."),
        ag.ActivityMessage(id="act-0", activity_type="PLAN", content={"step": 1}),
    ]
    run_input = ag.RunAgentInput(
        thread_id="th", run_id="run-1", state=state, messages=messages,
        tools=[ag.Tool(name="add_ingredient", description="Adds an ingredient",
                       parameters={"type": "object", "properties": {"name": {"type": "string"}}})],
        context=[ag.Context(description="locale", value="fr-FR")],
        resume=[ag.ResumeEntry(interrupt_id="i0", status="resolved", payload={"ok": True})],
        forwarded_props={"trace": "x"})
    return [
        ag.RunStartedEvent(thread_id="th", run_id="run-1", input=run_input, timestamp=1700000000000),
        ag.StateSnapshotEvent(snapshot=state),
        ag.MessagesSnapshotEvent(messages=messages),
        ag.StepStartedEvent(step_name="plan"),
        ag.ReasoningStartEvent(message_id="r1"),
        ag.ReasoningMessageStartEvent(message_id="r1m", role="reasoning"),
        ag.ReasoningMessageContentEvent(message_id="r1m", delta="Soup needs leeks."),
        ag.ReasoningMessageEndEvent(message_id="r1m"),
        ag.ReasoningMessageChunkEvent(message_id="r1c", delta="And salt."),
        ag.ReasoningEncryptedValueEvent(subtype="message", entity_id="r1m", encrypted_value="b64"),
        ag.ReasoningEndEvent(message_id="r1"),
        ag.StepFinishedEvent(step_name="plan"),
        ag.TextMessageStartEvent(message_id="m1", role="assistant"),
        ag.TextMessageContentEvent(message_id="m1", delta="Adding a leek."),
        ag.TextMessageEndEvent(message_id="m1"),
        ag.ToolCallStartEvent(tool_call_id="c1", tool_call_name="add_ingredient", parent_message_id="m1"),
        ag.ToolCallArgsEvent(tool_call_id="c1", delta='{"name":'),
        ag.ToolCallArgsEvent(tool_call_id="c1", delta='"leek"}'),
        ag.ToolCallEndEvent(tool_call_id="c1"),
        ag.ToolCallResultEvent(message_id="t1", tool_call_id="c1", content="added", role="tool"),
        ag.StateDeltaEvent(delta=[{"op": "add", "path": "/recipe/ingredients/-", "value": "leek"}]),
        ag.ToolCallChunkEvent(tool_call_id="c2", tool_call_name="add_ingredient", parent_message_id="m1", delta='{"name":'),
        ag.ToolCallChunkEvent(tool_call_id="c2", delta='"salt"}'),
        ag.ToolCallResultEvent(message_id="t2", tool_call_id="c2", content=[ag.TextPart(text="added salt")]),
        ag.TextMessageChunkEvent(message_id="m2", role="assistant", delta="Done"),
        ag.TextMessageChunkEvent(delta="."),
        ag.ActivitySnapshotEvent(message_id="act-1", activity_type="PLAN", content={"step": 1, "of": 2}),
        ag.ActivityDeltaEvent(message_id="act-1", activity_type="PLAN", patch=[{"op": "replace", "path": "/step", "value": 2}]),
        ag.RawEvent(event={"type": "response.output_text.delta", "delta": "Done."}, source="openai"),
        ag.CustomEvent(name="acme.progress", value={"pct": 100}),
        ag.SubagentStartedEvent(subagent_run_id="sa1", name="sommelier", description="Picks a wine"),
        ag.TextMessageStartEvent(message_id="m3", role="assistant", subagent_run_id="sa1"),
        ag.TextMessageContentEvent(message_id="m3", delta="A white.", subagent_run_id="sa1"),
        ag.TextMessageEndEvent(message_id="m3", subagent_run_id="sa1"),
        ag.SubagentFinishedEvent(subagent_run_id="sa1", outcome=ag.SubagentFinishedSuccessOutcome()),
        ag.SubagentStartedEvent(subagent_run_id="sa2", name="baker", parent_message_id="m1"),
        ag.SubagentFinishedEvent(subagent_run_id="sa2", outcome=ag.SubagentFinishedSuspendedOutcome(interrupt_ids=["i9"])),
        ag.SubagentStartedEvent(subagent_run_id="sa3", name="grocer"),
        ag.SubagentErrorEvent(subagent_run_id="sa3", message="out of stock", code="stock"),
        ag.RunFinishedEvent(thread_id="th", run_id="run-1", result={"ok": True},
                            outcome=ag.RunFinishedSuccessOutcome(pending_tool_call_ids=["c9"]),
                            usage=[ag.TokenUsage(provider="openai", model="gpt-x", input_tokens=120, output_tokens=30,
                                                 total_tokens=150, reasoning_tokens=10, cached_input_tokens=100,
                                                 cache_write_input_tokens=0)],
                            timestamp=1700000000900),
    ]


def sdk_later_runs() -> list:
    """A cancelled run, an interrupted one, and a failed one, in the same thread."""
    return [
        ag.RunStartedEvent(thread_id="th", run_id="run-2", parent_run_id="run-1"),
        ag.TextMessageStartEvent(message_id="m4", role="assistant"),
        ag.TextMessageEndEvent(message_id="m4"),
        ag.RunFinishedEvent(thread_id="th", run_id="run-2", outcome=ag.RunFinishedCancelledOutcome()),
        ag.RunStartedEvent(thread_id="th", run_id="run-3"),
        ag.RunFinishedEvent(thread_id="th", run_id="run-3", outcome=ag.RunFinishedInterruptOutcome(interrupts=[
            ag.Interrupt(id="i1", reason="approval", message="Buy the wine?", tool_call_id="c1",
                         response_schema={"type": "object", "properties": {"ok": {"type": "boolean"}}},
                         expires_at="2026-12-08T00:00:00Z", metadata={"cost": 12})])),
        ag.RunStartedEvent(thread_id="th", run_id="run-4"),
        ag.RunErrorEvent(message="model unavailable", code="unavailable",
                         usage=[ag.TokenUsage(provider="anthropic", model="claude", input_tokens=5)]),
    ]


def sdk_events() -> list:
    return sdk_run() + sdk_later_runs()


def problems(findings):
    return [f for f in findings if f["severity"] != "info"]


def test_the_sdk_covers_every_event_type():
    produced = {e.type.value for e in sdk_events()}
    assert produced == {t.value for t in ag.EventType}


@pytest.mark.parametrize("profile", PROFILES)
def test_sdk_objects_validate_clean(profile):
    with agstate.EventValidator(profile) as v:
        for event in sdk_events():
            assert problems(v.feed(event)) == [], event
        assert problems(v.finalize()) == []
        assert v.counts["error"] == v.counts["warning"] == 0, v.findings
        assert v.state == {"recipe": {"title": "Soup", "ingredients": ["potato", "leek"]}}
        assert v.activities["act-1"] == {"activityType": "PLAN", "content": {"step": 2, "of": 2}}


@pytest.mark.parametrize("profile", PROFILES)
def test_sdk_encoder_frames_validate_clean_one_by_one_and_as_a_stream(profile):
    encoder = EventEncoder()
    frames = [encoder.encode(e) for e in sdk_events()]
    with agstate.EventValidator(profile.upper()) as v:
        for frame in frames:
            assert problems(v.feed(frame)) == [], frame
        v.finalize()
        assert v.counts["events"] == len(frames) and v.counts["error"] == v.counts["warning"] == 0, v.findings
    with agstate.EventValidator(profile) as v:
        v.feed_stream("".join(frames))
        v.finalize()
        assert v.counts["events"] == len(frames) and v.counts["error"] == v.counts["warning"] == 0, v.findings


SHAPE_CASES = [c for c in json.load(open(os.path.join(ROOT, "test-vectors", "events", "rules.json"), encoding="utf-8"))["cases"]
               if "pointer" in c and c["rule"].startswith("field.")]


@pytest.mark.parametrize("case", SHAPE_CASES, ids=[c["pointer"] for c in SHAPE_CASES])
def test_the_sdk_models_agree_with_the_nested_shape_vectors(case):
    """The SDK's models (generated from the 1.0 JSON Schema) reject an event of each trigger and accept
    every event of each clean stream: the vectors read the schema as its authors do."""
    from pydantic import TypeAdapter, ValidationError
    events = TypeAdapter(ag.Event)

    def rejected(line):
        try:
            events.validate_json(line)
            return False
        except ValidationError:
            return True

    assert any(rejected(line) for line in case["trigger"])
    assert not any(rejected(line) for line in case["clean"])


def test_the_cancelled_outcome_ends_the_run():
    v = agstate.EventValidator("strict")
    for e in sdk_later_runs()[:4]:
        v.feed(e)
    assert [f["rule"] for f in v.finalize()] == ["stream.no-timestamps"]


def test_sdk_objects_are_accepted_wherever_agstate_takes_json():
    delta = ag.StateDeltaEvent(delta=[{"op": "add", "path": "/b", "value": 2}])
    assert agstate.encode_sse(delta) == EventEncoder().encode(delta)
    with agstate.Store({"a": 1}) as store:
        store.apply_event(ag.StateSnapshotEvent(snapshot={"a": 5}))
        store.apply_event(delta)
        assert store.get() == {"a": 5, "b": 2}
        store.patch([{"op": "add", "path": "/part", "value": ag.TextPart(text="x")}])
        assert store.get("/part") == {"type": "text", "text": "x"}
        store.set("/message", ag.UserMessage(id="u", content="hi"))
        assert store.get("/message") == {"id": "u", "role": "user", "content": "hi"}


# -- pydantic-ai ------------------------------------------------------------------------------------

STARTING_STATE = {"title": "Soup", "ingredients": ["potato"], "servings": 2}


def pydantic_ai_run():
    """A pydantic-ai AG-UI run (function model, offline): the model calls a tool that changes the shared
    state and says so with a STATE_DELTA against the request's state, then answers. Returns the SSE
    frames the adapter wrote and the state the framework ends with."""
    from pydantic import BaseModel
    from pydantic_ai import Agent, RunContext, ToolReturn
    from pydantic_ai.models.function import DeltaToolCall, FunctionModel
    from pydantic_ai.ui import StateDeps
    from pydantic_ai.ui.ag_ui import AGUIAdapter

    class Recipe(BaseModel):
        title: str = ""
        ingredients: list = []
        servings: int = 1

    async def model(messages, info):
        if len(messages) == 1:
            yield {0: DeltaToolCall(name="add_ingredient", json_args='{"name": ', tool_call_id="call-1")}
            yield {0: DeltaToolCall(json_args='"leek"}')}
        else:
            yield "Added "
            yield "a leek."

    agent = Agent(FunctionModel(stream_function=model), deps_type=StateDeps[Recipe])

    @agent.tool
    def add_ingredient(ctx: RunContext[StateDeps[Recipe]], name: str) -> ToolReturn:
        ctx.deps.state.ingredients.append(name)
        ctx.deps.state.servings += 1
        return ToolReturn(return_value=f"added {name}", metadata=[ag.StateDeltaEvent(delta=[
            {"op": "add", "path": "/ingredients/-", "value": name},
            {"op": "replace", "path": "/servings", "value": ctx.deps.state.servings}])])

    run_input = ag.RunAgentInput(thread_id="th", run_id="run-1", state=STARTING_STATE,
                                 messages=[ag.UserMessage(id="u1", content="Add a leek")], tools=[], context=[])
    adapter = AGUIAdapter(agent=agent, run_input=run_input)
    deps = StateDeps(Recipe())

    async def collect():
        return [frame async for frame in adapter.encode_stream(adapter.run_stream(deps=deps))]

    frames = asyncio.run(collect())
    return frames, deps.state.model_dump()


@pytest.fixture(scope="module")
def pydantic_ai_stream(tmp_path_factory):
    frames, final = pydantic_ai_run()
    work = tmp_path_factory.mktemp("pydantic_ai")
    stream, state = work / "run.sse", work / "state.json"
    stream.write_text("".join(frames))
    state.write_text(json.dumps(STARTING_STATE))
    return frames, final, str(stream), str(state)


def test_pydantic_ai_run_has_a_tool_call_and_a_delta(pydantic_ai_stream):
    frames, final, _, _ = pydantic_ai_stream
    types = [json.loads(f[len("data: "):])["type"] for f in frames]
    assert "TOOL_CALL_START" in types and "STATE_DELTA" in types and "STATE_SNAPSHOT" not in types
    assert types[0] == "RUN_STARTED" and types[-1] == "RUN_FINISHED"
    assert final == {"title": "Soup", "ingredients": ["potato", "leek"], "servings": 3}


@pytest.mark.parametrize("profile", PROFILES)
def test_pydantic_ai_run_validates_clean_with_its_starting_state(pydantic_ai_stream, profile):
    frames, final, _, _ = pydantic_ai_stream
    with agstate.EventValidator(profile, initial_state=STARTING_STATE) as v:
        for frame in frames:
            assert v.feed(frame) == [], frame
        assert v.finalize() == []
        assert v.counts["error"] == v.counts["warning"] == 0 and v.counts["info"] == 0, v.findings
        assert v.state == final


@pytest.mark.parametrize("profile", PROFILES)
def test_pydantic_ai_run_without_its_starting_state_has_no_error(pydantic_ai_stream, profile):
    frames, _, _, _ = pydantic_ai_stream
    with agstate.EventValidator(profile) as v:
        v.feed_stream("".join(frames))
        v.finalize()
        assert v.counts["error"] == v.counts["warning"] == 0, v.findings
        if profile == "strict":
            assert [f["rule"] for f in v.findings] == ["state.delta-before-snapshot"]


def test_replay_with_the_starting_state_reaches_the_framework_state(pydantic_ai_stream):
    _, final, stream, state = pydantic_ai_stream
    for profile in PROFILES:
        out = subprocess.run([TOOL, "replay", "--profile", profile, "--state", state, stream],
                             capture_output=True, text=True, check=True)
        replayed = json.loads(out.stdout)
        assert replayed["state"] == final
        assert "stateBase" not in replayed and out.stderr == ""
        # pydantic-ai's RUN_STARTED carries no input: the messages are those the run streamed.
        assert [m["role"] for m in replayed["messages"]] == ["assistant", "tool", "assistant"]
        assert replayed["messages"][0]["toolCalls"][0]["function"] == {"name": "add_ingredient", "arguments": '{"name": "leek"}'}
    check = subprocess.run([TOOL, "validate", "--profile", "strict", "--fail-on", "info", "--state", state, stream],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_replay_without_the_starting_state_says_the_base_was_unknown(pydantic_ai_stream):
    _, _, stream, _ = pydantic_ai_stream
    out = subprocess.run([TOOL, "replay", stream], capture_output=True, text=True, check=True)
    replayed = json.loads(out.stdout)
    assert replayed["stateBase"] == "unknown" and replayed["deltasWithoutBase"] == 1
    assert "--state" in out.stderr
    check = subprocess.run([TOOL, "validate", "--profile", "strict", stream], capture_output=True, text=True)
    assert check.returncode == 0 and "state.delta-before-snapshot" in check.stdout


def pydantic_ai_cancelled_run():
    """A pydantic-ai run cancelled while its model streams, for a client that declared AG-UI 1.0: it ends
    with RUN_FINISHED {"outcome": {"type": "cancelled"}} and the usage so far."""
    from pydantic_ai import Agent, CancellationToken
    from pydantic_ai.models.function import FunctionModel
    from pydantic_ai.ui.ag_ui import AGUIAdapter

    token = CancellationToken()

    async def model(messages, info):
        yield "Thinking about "
        token.cancel()
        await asyncio.sleep(0.05)
        yield "soup"

    agent = Agent(FunctionModel(stream_function=model))
    run_input = ag.RunAgentInput(thread_id="th", run_id="run-9", protocol_version="1.0",
                                 messages=[ag.UserMessage(id="u1", content="Soup?")])
    adapter = AGUIAdapter(agent=agent, run_input=run_input, include_usage=True)

    async def collect():
        return [frame async for frame in adapter.encode_stream(adapter.run_stream(cancellation_token=token))]

    return asyncio.run(collect())


@pytest.mark.parametrize("profile", PROFILES)
def test_pydantic_ai_cancelled_run_validates_clean(profile):
    frames = pydantic_ai_cancelled_run()
    last = json.loads(frames[-1][len("data: "):])
    assert last["type"] == "RUN_FINISHED" and last["outcome"] == {"type": "cancelled"} and last["usage"]
    with agstate.EventValidator(profile) as v:
        v.feed_stream("".join(frames))
        assert v.finalize() == []
        assert v.findings == [], v.findings
