"""What a hostile or careless caller tries from Python: objects past 2^16 members, decompression with no
bound, integers outside their C type, limits that cannot be negative. Each must answer rightly or raise,
never kill the interpreter nor answer wrongly without an error."""
import pytest

import agstate
from agstate import _constants as C

WIDE = 70_000


def wide_text(width=WIDE, extra=""):
    return "{" + ",".join(f'"k{i}":{i}' for i in range(width)) + extra + "}"


def test_wide_objects_outside_stores():
    text = wide_text()
    agstate.validate_json(text)
    assert agstate.json_equal(text, text)
    for i in (0, 65_535, 65_536, WIDE - 1):
        assert agstate.resolve_pointer(text, f"/k{i}") == str(i)
    with pytest.raises(agstate.InvalidJSON):
        agstate.validate_json(wide_text(extra=',"k65540":0'))
    sorted_text = agstate.format_json(text, sort_keys=True)
    assert agstate.json_equal(sorted_text, text)
    patched = agstate.apply_patch(text, '[{"op":"add","path":"/k65536","value":"x"}]')
    assert agstate.resolve_pointer(patched, "/k65536") == '"x"'
    merged = agstate.merge_patch(text, '{"k65537":null}')
    with pytest.raises(agstate.PathNotFound):
        agstate.resolve_pointer(merged, "/k65537")
    assert agstate.make_merge_patch(text, patched) == '{"k65536":"x"}'


def test_decompression_with_no_bound():
    data = b"state delta " * 1000
    for codec in ("gzip", "zlib", "deflate", "zstd"):
        packed = agstate.compress(data, codec)
        assert agstate.decompress(packed, codec, max_size=agstate.UNBOUNDED) == data
        stream = agstate.Decompressor(codec, max_size=agstate.UNBOUNDED)
        assert stream.write(packed) == data
        stream.finish()
        stream.close()
    envelope = bytearray(agstate.pack(data, threshold=0))
    envelope[8:16] = (2**63 - 1).to_bytes(8, "little")
    with pytest.raises(agstate.CorruptData):
        agstate.unpack(bytes(envelope), max_size=agstate.UNBOUNDED)
    for bad in (-1, 2**64):
        with pytest.raises(OverflowError):
            agstate.decompress(data, max_size=bad)
        with pytest.raises(OverflowError):
            agstate.unpack(bytes(envelope), max_size=bad)
        with pytest.raises(OverflowError):
            agstate.Decompressor("gzip", max_size=bad)


def test_integers_outside_their_c_type():
    with agstate.Store({"a": 1}) as store:
        store.set("/a", 2)
        for bad in (2**64, -1, 2**64 + 1):
            with pytest.raises(OverflowError):
                store.state_at(bad)
            with pytest.raises(OverflowError):
                store.patch([{"op": "replace", "path": "/a", "value": 3}], expected_version=bad)
            with pytest.raises(OverflowError):
                store.delta_since(bad)
        assert store.get("/a") == 2 and store.version == 1
        # Far past any batch: the engine's own bound, as an error.
        for bound in (2**62, 2**64 - 1):
            with pytest.raises(agstate.InvalidArgument):
                agstate.Batcher(store, lambda *a: 0, max_operations=bound)
            with pytest.raises(agstate.InvalidArgument):
                agstate.Batcher(store, lambda *a: 0, max_bytes=bound)
        with pytest.raises(OverflowError):
            agstate.Batcher(store, lambda *a: 0, max_operations=2**64)
        with pytest.raises(agstate.InvalidArgument):
            store.diff(0, 2**64 - 1)


def test_limits_cannot_be_negative():
    with agstate.Store() as store:
        before = store.max_depth()
        for bad in (-1, -5, -(2**63)):
            with pytest.raises(ValueError):
                store.max_depth(bad)
        assert store.max_depth() == before
        with pytest.raises(OverflowError):
            store.max_depth(2**63)
    with pytest.raises(ValueError):
        agstate.max_depth(-2)
    with pytest.raises(ValueError):
        agstate.max_input_bytes(-1)
    assert agstate.max_depth() == C.AGS_DEFAULT_DEPTH


def test_transactions_keep_their_stores_limits():
    deep = "[" * 600 + "]" * 600
    with agstate.Store({}) as store:
        store.max_depth(1000)
        with store.transaction() as tx:
            tx.patch(f'[{{"op":"add","path":"/deep","value":{deep}}}]')
        assert tx.version == 1


@pytest.mark.parametrize("timer", [False, True])
@pytest.mark.parametrize("flush", [False, True])
def test_batcher_closed_from_its_own_send(flush, timer):
    import threading
    with agstate.Store({"log": []}) as store:
        sent = []
        holder = {}

        def send(event, from_version, to_version):
            sent.append(to_version)
            if len(sent) == 1:
                store.add("/log/-", 99)  # pending while this batch is being sent
                holder["b"].close(flush=flush)

        batcher = agstate.Batcher(store, send, window_ms=60_000, timer=timer, tick_ms=1)
        holder["b"] = batcher
        store.add("/log/-", 1)
        done = threading.Event()
        worker = threading.Thread(target=lambda: (batcher.flush(), done.set()), daemon=True)
        worker.start()
        assert done.wait(20), "close from inside send did not return"
        assert sent == ([1, 2] if flush else [1])
        store.add("/log/-", 3)
        assert sent == ([1, 2] if flush else [1])
        batcher.close()


