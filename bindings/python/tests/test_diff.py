"""Diff, merge-patch diff, compaction, store diff and the batcher through Python."""
import json
import random
import threading
import time

import pytest

import agstate
from conftest import load


def rand_value(rng, depth=0):
    k = rng.randrange(6 if depth > 2 else 9)
    if k == 0:
        return None
    if k == 1:
        return rng.random() < 0.5
    if k == 2:
        return rng.randrange(4)
    if k in (3, 4):
        return rng.choice(["a", "b", "ü", "x/y", "t~n", ""])
    if k in (5, 6):
        return {rng.choice(["a", "b", "c", "x/y", "t~n", "日本"]): rand_value(rng, depth + 1) for _ in range(rng.randrange(5))}
    return [rand_value(rng, depth + 1) for _ in range(rng.randrange(6))]


def mutate(v, rng):
    if rng.random() < 0.15:
        return rand_value(rng)
    if isinstance(v, dict):
        v = dict(v)
        for key in list(v):
            r = rng.random()
            if r < 0.2:
                del v[key]
            elif r < 0.5:
                v[key] = mutate(v[key], rng)
        if rng.random() < 0.3:
            v[rng.choice(["n", "a", "ü"])] = rand_value(rng, 1)
        return v
    if isinstance(v, list):
        v = list(v)
        for i in reversed(range(len(v))):
            r = rng.random()
            if r < 0.15:
                del v[i]
            elif r < 0.35:
                v[i] = mutate(v[i], rng)
            elif r < 0.45:
                v.insert(rng.randrange(len(v) + 1), v[i])
        if rng.random() < 0.3:
            v.insert(rng.randrange(len(v) + 1), rand_value(rng, 1))
        return v
    return rand_value(rng) if rng.random() < 0.5 else v


def canonical(v):
    return json.dumps(v, sort_keys=True)


@pytest.mark.parametrize("seed", range(4))
def test_diff_applies_to_give_the_target(seed):
    rng = random.Random(seed)
    options = [{}, {"fewest_bytes": True}, {"test_guards": True}, {"verify": True}][seed % 4]
    for _ in range(400):
        a = rand_value(rng)
        b = mutate(a, rng)
        patch = agstate.make_patch(json.dumps(a), json.dumps(b), **options)
        assert canonical(json.loads(agstate.apply_patch(json.dumps(a), patch))) == canonical(b)
        if rng.random() < 0.5:
            try:
                merge = agstate.make_merge_patch(json.dumps(a), json.dumps(b))
                assert canonical(json.loads(agstate.merge_patch(json.dumps(a), merge))) == canonical(b)
            except agstate.InvalidArgument:
                pass  # b sets a null member: no merge patch exists


def test_jsonp_diff_cases():
    for case in load("jsonp-test-suite/json-patch-diff.json"):
        patch = agstate.make_patch(json.dumps(case["source"]), json.dumps(case["target"]))
        assert canonical(json.loads(agstate.apply_patch(json.dumps(case["source"]), patch))) == canonical(case["target"])
    ran = 0
    for group in load("jsonp-test-suite/json-merge-diff.json"):
        for t in group["tests"]:
            merge = json.loads(agstate.make_merge_patch(json.dumps(group["source"]), json.dumps(t["target"])))
            assert merge == t["patch"], t["description"]
            ran += 1
    assert ran == 25


def test_kinds_and_compaction():
    assert agstate.make_patch({"a": 1}, {"a": 2}) == [{"op": "replace", "path": "/a", "value": 2}]
    assert agstate.make_patch('{"a":1}', '{"a":1,"b":[]}') == '[{"op":"add","path":"/b","value":[]}]'
    assert agstate.make_merge_patch({"a": 1, "b": 2}, {"a": 1}) == {"b": None}
    with pytest.raises(agstate.InvalidArgument):
        agstate.make_merge_patch({"a": 1}, {"a": None})
    assert agstate.compact([[{"op": "replace", "path": "/a", "value": 1}], [{"op": "replace", "path": "/a", "value": 2}]]) == \
        [{"op": "replace", "path": "/a", "value": 2}]
    assert agstate.compact([{"op": "add", "path": "/t", "value": {}}, {"op": "add", "path": "/t/x", "value": 1}]) == \
        [{"op": "add", "path": "/t", "value": {"x": 1}}]


def test_store_diff_between_versions():
    with agstate.Store({"n": 0, "s": "x"}) as store:
        for i in range(1, 6):
            store.set("/n", i)
        assert store.diff(1, 5) == [{"op": "replace", "path": "/n", "value": 5}]
        assert store.diff(5, 1) == [{"op": "replace", "path": "/n", "value": 1}]
        assert store.diff(3, 3) == []
        with store.snapshot() as snap:
            store.set("/s", "y")
            assert store.diff(snap) == [{"op": "replace", "path": "/s", "value": "y"}]
            with agstate.Store({"n": 7}) as other:
                assert other.diff(snap) == agstate.make_patch(snap.get(), other.get())


def test_batcher_size_time_urgent_close():
    with agstate.Store({"s": "", "n": 0}) as store:
        sent = []
        batcher = agstate.Batcher(store, lambda event, a, b: sent.append((json.loads(event), a, b)), max_operations=3, window_ms=100)
        batcher.poll(1000)
        for s in "abc":
            store.set("/s", s)
        assert sent == [({"type": "STATE_DELTA", "delta": [{"op": "replace", "path": "/s", "value": "c"}]}, 0, 3)]
        store.set("/n", 1)
        batcher.poll(1099)
        assert len(sent) == 1
        batcher.poll(1100)
        assert len(sent) == 2 and sent[-1][2] == 4
        store.patch([{"op": "replace", "path": "/n", "value": 2}], urgent=True)
        assert len(sent) == 3
        store.set("/n", 3)
        assert batcher.stats["batches"] == 3
        batcher.close()
        assert len(sent) == 4 and sent[-1][2] == 6
        with pytest.raises(agstate.Closed):
            batcher.flush()
        dropped = agstate.Batcher(store, lambda *a: sent.append(a))
        store.set("/n", 4)
        dropped.close(flush=False)
        assert len(sent) == 4


def test_batcher_with_a_stalled_consumer():
    gate = threading.Event()
    sent = []

    def slow(event, a, b):
        gate.wait(10)
        sent.append((json.loads(event)["delta"], a, b))

    with agstate.Store({"log": []}) as store:
        batcher = agstate.Batcher(store, slow, max_operations=10, window_ms=1000, timer=True, tick_ms=5)
        for i in range(10):
            store.add("/log/-", i)
        while batcher.stats["batches"] < 1:
            time.sleep(0.001)
        start = time.monotonic()
        for i in range(10, 1000):
            store.add("/log/-", i)
        assert time.monotonic() - start < 5  # writers were not held up by the stalled consumer
        stats = batcher.stats
        assert stats["coalesced"] > 0 and stats["resynced"] > 0
        gate.set()
        batcher.close()
        state = {"log": []}
        for delta, _, _ in sent:
            state = agstate.apply_patch(state, delta)
        assert state == store.get() and sent[-1][2] == 1000


def test_batcher_send_errors_are_reported(caplog):
    with agstate.Store({"n": 0}) as store:
        def fail(event, a, b):
            raise RuntimeError("network down")

        with agstate.Batcher(store, fail, max_operations=1) as batcher:
            store.set("/n", 1)
            assert batcher.stats["failedSends"] == 1 and str(batcher.errors[0]) == "network down"
        assert "batcher send failed" in caplog.text
