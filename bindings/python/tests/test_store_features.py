"""Snapshots, history, transactions, subscriptions and state events through Python."""
import json
import os
import random
import threading

import pytest

import agstate
from conftest import ROOT

VECTORS = os.path.join(ROOT, "test-vectors")


# -- property test: state_at and delta_since agree with what was recorded ------------------------------

def random_value(rng, depth=0):
    kind = rng.randrange(5 if depth > 2 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.randrange(-3, 4)
    if kind == 3:
        return rng.choice(["x", "y", "", "ü"])
    if kind == 4:
        return rng.random()
    if kind == 5:
        return {rng.choice("abc/~"): random_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def pointers(doc, prefix=""):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from pointers(v, prefix + "/" + k.replace("~", "~0").replace("/", "~1"))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from pointers(v, f"{prefix}/{i}")


def random_op(rng, doc):
    paths = list(pointers(doc))
    non_root = rng.choice(paths[1:]) if len(paths) > 1 else ""
    # The root is replaced now and then, not so often that the state stays a scalar.
    some = "" if rng.random() < 0.03 else non_root
    parent = rng.choice(paths)
    target = parent + "/" + rng.choice(["a", "b", "-", "0", "1"])
    op = rng.choice(["add", "remove", "replace", "move", "copy", "test"])
    if op in ("add", "replace", "test"):
        return {"op": op, "path": target if op == "add" else some, "value": random_value(rng, 2)}
    if op == "remove":
        return {"op": "remove", "path": non_root}
    return {"op": op, "from": non_root if op == "move" else some, "path": target}


@pytest.mark.parametrize("seed", range(8))
def test_history_agrees_with_recorded_states(seed):
    rng = random.Random(seed)
    with agstate.Store({"a": random_value(rng), "b": [1, 2]}) as store:
        recorded = [store.get()]
        for _ in range(80):
            if not isinstance(store.get(), (dict, list)):
                store.set("", {"fresh": random_value(rng)})  # a scalar state leaves little to patch
                recorded.append(store.get())
                continue
            ops = [random_op(rng, store.get()) for _ in range(rng.randrange(1, 3))]
            before, version = store.to_json(), store.version
            try:
                assert store.patch(ops) == version + 1
                recorded.append(store.get())
            except agstate.AgstateError:
                assert store.to_json() == before and store.version == version
        assert len(recorded) > 20
        final = store.to_json()
        for version, expected in enumerate(recorded):
            # The text, member order included: a removed member comes back where it was.
            assert json.dumps(store.state_at(version)) == json.dumps(expected)
            caught_up = agstate.apply_patch(json.dumps(expected), json.dumps(store.delta_since(version)))
            assert agstate.json_equal(caught_up, final)


# -- snapshots and history -------------------------------------------------------------------------

def test_snapshots_restore_and_history_bounds():
    with agstate.Store({"n": 0}) as store:
        with store.snapshot() as snap:
            for i in range(1, 6):
                store.set("/n", i)
            assert (snap.version, snap.get()) == (0, {"n": 0})
            assert store.restore(snap) == 6
        assert store.get() == {"n": 0}
        assert store.history(since=4) == [{"version": 5, "patch": [{"op": "replace", "path": "/n", "value": 5}]},
                                          {"version": 6, "patch": [{"op": "replace", "path": "", "value": {"n": 0}}]}]
        assert store.max_history(2) == (1000, 64 << 20)
        assert store.history_range == (4, 6)
        with pytest.raises(agstate.NotInHistory):
            store.state_at(3)
        with pytest.raises(agstate.NotInHistory):
            store.delta_event(1)
        with pytest.raises(agstate.InvalidArgument):
            store.delta_since(7)
        assert store.delta_since(6) == []


# -- transactions ----------------------------------------------------------------------------------

def test_transactions():
    with agstate.Store({"a": {"x": 1}, "b": {"y": 1}}) as store:
        with store.transaction() as tx:
            tx.patch([{"op": "replace", "path": "/a/x", "value": 2}])
            assert tx.get("/a/x") == 2
            store.set("/b/y", 5)  # elsewhere: no conflict
        assert tx.version == 2 and store.get() == {"a": {"x": 2}, "b": {"y": 5}}

        with pytest.raises(agstate.Conflict):
            with store.transaction() as tx:
                tx.patch([{"op": "replace", "path": "/a/x", "value": 3}])
                store.set("/a", {"x": 9})
        assert store.get("/a") == {"x": 9} and store.version == 3

        with pytest.raises(ZeroDivisionError):
            with store.transaction() as tx:
                tx.patch([{"op": "remove", "path": "/a"}])
                1 / 0
        assert store.version == 3 and "a" in store.get()
        with pytest.raises(agstate.Closed):
            tx.commit()

        assert store.patch([{"op": "add", "path": "/c", "value": 1}], expected_version=3) == 4
        with pytest.raises(agstate.Conflict):
            store.patch([{"op": "add", "path": "/c", "value": 2}], expected_version=3)


# -- subscriptions ---------------------------------------------------------------------------------

def test_subscriptions_hear_their_subtree_in_order():
    with agstate.Store({"a": {"b": 1, "c": 1}, "list": [1, 2, 3]}) as store:
        ab, element = [], []
        s1 = store.subscribe("/a/b", lambda v, ops: ab.append((v, ops)))
        s2 = store.subscribe("/list/2", lambda v, ops: element.append(v))
        store.set("/a/b", 2)
        store.set("/a/c", 2)
        store.set("/a", {"b": 3})
        store.add("/list/0", 0)
        assert ab == [(1, [{"op": "replace", "path": "/a/b", "value": 2}]),
                      (3, [{"op": "replace", "path": "/a", "value": {"b": 3}}])]
        assert element == [4]
        s1.close()
        s1.close()
        store.set("/a/b", 4)
        assert len(ab) == 2
        s2.close()


def test_callback_errors_are_reported_not_swallowed(caplog):
    with agstate.Store() as store:
        def boom(version, ops):
            raise RuntimeError(f"bad at {version}")

        with store.subscribe("", boom) as sub:
            store.set("/x", 1)
            store.set("/x", 2)
            assert sub.failures == 2
            assert [str(e) for e in sub.errors] == ["bad at 1", "bad at 2"]
        assert store.get() == {"x": 2}  # the commits stand
        assert "subscription callback failed" in caplog.text


def test_callbacks_may_commit():
    with agstate.Store({"count": 0, "echo": 0}) as store:
        versions = []
        echo = store.subscribe("/count", lambda v, ops: store.set("/echo", store.get("/count")))
        every = store.subscribe("", lambda v, ops: versions.append(v))
        store.set("/count", 1)
        store.set("/count", 2)
        assert store.get() == {"count": 2, "echo": 2}
        assert versions == [1, 2, 3, 4]
        echo.close()
        every.close()


def test_threads_writers_readers_subscribers():
    writers, patches = 4, 200
    with agstate.Store({f"w{w}": [] for w in range(writers)}) as store:
        seen_all, seen = [], {w: [] for w in range(writers)}
        subs = [store.subscribe("", lambda v, ops: seen_all.append(v))]
        for w in range(writers):
            subs.append(store.subscribe(f"/w{w}", lambda v, ops, w=w: seen[w].extend(op["value"] for op in ops)))
        done = threading.Event()

        def write(w):
            for i in range(patches):
                store.patch([{"op": "add", "path": f"/w{w}/-", "value": i}])

        def read():
            while not done.is_set():
                with store.snapshot() as snap:
                    snap.get("/w0")

        readers = [threading.Thread(target=read) for _ in range(2)]
        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for t in readers + threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        for t in readers:
            t.join()
        assert store.version == writers * patches
        assert seen_all == list(range(1, writers * patches + 1))
        for w in range(writers):
            assert seen[w] == list(range(patches))
        for s in subs:
            s.close()


# -- events ----------------------------------------------------------------------------------------

def replay(lenient):
    with open(os.path.join(VECTORS, "state_stream.ndjson"), encoding="utf-8") as f:
        lines = [line for line in f.read().splitlines() if line]
    rejected = []
    store = agstate.Store()
    for i, line in enumerate(lines):
        try:
            store.apply_event(line, lenient=lenient)
        except agstate.AgstateError as error:
            rejected.append((i, type(error), error.op_index, error.pointer))
    return store, rejected


def test_replayed_stream_reaches_the_expected_state():
    store, rejected = replay(lenient=False)
    assert rejected == [(5, agstate.PathNotFound, 1, "/owner")]
    with open(os.path.join(VECTORS, "state_stream.expected.json"), encoding="utf-8") as f:
        assert agstate.json_equal(store.to_json(), f.read())
    lenient, rejected = replay(lenient=True)
    assert rejected == []
    with open(os.path.join(VECTORS, "state_stream.lenient.json"), encoding="utf-8") as f:
        assert agstate.json_equal(lenient.to_json(), f.read())


def test_events_out():
    with agstate.Store({"a": 1}) as store:
        store.set("/a", 2)
        assert store.snapshot_event() == '{"type":"STATE_SNAPSHOT","snapshot":{"a":2}}'
        assert store.snapshot_event(sse=True) == 'data: {"type":"STATE_SNAPSHOT","snapshot":{"a":2}}\n\n'
        assert store.delta_event(0) == '{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/a","value":2}]}'
        assert agstate.delta_event([], sse=True) == 'data: {"type":"STATE_DELTA","delta":[]}\n\n'
        assert agstate.encode_sse({"type": "RUN_STARTED", "threadId": "t", "runId": "r"}) == \
            'data: {"type":"RUN_STARTED","threadId":"t","runId":"r"}\n\n'
        with pytest.raises(agstate.InvalidArgument):
            store.apply_event({"type": "RUN_STARTED"})
        assert store.version == 1
