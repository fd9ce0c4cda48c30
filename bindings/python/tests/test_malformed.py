"""Malformed input against every entry point: the right error, no crash, and no change to any state."""
import ctypes
import json

import pytest

import agstate
from agstate._native import lib

DEEP = b"[" * 1_000_000 + b"]" * 1_000_000
BIG_STRING = b'"' + b"x" * (10 * 1024 * 1024) + b'"'

# (name, JSON text, the exception it must raise)
BAD_TEXT = [
    ("empty", b"", agstate.InvalidJSON),
    ("whitespace only", b"  \n", agstate.InvalidJSON),
    ("invalid UTF-8", b'{"a":"\xff"}', agstate.InvalidJSON),
    ("overlong UTF-8", b'"\xc0\xaf"', agstate.InvalidJSON),
    ("UTF-8 encoded surrogate", b'"\xed\xa0\x80"', agstate.InvalidJSON),
    ("lone high surrogate escape", b'"\\ud800"', agstate.InvalidJSON),
    ("lone low surrogate escape", b'["\\udc00"]', agstate.InvalidJSON),
    ("high surrogate then letter", b'"\\ud800\\u0041"', agstate.InvalidJSON),
    ("unterminated string", b'{"a":"abc', agstate.InvalidJSON),
    ("unterminated array", b"[1,2", agstate.InvalidJSON),
    ("1,000,000 nested arrays", DEEP, agstate.LimitExceeded),
    ("huge double", b"[1e400]", agstate.InvalidJSON),
    ("tiny double", b"[1e-400]", agstate.InvalidJSON),
    ("NUL byte inside a string", b'"a\x00b"', agstate.InvalidJSON),
    ("NUL byte after the value", b"{}\x00", agstate.InvalidJSON),
    ("duplicate keys", b'{"a":1,"a":2}', agstate.InvalidJSON),
    ("trailing comma", b"[1,]", agstate.InvalidJSON),
    ("comment", b"[1] // c", agstate.InvalidJSON),
    ("NaN", b"NaN", agstate.InvalidJSON),
    ("single quotes", b"{'a':1}", agstate.InvalidJSON),
]

BAD_OPS = [
    ("patch is an object", {"op": "add"}, agstate.InvalidPatch),
    ("patch is a JSON string", "\"add\"", agstate.InvalidPatch),
    ("operation is a number", [1], agstate.InvalidPatch),
    ("operation is null", [None], agstate.InvalidPatch),
    ("op missing", [{"path": "/a", "value": 1}], agstate.InvalidPatch),
    ("op unknown", [{"op": "upsert", "path": "/a", "value": 1}], agstate.InvalidPatch),
    ("op is a number", [{"op": 1, "path": "/a"}], agstate.InvalidPatch),
    ("op is null", [{"op": None, "path": "/a"}], agstate.InvalidPatch),
    ("op is an array", [{"op": ["add"], "path": "/a", "value": 1}], agstate.InvalidPatch),
    ("op is an object", [{"op": {}, "path": "/a", "value": 1}], agstate.InvalidPatch),
    ("op in capitals", [{"op": "ADD", "path": "/a", "value": 1}], agstate.InvalidPatch),
    ("path missing", [{"op": "add", "value": 1}], agstate.InvalidPatch),
    ("path is a number", [{"op": "add", "path": 1, "value": 1}], agstate.InvalidPatch),
    ("path is null", [{"op": "remove", "path": None}], agstate.InvalidPatch),
    ("path is an array", [{"op": "remove", "path": ["a"]}], agstate.InvalidPatch),
    ("path without a slash", [{"op": "add", "path": "a", "value": 1}], agstate.InvalidPointer),
    ("path with a bad escape", [{"op": "add", "path": "/a~2", "value": 1}], agstate.InvalidPointer),
    ("value missing for add", [{"op": "add", "path": "/a"}], agstate.InvalidPatch),
    ("value missing for replace", [{"op": "replace", "path": "/x"}], agstate.InvalidPatch),
    ("value missing for test", [{"op": "test", "path": "/x"}], agstate.InvalidPatch),
    ("from missing for move", [{"op": "move", "path": "/a"}], agstate.InvalidPatch),
    ("from missing for copy", [{"op": "copy", "path": "/a"}], agstate.InvalidPatch),
    ("from is a number", [{"op": "copy", "from": 1, "path": "/a"}], agstate.InvalidPatch),
    ("from is null", [{"op": "move", "from": None, "path": "/a"}], agstate.InvalidPatch),
    ("from is malformed", [{"op": "move", "from": "x", "path": "/a"}], agstate.InvalidPointer),
    ("good op then bad op", [{"op": "add", "path": "/a", "value": 1}, {"op": "nope"}], agstate.InvalidPatch),
    ("remove a missing path", [{"op": "remove", "path": "/missing"}], agstate.PathNotFound),
    ("replace a missing path", [{"op": "replace", "path": "/missing", "value": 1}], agstate.PathNotFound),
    ("add under a missing parent", [{"op": "add", "path": "/no/such", "value": 1}], agstate.PathNotFound),
    ("array index with a leading zero", [{"op": "replace", "path": "/x/01", "value": 1}], agstate.PathNotFound),
    ("array index past the end", [{"op": "add", "path": "/x/9", "value": 1}], agstate.PathNotFound),
    ("move into its own child", [{"op": "move", "from": "/x", "path": "/x/0"}], agstate.InvalidPatch),
    ("test fails after a change", [{"op": "add", "path": "/a", "value": 1}, {"op": "test", "path": "/a", "value": 2}],
     agstate.TestFailed),
    ("remove the root", [{"op": "remove", "path": ""}], agstate.InvalidPointer),
]

