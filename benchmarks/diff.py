"""Diff of two independently parsed 2.2 MB states that differ in 10 leaves: agstate.make_patch against
Python's jsonpatch.make_patch and fastjsonpatch.make_patch (Python 3.12 or later), same pair, same run;
then the diff of two versions of one store holding the same 10 changes.

Run: scripts/bench.sh (it prepares a virtual environment with the peers)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import agstate  # noqa: E402
from timing import interleaved_medians_ms  # noqa: E402
from inputs import state  # noqa: E402

try:
    import jsonpatch
except ImportError:
    jsonpatch = None
try:
    import fastjsonpatch
except ImportError:
    fastjsonpatch = None


def changed(doc):
    """The same state with 10 leaves changed."""
    doc = json.loads(json.dumps(doc))
    for k in range(10):
        item = doc["items"][f"item{k * 997}"]
        item["meta"]["score"] = -(k + 1)
    return doc


def main():
    a = state()
    b = changed(a)
    # Independently parsed: no object is shared between the two.
    a_text, b_text = json.dumps(a, separators=(",", ":")), json.dumps(b, separators=(",", ":"))
    a, b = json.loads(a_text), json.loads(b_text)
    rows = [("agstate.make_patch, JSON text in", lambda: agstate.make_patch(a_text, b_text)),
            ("agstate.make_patch, Python dicts in (json.dumps included)", lambda: agstate.make_patch(a, b))]
    if jsonpatch:
        rows.append(("jsonpatch.make_patch", lambda: jsonpatch.make_patch(a, b)))
    if fastjsonpatch:
        rows.append(("fastjsonpatch.make_patch", lambda: fastjsonpatch.make_patch(a, b)))
    medians = interleaved_medians_ms([fn for _, fn in rows])
    ops = len(json.loads(agstate.make_patch(a_text, b_text)))
    print(f"Python {sys.version.split()[0]}; state {len(a_text) / 1e6:.2f} MB, 10 leaves changed, agstate's patch: {ops} operations\n")
    print("| diff | median | time relative to agstate from text |")
    print("|---|---|---|")
    for (name, _), ms in zip(rows, medians):
        print(f"| {name} | {ms:.2f} ms | {ms / medians[0]:.2f} |")
    if not fastjsonpatch:
        print("\nfastjsonpatch: not measured (it needs Python 3.12 or later, and none was found)")

    # Two versions of one store, the same 10 changes.
    with agstate.Store(a_text) as store:
        for k in range(10):
            store.set(f"/items/item{k * 997}/meta/score", -k)
        (ms,) = interleaved_medians_ms([lambda: store.diff(0, 10)], rounds=200)
        print(f"\nstore.diff(0, 10) through Python, 10 changes on the same state: {ms * 1e3:.1f} us "
              f"({len(store.diff(0, 10))} operations)")


if __name__ == "__main__":
    main()
