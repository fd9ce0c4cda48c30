"""Writes the suite's inputs, the same bytes for every program: the 2.2 MB AG-UI-like state (and a ~100 MB
one of the same shape), a 1-op replace, a 100-op patch mixing all six operations that nets to the identity
(so it can be applied again and again), and a 10-key merge patch."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from inputs import state  # noqa: E402


def compact(value):
    return json.dumps(value, separators=(",", ":"))


def patch_1op():
    return [{"op": "replace", "path": "/items/item4242/price", "value": 99.5}]


def patch_100op():
    ops = []
    for k in range(14):  # 7 operations each, every one of the six kinds; the sequence undoes itself
        base = f"/items/item{k * 37}"
        ops += [
            {"op": "add", "path": f"{base}/tmp", "value": {"n": k, "tags": ["x", "y"]}},
            {"op": "replace", "path": f"{base}/tmp", "value": {"n": k + 1}},
            {"op": "copy", "from": f"{base}/tmp", "path": f"{base}/tmp2"},
            {"op": "move", "from": f"{base}/tmp2", "path": f"{base}/tmp3"},
            {"op": "test", "path": f"{base}/tmp3", "value": {"n": k + 1}},
            {"op": "remove", "path": f"{base}/tmp"},
            {"op": "remove", "path": f"{base}/tmp3"},
        ]
    ops += [{"op": "test", "path": "/items/item0/id", "value": 0}, {"op": "test", "path": "/messages/0/role", "value": "user"}]
    assert len(ops) == 100
    return ops


def merge_10key():
    return {"items": {f"item{i}": {"price": i + 0.5} for i in range(10)}}


def write(directory, large_items=460_000):
    os.makedirs(directory, exist_ok=True)
    files = {
        "state.json": compact(state()),
        "patch1.json": compact(patch_1op()),
        "patch100.json": compact(patch_100op()),
        "merge10.json": compact(merge_10key()),
    }
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
    large = os.path.join(directory, "state-large.json")
    if large_items and not os.path.exists(large):
        with open(large, "w") as f:
            f.write(compact(state(large_items)))
    return {name: os.path.join(directory, name) for name in list(files) + ["state-large.json"]}


if __name__ == "__main__":
    print(write(sys.argv[1] if len(sys.argv) > 1 else "build/benchmarks/suite"))