# Integers of the registry, storage and collaboration calls: outside their C type an OverflowError (or
# ValueError for a negative duration) before the call; inside it, the engine's documented range decides.
OUTSIDE_U64 = (-1, 2**64, 2**64 + 1, -(2**63) - 1)
OUTSIDE_SIZE = (-1, 2**64, -(2**64))


def test_registry_integers_outside_their_c_type():
    for name in ("budget_bytes", "shards", "max_clients"):
        for bad in OUTSIDE_SIZE:
            with pytest.raises(OverflowError):
                agstate.Registry(**{name: bad})
    for bad in (2**64 / 1000, 1e20, float("inf")):
        with pytest.raises(OverflowError):
            agstate.Registry(ttl_s=bad)
    for bad in (-1, -1e-9, float("nan")):
        with pytest.raises(ValueError):
            agstate.Registry(ttl_s=bad)
    # In the C type but outside the documented range: the engine refuses.
    for name, bad in (("shards", 0), ("shards", 4097), ("shards", 2**64 - 1), ("max_clients", 0),
                      ("max_clients", 2**63), ("budget_bytes", 2**64 - 2)):
        with pytest.raises(agstate.InvalidArgument):
            agstate.Registry(**{name: bad})
    for name in ("commits_per_second", "commit_burst", "bytes_per_second", "bytes_burst", "alert_p95_commit_ms"):
        for bad in (-1, float("nan"), float("inf")):
            with pytest.raises(agstate.InvalidArgument):
                agstate.Registry(**{name: bad})
    for name in ("alert_error_rate", "alert_memory_share"):
        for bad in (-0.5, 1.5, float("nan")):
            with pytest.raises(agstate.InvalidArgument):
                agstate.Registry(**{name: bad})
    with pytest.raises(OverflowError):
        agstate.Registry(commits_per_second=10**400)
    with agstate.Registry(budget_bytes=agstate.UNBOUNDED, shards=4096, max_clients=2**63 - 1,
                          ttl_s=2**63 / 1000) as registry:
        with registry.get("a", {"n": 0}) as store:
            store.set("/n", 1, client_id="c")
        for bad in (-1, 2**63, 2**64):
            with pytest.raises((OverflowError, ValueError)):
                registry.limit("max_members", bad)
        assert registry.limit("max_members", 2**63 - 1) == 2**63 - 1
        assert registry.sweep() == 0


def test_storage_integers_outside_their_c_type(tmp_path):
    url = f"sqlite:{tmp_path}/s.db"
    for name, bad in (("busy_timeout_ms", 2**32), ("busy_timeout_ms", -1), ("checkpoint_changes", 2**64),
                      ("checkpoint_changes", -1), ("checkpoint_bytes", 2**64), ("checkpoint_bytes", -1)):
        with pytest.raises(OverflowError):
            agstate.Storage(url, **{name: bad})
    for bad in (2**32, -1):
        with pytest.raises(OverflowError):
            agstate.Storage(url, key=b"k" * 32, key_id=bad)
        with pytest.raises(OverflowError):
            agstate.Storage(url, old_keys={bad: b"k" * 32})
    # In the C type but outside the documented range: the engine refuses.
    for name, bad in (("busy_timeout_ms", 2**31), ("checkpoint_changes", 0), ("checkpoint_bytes", 0)):
        with pytest.raises(agstate.InvalidArgument):
            agstate.Storage(url, **{name: bad})
    with agstate.Storage(url, busy_timeout_ms=2**31 - 1, checkpoint_changes=2**64 - 1,
                         checkpoint_bytes=2**64 - 1, key=b"k" * 32, key_id=2**32 - 1) as storage:
        with storage.open_store("one", {"n": 0}) as store:
            store.set("/n", 1)
        assert storage.list() == ["one"]


def test_collaboration_integers_outside_their_c_type():
    with agstate.Store({"a": {"b": 1}}) as store:
        store.set("/a/b", 2, author="alice")
        for bad in OUTSIDE_U64:
            with pytest.raises(OverflowError):
                store.lock("/a", "owner", bad)
            with pytest.raises(OverflowError):
                store.renew_lock("/a", "owner", bad)
            with pytest.raises(OverflowError):
                store.set_presence("client", {"at": 1}, bad)
            with pytest.raises(OverflowError):
                store.conflicts(bad)
            with pytest.raises(OverflowError):
                store.author_of(bad)
            with pytest.raises(OverflowError):
                store.patch([{"op": "replace", "path": "/a/b", "value": 3}], base_version=bad)
        # In the C type but outside the documented range: the engine refuses.
        for bad in (0, C.AGS_MAX_TTL_MS + 1, 2**64 - 1):
            with pytest.raises(agstate.InvalidArgument):
                store.lock("/a", "owner", bad)
            with pytest.raises(agstate.InvalidArgument):
                store.set_presence("client", 1, bad)
        for bad in (0, 2, 2**64 - 2):
            with pytest.raises(agstate.InvalidArgument):
                store.author_of(bad)
        with pytest.raises(agstate.InvalidArgument):
            store.patch([{"op": "replace", "path": "/a/b", "value": 3}], base_version=2**64 - 2)
        with pytest.raises(ValueError):
            store.patch([{"op": "replace", "path": "/a/b", "value": 3}], base_version=0, strategy="nope")
        assert store.conflicts(2**64 - 1) == []
        store.lock("/a", "owner", C.AGS_MAX_TTL_MS)
        store.set_presence("client", 1, C.AGS_MAX_TTL_MS)
        assert store.get("/a/b") == 2 and store.version == 1 and store.author_of(1) == "alice"
