"""The benchmark suite: agstate against its peers on the same bytes, in the same run, as medians and
ratios. Natively: agstate's C API and nlohmann/json (C++). Through Python: agstate, jsonpatch and
fastjsonpatch (in place, and in their atomic copying mode), json-merge-patch, orjson and yyjson.
Run by scripts/bench.sh, which installs the peers; a missing peer is reported and skipped.
A ratio is the peer's time over agstate's: above 1, agstate is faster."""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import agstate  # noqa: E402
from make_inputs import write  # noqa: E402

BUILD = os.path.join(ROOT, "build")
DIR = os.path.join(BUILD, "benchmarks", "suite")


def median_us(fn, rounds=21, setup=None):
    times = []
    for _ in range(rounds):
        if setup:
            setup()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def native(program, *args):
    path = os.path.join(BUILD, "benchmarks", program)
    if not os.path.exists(path):
        return None
    out = subprocess.run([path, DIR, *args], capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def alternating(commands, runs):
    """Runs the native programs in turns, `runs` times; the median of each figure per program (None for a
    program that is not built)."""
    results = [[] for _ in commands]
    for _ in range(runs):
        for i, command in enumerate(commands):
            results[i].append(native(*command))
    medians = []
    for outputs in results:
        if outputs[0] is None:
            medians.append(None)
        else:
            medians.append({k: statistics.median(o[k] for o in outputs) for k in outputs[0]})
    return medians


def row(rows, what, ours, peer_name, theirs):
    if theirs is None:
        rows.append((what, ours, peer_name, None, None))
    else:
        rows.append((what, ours, peer_name, theirs, theirs / ours))


def main():
    files = write(DIR)
    text = open(files["state.json"]).read()
    p1 = open(files["patch1.json"]).read()
    p100 = open(files["patch100.json"]).read()
    merge = open(files["merge10.json"]).read()
    print(f"state {len(text) / 1e6:.2f} MB (and {os.path.getsize(files['state-large.json']) / 1e6:.0f} MB for the scaling row); "
          f"Python {sys.version.split()[0]}; agstate {agstate.library_version()}")
    rows = []

    # The native programs run in turns, five times each, and every figure is the median of its five: on a
    # noisy machine a slow spell then falls on both sides instead of on one.
    ours, theirs = alternating([("bench_suite_agstate",), ("bench_suite_nlohmann",)], runs=5)
    ours.update({k: v for k, v in native("bench_suite_agstate", "large").items() if k.startswith("large_")})
    if theirs is None:
        print("nlohmann/json is not installed (apt install nlohmann-json3-dev): the C++ peer is skipped")
    for key, what, peer in (("parse", "parse the state, native", "nlohmann"),
                            ("serialize", "serialize the state, native", "nlohmann"),
                            ("small_patch1", "1-op patch from text, native", "nlohmann patch_inplace"),
                            ("small_patch100", "100-op patch from text, native", "nlohmann patch_inplace")):
        row(rows, what, ours[key], peer, theirs and theirs[key])
    scaling = ours["large_patch1"] / ours["small_patch1"]
    go = native("bench_suite_evanphx")
    if go is None:
        print("evanphx/json-patch (Go) is not built (apt install golang-github-evanphx-json-patch-dev): skipped")
    row(rows, "1-op patch, text in and text out, native", ours["text_patch1"], "evanphx/json-patch (Go)", go and go["text_patch1"])
    row(rows, "10-key merge patch, text in and text out, native", ours["text_merge10"], "evanphx/json-patch (Go)", go and go["text_merge10"])

    # Through Python: agstate keeps 1,000 versions of history; the peers patch Python objects.
    # Each in steady state: the history is first filled with 1,000 versions of the patch measured, so
    # that every measured commit also pushes the oldest change out, as in a long-running store.
    store = agstate.Store(text)
    store.max_history(1000)
    for _ in range(1000):
        store.patch(p1)
    a1 = median_us(lambda: store.patch(p1), rounds=101)
    for _ in range(1000):
        store.patch(p100)
    a100 = median_us(lambda: store.patch(p100), rounds=41)
    try:
        import jsonpatch
        doc = json.loads(text)
        row(rows, "1-op patch, Python", a1, "jsonpatch in place", median_us(lambda: jsonpatch.apply_patch(doc, p1, in_place=True), rounds=101))
        row(rows, "1-op patch, Python", a1, "jsonpatch copying", median_us(lambda: jsonpatch.apply_patch(doc, p1), rounds=11))
        row(rows, "100-op patch, Python", a100, "jsonpatch in place", median_us(lambda: jsonpatch.apply_patch(doc, p100, in_place=True), rounds=41))
    except ImportError:
        print("jsonpatch is not installed: skipped")
    try:
        import fastjsonpatch
        doc = json.loads(text)
        row(rows, "1-op patch, Python", a1, "fastjsonpatch in place",
            median_us(lambda: fastjsonpatch.apply_patch(doc, json.loads(p1), in_place=True), rounds=101))
        row(rows, "1-op patch, Python", a1, "fastjsonpatch copying",
            median_us(lambda: fastjsonpatch.apply_patch(doc, json.loads(p1)), rounds=11))
        row(rows, "100-op patch, Python", a100, "fastjsonpatch in place",
            median_us(lambda: fastjsonpatch.apply_patch(doc, json.loads(p100), in_place=True), rounds=41))
    except ImportError:
        print("fastjsonpatch is not installed (it needs Python 3.12 or later): skipped")
    for _ in range(1000):
        store.merge(merge)
    am = median_us(lambda: store.merge(merge), rounds=101)
    try:
        import json_merge_patch
        doc = json.loads(text)
        row(rows, "10-key merge patch, Python", am, "json-merge-patch",
            median_us(lambda: json_merge_patch.merge(doc, json.loads(merge)), rounds=21))
    except ImportError:
        print("json-merge-patch is not installed: skipped")
    ap = median_us(lambda: agstate.Store(text), rounds=15)
    big = agstate.Store(text)
    aser = median_us(lambda: big.to_json(), rounds=15)
    try:
        import orjson
        row(rows, "parse, Python", ap, "orjson.loads", median_us(lambda: orjson.loads(text), rounds=15))
        obj = orjson.loads(text)
        row(rows, "serialize, Python", aser, "orjson.dumps", median_us(lambda: orjson.dumps(obj), rounds=15))
    except ImportError:
        print("orjson is not installed: skipped")
    try:
        import yyjson
        row(rows, "parse, Python", ap, "yyjson.Document", median_us(lambda: yyjson.Document(text), rounds=15))
    except ImportError:
        print("yyjson is not installed: skipped")

    print()
    print("| operation | agstate | peer | peer time | peer / agstate |")
    print("|---|---|---|---|---|")
    for what, a, name, t, ratio in rows:
        if t is None:
            print(f"| {what} | {a:,.1f} µs | {name} | not measured | |")
        else:
            print(f"| {what} | {a:,.1f} µs | {name} | {t:,.1f} µs | {ratio:.2f} |")
    print()
    mb = ours["state_bytes"] / 1e6
    print(f"native parse {mb / (ours['parse'] / 1e6):.0f} MB/s, serialize {mb / (ours['serialize'] / 1e6):.0f} MB/s; "
          f"1-op patch on the {os.path.getsize(files['state-large.json']) / 1e6:.0f} MB state: {ours['large_patch1']:.1f} µs, "
          f"{scaling:.2f}x the 2.2 MB state")


if __name__ == "__main__":
    main()
