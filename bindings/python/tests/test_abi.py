"""The binding over the options structs, the error struct and the two calling conventions."""
import ctypes
import subprocess
import sys
import threading

import pytest

import agstate
from agstate import _constants as C
from agstate._native import lib


def test_the_last_error_struct_reaches_the_exception():
    with agstate.Store({"a": 1}) as store:
        with pytest.raises(agstate.TestFailed) as caught:
            store.patch([{"op": "add", "path": "/b", "value": 2}, {"op": "test", "path": "/a", "value": 5}])
        assert (caught.value.op_index, caught.value.pointer, caught.value.offset) == (1, "/a", None)
        assert caught.value.code == C.AGS_ERR_TEST_FAILED and caught.value.status == "AGS_ERR_TEST_FAILED"
    with pytest.raises(agstate.InvalidJSON) as caught:
        agstate.validate_json('{"a": tru}')
    assert caught.value.offset == 6 and caught.value.op_index is None and caught.value.pointer is None
    error = lib.ags_errlast().contents
    assert error.code == C.AGS_ERR_INVALID_JSON and error.offset == 6
    lib.ags_errclear()
    assert lib.ags_errlast().contents.code == C.AGS_OK and lib.ags_errlast().contents.message == b""


def test_commit_options_through_every_commit():
    with agstate.Store({"a": 1}) as store:
        assert store.patch([{"op": "replace", "path": "/a", "value": 2}], expected_version=0) == 1
        with pytest.raises(agstate.Conflict):
            store.patch([{"op": "replace", "path": "/a", "value": 3}], expected_version=0)
        assert store.patch([{"op": "replace", "path": "/x", "value": 3}], lenient=True) == 2
        assert store.patch([{"op": "remove", "path": "/nothing"}], lenient=True, urgent=True) == 3
        assert store.apply_event({"type": "STATE_DELTA", "delta": [{"op": "remove", "path": "/gone"}]},
                                 lenient=True) == 4
        assert store.set("/b", [1]) == 5 and store.add("/b/0", 0) == 6 and store.remove("/x") == 7
        assert store.merge({"c": True}) == 8
        with store.snapshot() as snapshot:
            assert store.restore(snapshot) == 9
        with store.transaction() as tx:
            tx.patch([{"op": "add", "path": "/d", "value": 1}])
        assert tx.version == 10
        assert store.get() == {"a": 2, "b": [0, 1], "c": True, "d": 1}


def test_integers_are_checked_against_their_c_type():
    with agstate.Store() as store:
        for bad in (-1, 2**64):
            with pytest.raises(OverflowError):
                store.patch([], expected_version=bad)
            with pytest.raises(OverflowError):
                store.state_at(bad)
        with pytest.raises(TypeError):
            store.state_at("1")
        assert store.version == 0
        with pytest.raises(OverflowError):
            agstate.Batcher(store, lambda *a: None, max_operations=-1)
        with pytest.raises(OverflowError):
            agstate.Batcher(store, lambda *a: None, window_ms=2**64)
    with pytest.raises(OverflowError):
        agstate.decompress(b"", max_size=-1)
    with pytest.raises(OverflowError):
        agstate.compress(b"x", level=2**31)
    with pytest.raises(OverflowError):
        agstate.pack(b"x", threshold=-5)


def test_bounds_beyond_the_engine_range_are_its_errors():
    with agstate.Store() as store:
        with pytest.raises(agstate.InvalidArgument):
            agstate.Batcher(store, lambda *a: None, max_operations=C.AGS_BATCHER_MAX_BOUND + 1)
        with pytest.raises(agstate.InvalidArgument):
            agstate.Batcher(store, lambda *a: None, max_bytes=0)


def test_unbounded_decompression():
    # In a child process, so that a trap would fail this test rather than end the run.
    program = """if True:
        import agstate
        data = b"x" * (1 << 20)
        for codec in ("gzip", "zstd"):
            packed = agstate.compress(data, codec)
            assert agstate.decompress(packed, codec, max_size=agstate.UNBOUNDED) == data
            assert agstate.unpack(agstate.pack(data, codec), max_size=agstate.UNBOUNDED) == data
            with agstate.Decompressor(codec, max_size=agstate.UNBOUNDED) as d:
                assert d.write(packed) == data
    """
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]


def test_decompression_bound():
    packed = agstate.compress(b"x" * (1 << 20), "zstd")
    assert len(agstate.decompress(packed, "zstd", max_size=2**62)) == 1 << 20
    with pytest.raises(agstate.LimitExceeded):
        agstate.decompress(packed, "zstd", max_size=1000)


def test_encode_sse_is_the_engines_framing():
    event = {"type": "TEXT_MESSAGE_CONTENT", "messageId": "m", "delta": "h\u00e9\n"}
    frame = agstate.encode_sse(event)
    out, n = ctypes.c_void_p(), ctypes.c_size_t()
    text = b'{ "type" : "TEXT_MESSAGE_CONTENT", "messageId":"m", "delta":"h\\u00e9\\n"}'
    assert lib.ags_event_encode(text, len(text), C.AGS_EVENT_SSE, ctypes.byref(out), ctypes.byref(n)) == 0
    engine = ctypes.string_at(out.value, n.value).decode()
    lib.ags_free(out)
    assert frame == engine == 'data: {"type":"TEXT_MESSAGE_CONTENT","messageId":"m","delta":"h\u00e9\\n"}\n\n'
    with pytest.raises(agstate.InvalidArgument):
        agstate.encode_sse("[1]")


def test_feed_with_and_without_findings():
    with agstate.EventValidator("strict") as v:
        assert v.feed({"type": "RUN_STARTED", "threadId": "t", "runId": "r", "timestamp": 1}) == []
        assert [f["rule"] for f in v.feed('{"type":"NOPE"}')] == ["event.type-unknown"]
        assert v.feed_stream('{"type":"RUN_FINISHED","threadId":"t","runId":"r"}\n', "ndjson") == []
        assert v.finalize() == []
        with pytest.raises(agstate.InvalidArgument):
            v.feed({"type": "RUN_STARTED", "threadId": "t", "runId": "r2"})


def test_subscribing_while_other_threads_commit():
    """Commits keep the GIL until a Python callback is attached; attaching one while other threads commit,
    and committing from several threads into Python subscribers, never deadlocks and loses nothing."""
    with agstate.Store({"n": 0}) as store:
        stop = threading.Event()
        heard = [[], []]

        def writer():
            while not stop.is_set():
                store.patch('[{"op":"add","path":"/w","value":1}]')

        threads = [threading.Thread(target=writer) for _ in range(3)]
        for t in threads:
            t.start()
        subscriptions = [store.subscribe("", lambda version, ops, i=i: heard[i].append(version)) for i in range(2)]
        for _ in range(200):
            store.patch('[{"op":"replace","path":"/n","value":1}]')
        stop.set()
        for t in threads:
            t.join(timeout=60)
            assert not t.is_alive()
        for s in subscriptions:
            s.close()
        for versions in heard:  # every commit after subscribing, each once, in commit order
            assert versions == list(range(versions[0], store.version + 1))


def test_a_commit_inside_a_callback_does_not_change_the_outer_version():
    with agstate.Store({"n": 0, "echo": 0}) as store:
        def echo(version, ops):
            if any(op["path"] == "/n" for op in ops):
                store.patch('[{"op":"replace","path":"/echo","value":1}]')
                assert store.get("/echo") == 1
        with store.subscribe("/n", echo):
            assert store.patch('[{"op":"replace","path":"/n","value":1}]') == 1
            assert store.version == 2