START = {"x": [1, 2, 3], "nested": {"k": "v"}}


@pytest.fixture
def store():
    with agstate.Store(START) as s:
        yield s


def unchanged(store):
    assert store.version == 0
    assert store.to_json() == json.dumps(START, separators=(",", ":"))


@pytest.mark.parametrize("name,text,error", BAD_TEXT, ids=[c[0] for c in BAD_TEXT])
def test_bad_text_everywhere(name, text, error, store):
    calls = [
        lambda: agstate.validate_json(text),
        lambda: agstate.format_json(text),
        lambda: agstate.json_equal(text, b"1"),
        lambda: agstate.json_equal(b"1", text),
        lambda: agstate.apply_patch(text, b"[]"),
        lambda: agstate.apply_patch(b"{}", text),
        lambda: agstate.merge_patch(text, b"{}"),
        lambda: agstate.merge_patch(b"{}", text),
        lambda: agstate.resolve_pointer(text, ""),
        lambda: agstate.Store(text),
        lambda: store.set_json("/nested/k", text),
        lambda: store.patch(text),
        lambda: store.merge(text),
    ]
    for call in calls:
        with pytest.raises(error):
            call()
    unchanged(store)


@pytest.mark.parametrize("name,ops,error", BAD_OPS, ids=[c[0] for c in BAD_OPS])
def test_bad_patches(name, ops, error, store):
    with pytest.raises(error) as raised:
        store.patch(ops)
    unchanged(store)
    with pytest.raises(error):
        agstate.apply_patch(START, ops)
    if isinstance(ops, list) and len(ops) > 1:
        assert raised.value.op_index == len(ops) - 1


@pytest.mark.parametrize("pointer,error", [
    ("a", agstate.InvalidPointer), ("/a~", agstate.InvalidPointer), ("/~2", agstate.InvalidPointer),
    ("#/x", agstate.InvalidPointer), ("/missing", agstate.PathNotFound), ("/x/3", agstate.PathNotFound),
    ("/x/-", agstate.PathNotFound), ("/x/01", agstate.PathNotFound), ("/nested/k/deeper", agstate.PathNotFound),
    ("/\ud800", agstate.InvalidPointer), (None, agstate.InvalidArgument), (5, agstate.InvalidArgument),
])
def test_bad_pointers_everywhere(pointer, error, store):
    for call in [lambda: store.get(pointer), lambda: store.get_json(pointer), lambda: store.remove(pointer),
                 lambda: agstate.resolve_pointer(START, pointer)]:
        with pytest.raises(error):
            call()
    if error is not agstate.PathNotFound:
        for call in [lambda: store.set(pointer, 1), lambda: store.add(pointer, 1)]:
            with pytest.raises(error):
                call()
    unchanged(store)


@pytest.mark.parametrize("value,error", [
    (float("nan"), agstate.InvalidJSON), (float("inf"), agstate.InvalidJSON), (object(), agstate.InvalidArgument),
    ({1j: 1}, agstate.InvalidArgument), ("\ud800", agstate.InvalidJSON),
])
def test_values_that_are_not_json(value, error, store):
    with pytest.raises(error):
        store.set("/nested/k", value)
    with pytest.raises(error):
        agstate.apply_patch(START, [{"op": "add", "path": "/v", "value": value}])
    unchanged(store)


def test_none_and_wrong_types():
    for call in [lambda: agstate.format_json(None), lambda: agstate.validate_json(42),
                 lambda: agstate.Store({}).set_json("/a", None)]:
        with pytest.raises(agstate.InvalidArgument):
            call()
    # None is JSON null where a value is expected.
    assert agstate.apply_patch(None, [{"op": "replace", "path": "", "value": 1}]) == 1
    with agstate.Store(None) as s:
        assert s.get() == {}
        with pytest.raises(agstate.InvalidPatch):
            s.patch(None)
        assert s.version == 0


