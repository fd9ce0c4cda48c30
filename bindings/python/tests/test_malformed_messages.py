"""One JSON grammar through the C ABI: every malformed value of test-vectors/json/malformed.json gets the same
message from ags_json_validate, from the event validator (scanned or parsed whole) and from ags_diff."""
import json
import os

import pytest

import agstate
from conftest import ROOT

with open(os.path.join(ROOT, "test-vectors", "json", "malformed.json"), encoding="utf-8") as f:
    CASES = json.load(f)["cases"]


def text_of(case) -> bytes:
    return bytes.fromhex(case["hex"]) if "hex" in case else case["text"].encode()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_parser(case):
    for text in (text_of(case), b'{"a":[' + text_of(case) + b"]}"):
        with pytest.raises(agstate.InvalidJSON) as error:
            agstate.validate_json(text)
        assert error.value.message.endswith(": " + case["message"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_validator(case):
    value = text_of(case)
    for event in (b'{"type":"CUSTOM","name":"n","value":' + value + b"}",
                  b'{"type":"STATE_DELTA","delta":[{"op":"add","path":"/a","value":' + value + b"}]}"):
        found = [f["message"] for f in agstate.EventValidator("strict").feed(event) if f["rule"] == "json.invalid"]
        assert len(found) == 1 and ": " + case["message"] + " at byte " in found[0], found


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_diff(case):
    broken = b'{"b":1,"a":' + text_of(case) + b"}"
    for a, b in ((broken, b'{"b":2}'), (b'{"b":2}', broken)):
        with pytest.raises(agstate.InvalidJSON) as error:
            agstate.make_patch(a, b)
        assert error.value.message.endswith(": " + case["message"])
