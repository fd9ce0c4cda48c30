"""orjson (when installed) and the standard library's json give the same results and the same errors."""
import dataclasses
import datetime
import enum
import math

import pytest

import agstate
from agstate import _convert

BACKENDS = ["json"] + (["orjson"] if _convert._orjson is not None else [])


@pytest.fixture(params=BACKENDS)
def backend(request):
    assert _convert.use_orjson(request.param == "orjson") == (request.param == "orjson")
    yield request.param
    _convert.use_orjson(True)


class Colour(enum.IntEnum):
    RED = 1


@dataclasses.dataclass
class Point:
    x: int


class Tag(str):
    pass


VALUES = [
    {"a": 1, "b": [1.5, -0.0, 1e16, 1e-7, 2**63 - 1, -2**63, 2**64 - 1, 2**64, 2**70, -2**70], "c": None},
    {"text": "h\u00e9\u20ac\U0001F600\n\"\\", "empty": {}, "list": [], "t": True, "f": False},
    {1: "int key", None: "none key", 2.5: "float key", False: "bool key"},
    [Colour.RED, Tag("sub"), {"n": 12345678901234567890123}],
    list(range(100)),
]
REFUSED = [
    (float("nan"), agstate.InvalidJSON), ([math.inf], agstate.InvalidJSON), ({"a": -math.inf}, agstate.InvalidJSON),
    ({1, 2}, agstate.InvalidArgument), (object(), agstate.InvalidArgument), (Point(1), agstate.InvalidArgument),
    (datetime.date(2026, 1, 1), agstate.InvalidArgument), (b"\xff", None),
]


@pytest.mark.parametrize("value", VALUES)
def test_values_reach_the_engine_alike(backend, value):
    expected = _reference(value)
    with agstate.Store({"v": None}) as store:
        store.set("/v", value)
        assert store.get_json("/v") == expected
        assert store.get("/v") == _convert._json_loads(expected)


def _reference(value):
    _convert.use_orjson(False)
    try:
        with agstate.Store({"v": None}) as store:
            store.set("/v", value)
            return store.get_json("/v")
    finally:
        _convert.use_orjson(True)


@pytest.mark.parametrize("value,error", [r for r in REFUSED if r[1] is not None])
def test_values_json_cannot_hold_are_refused_alike(backend, value, error):
    with agstate.Store() as store:
        with pytest.raises(error):
            store.set("/v", value)
        assert store.version == 0


def test_circular_and_deep_values(backend):
    circular = []
    circular.append(circular)
    with pytest.raises(agstate.InvalidJSON):
        agstate.apply_patch({}, [{"op": "add", "path": "/a", "value": circular}])
    deep = 0
    for _ in range(400):  # deeper than orjson writes: json writes it
        deep = [deep]
    assert agstate.apply_patch({}, [{"op": "add", "path": "/a", "value": deep}])["a"] == deep


def test_long_integers_read_exactly(backend):
    with agstate.Store('{"big": 123456789012345678901234567890, "low": -9223372036854775809}') as store:
        assert store.get() == {"big": 123456789012345678901234567890, "low": -9223372036854775809}
        assert store.get("/big") == 123456789012345678901234567890


def test_event_with_nan_is_a_finding(backend):
    with agstate.EventValidator() as validator:
        findings = validator.feed({"type": "RUN_STARTED", "threadId": "t", "runId": "r", "input": {"x": math.nan}})
        assert [f["rule"] for f in findings] == ["json.invalid"]
        # The rejected event changed nothing: the run has not started.
        assert validator.feed({"type": "RUN_STARTED", "threadId": "t", "runId": "r", "extra": None}) == []
        assert validator.feed({"type": "RUN_FINISHED", "threadId": "t", "runId": "r", "result": None}) == []