def test_large_inputs_are_accepted_within_limits(store):
    assert agstate.validate_json(BIG_STRING) is None
    assert store.set_json("/big", BIG_STRING) == 1
    assert len(store.get("/big")) == 10 * 1024 * 1024
    old = agstate.max_input_bytes(1024)
    try:
        with pytest.raises(agstate.LimitExceeded):
            agstate.validate_json(BIG_STRING)
    finally:
        agstate.max_input_bytes(old)


def test_numbers_survive_exactly():
    for n in [2**63 - 1, -(2**63), 2**64, -(2**64) - 1, 10**40, 0.1, 5e-324, 1.7976931348623157e308, -0.0]:
        assert agstate.apply_patch({"n": 0}, [{"op": "replace", "path": "/n", "value": n}])["n"] == n
    assert agstate.format_json("[123456789012345678901234567890, 1.0, 1E2]") == "[123456789012345678901234567890,1.0,100.0]"


def test_escaped_nul_is_a_character():
    assert agstate.resolve_pointer('{"a\\u0000b":"c\\u0000"}', "/a\x00b") == '"c\\u0000"'


def test_depth_limit_of_a_store():
    with agstate.Store({"a": {}}, max_depth=3) as s:
        s.set("/a/b", [1])
        with pytest.raises(agstate.LimitExceeded):
            s.set("/a/c", [[1]])
        with pytest.raises(agstate.LimitExceeded):
            s.patch([{"op": "copy", "from": "/a", "path": "/a/b/0"}])
        assert s.version == 1


class TestRawCalls:
    """The C entry points themselves, with NULL and foreign pointers: errors, never crashes."""

    def test_null_arguments(self):
        out, n, v = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_uint64()
        assert lib.ags_json_format(None, 5, 0, ctypes.byref(out), ctypes.byref(n)) == agstate.InvalidArgument.code
        assert lib.ags_json_format(b"[]", 2, 0, None, None) == agstate.InvalidArgument.code
        assert lib.ags_json_format(b"[]", 2, 0x40, ctypes.byref(out), None) == agstate.InvalidArgument.code
        assert lib.ags_json_format(b"[]", ctypes.c_size_t(-5).value, 0, ctypes.byref(out), None) == agstate.InvalidArgument.code
        assert lib.ags_patch_apply(None, 0, b"[]", 2, 0, ctypes.byref(out), None) == agstate.InvalidJSON.code
        assert lib.ags_patch_apply(b"{}", 2, None, 3, 0, ctypes.byref(out), None) == agstate.InvalidArgument.code
        assert lib.ags_merge_patch_apply(b"{}", 2, b"{}", 2, 0, None, None) == agstate.InvalidArgument.code
        assert lib.ags_pointer_get(b"{}", 2, None, 4, 0, ctypes.byref(out), None) == agstate.InvalidArgument.code
        assert lib.ags_json_equal(b"1", 1, b"1", 1, None) == agstate.InvalidArgument.code
        assert lib.ags_store_open(b"{}", 2, None) == agstate.InvalidArgument.code
        assert lib.ags_store_version(None, ctypes.byref(v)) == agstate.InvalidArgument.code
        assert lib.ags_store_get(None, b"", 0, 0, ctypes.byref(out), None) == agstate.InvalidArgument.code
        assert lib.ags_limit(99, -1, None) == agstate.InvalidArgument.code
        assert out.value is None  # no failed call wrote output
        lib.ags_store_close(None)
        lib.ags_free(None)

    def test_foreign_and_closed_handles(self):
        v = ctypes.c_uint64()
        for bogus in [1, 0xDEADBEEF, 0x5A00000100000000, 0x5A000001FFFFFFFF, 2**63]:
            assert lib.ags_store_version(bogus, ctypes.byref(v)) == agstate.InvalidArgument.code
            lib.ags_store_close(bogus)  # ignored
        handle = ctypes.c_void_p()
        assert lib.ags_store_open(None, 0, ctypes.byref(handle)) == 0
        lib.ags_store_close(handle)
        lib.ags_store_close(handle)
        assert lib.ags_store_version(handle, ctypes.byref(v)) == agstate.Closed.code
        assert lib.ags_store_patch(handle, b"[]", 2, None, None) == agstate.Closed.code

    def test_closed_store_object(self):
        s = agstate.Store()
        s.close()
        s.close()
        for call in [lambda: s.version, lambda: s.get(), lambda: s.set("/a", 1), lambda: s.patch([])]:
            with pytest.raises(agstate.Closed):
                call()
