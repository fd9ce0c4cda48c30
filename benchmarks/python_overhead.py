"""The cost of a small call from Python, against the same call through a bare ctypes function pointer and
against C, in one run: Store.patch (a one-operation patch on a small store), Store.get (one member) and
EventValidator.feed (one event, no finding).

The C figures come from build/lib/libagstate_bench_helper.so (benchmarks/python_overhead_helper.c): the same
call in a C loop, on the same store, in this process. The bare ctypes reference is the function declared as
the header says (argtypes and restype) through ctypes.CDLL, called with ready arguments; get and feed also
release the output with ags_free, as C does. Every figure is the median of interleaved rounds, in ns per
call, with the cost of an empty timing loop taken off. The machine may be shared: each figure is the least of
its rounds, the estimate a busy neighbour disturbs least. Each Python call taking a value is measured with the
standard library's json and, when installed, with orjson.

Last, the same for a large value: agstate.make_patch of two 2.2 MB dicts (benchmarks/inputs.py, 10 leaves
changed), with json and with orjson, against make_patch of their JSON text.

Run: python benchmarks/python_overhead.py (from a Python with the agstate package; scripts/bench.sh does).
"""
import ctypes
import os
import sys
import timeit
from ctypes import POINTER, byref, c_char_p, c_double, c_int, c_size_t, c_uint32, c_uint64, c_void_p

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
LIBDIR = os.path.join(ROOT, "build", "lib")
os.environ.setdefault("AGSTATE_LIBRARY", os.path.join(LIBDIR, "libagstate.so.0"))

import agstate  # noqa: E402
from agstate import _convert, _native  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inputs import state  # noqa: E402
from timing import interleaved_medians_ms  # noqa: E402

GOAL_NS = 500
ROUNDS = 101
CALLS = 2000

helper = ctypes.CDLL(os.path.join(LIBDIR, "libagstate_bench_helper.so"))
for name in ("agsb_store_patch", "agsb_store_get", "agsb_validator_feed"):
    getattr(helper, name).restype = c_double
    getattr(helper, name).argtypes = [c_void_p, c_char_p, c_size_t, c_uint64]

path = _native._path
bare = ctypes.CDLL(path)
bare_gil = ctypes.PyDLL(path)
bare_raw = ctypes.PyDLL(path)
for lib in (bare, bare_gil):
    lib.ags_store_patch.restype = c_int
    lib.ags_store_patch.argtypes = [c_void_p, c_char_p, c_size_t, POINTER(_native.ags_commit_options), POINTER(c_uint64)]
    lib.ags_store_get.restype = c_int
    lib.ags_store_get.argtypes = [c_void_p, c_char_p, c_size_t, c_uint32, POINTER(c_void_p), POINTER(c_size_t)]
    lib.ags_validator_feed.restype = c_int
    lib.ags_validator_feed.argtypes = [c_void_p, c_char_p, c_size_t, POINTER(c_void_p), POINTER(c_size_t)]
    lib.ags_free.restype = None
    lib.ags_free.argtypes = [c_void_p]

STATE = {"count": 0, "title": "plan", "done": False, "tags": ["a", "b"], "owner": {"id": 7, "name": "ada"}}
PATCH = [{"op": "replace", "path": "/count", "value": 1}]
PATCH_TEXT = '[{"op":"replace","path":"/count","value":1}]'
POINTER_TEXT = "/owner"
EVENT = {"type": "TEXT_MESSAGE_CONTENT", "messageId": "m1", "delta": "Hello"}
EVENT_TEXT = '{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"Hello"}'

store = agstate.Store(STATE)
validator = agstate.EventValidator("client")
for event in ({"type": "RUN_STARTED", "threadId": "t", "runId": "r"},
              {"type": "TEXT_MESSAGE_START", "messageId": "m1", "role": "assistant"}):
    assert validator.feed(event) == []
assert validator.feed(EVENT_TEXT) == []

h, vh = store._handle, validator._handle
patch_bytes, ptr_bytes, event_bytes = PATCH_TEXT.encode(), POINTER_TEXT.encode(), EVENT_TEXT.encode()
version = c_uint64()
out, out_len = c_void_p(), c_size_t()
g = dict(globals(), version_ref=byref(version), out_ref=byref(out), out_len_ref=byref(out_len))


def bare_get(lib):
    def call():
        lib.ags_store_get(h, ptr_bytes, len(ptr_bytes), 0, g["out_ref"], g["out_len_ref"])
        lib.ags_free(out)
    return call


def bare_feed(lib):
    def call():
        lib.ags_validator_feed(vh, event_bytes, len(event_bytes), g["out_ref"], g["out_len_ref"])
        lib.ags_free(out)
    return call


g.update(GOT=store.get_json(POINTER_TEXT).encode(), orjson_dumps=getattr(_convert._orjson, "dumps", None),
         orjson_loads=getattr(_convert._orjson, "loads", None))
g.update(cdll_get=bare_get(bare), pydll_get=bare_get(bare_gil), cdll_feed=bare_feed(bare), pydll_feed=bare_feed(bare_gil))

# (call, label, statement or C function); a statement runs in `g`, a C function is the helper's loop.
PYTHON = {
    "patch": [
        ("ctypes CDLL", "bare.ags_store_patch(h, patch_bytes, len(patch_bytes), None, version_ref)"),
        ("ctypes PyDLL", "bare_gil.ags_store_patch(h, patch_bytes, len(patch_bytes), None, version_ref)"),
        ("Store.patch(str)", "store.patch(PATCH_TEXT)"),
        ("Store.patch(bytes)", "store.patch(patch_bytes)"),
        ("Store.patch(list) json", ("json", "store.patch(PATCH)")),
        ("Store.patch(list) orjson", ("orjson", "store.patch(PATCH)")),
        ("  of which orjson.dumps(list)", ("orjson", "orjson_dumps(PATCH)")),
    ],
    "get": [
        ("ctypes CDLL + ags_free", "cdll_get()"),
        ("ctypes PyDLL + ags_free", "pydll_get()"),
        ("Store.get_json", "store.get_json(POINTER_TEXT)"),
        ("Store.get json", ("json", "store.get(POINTER_TEXT)")),
        ("Store.get orjson", ("orjson", "store.get(POINTER_TEXT)")),
        ("  of which orjson.loads(text)", ("orjson", "orjson_loads(GOT)")),
    ],
    "feed": [
        ("ctypes CDLL + ags_free", "cdll_feed()"),
        ("ctypes PyDLL + ags_free", "pydll_feed()"),
        ("EventValidator.feed(str)", "validator.feed(EVENT_TEXT)"),
        ("EventValidator.feed(bytes)", "validator.feed(event_bytes)"),
        ("EventValidator.feed(dict) json", ("json", "validator.feed(EVENT)")),
        ("EventValidator.feed(dict) orjson", ("orjson", "validator.feed(EVENT)")),
    ],
}
C_LOOPS = {
    "patch": lambda n: helper.agsb_store_patch(h, patch_bytes, len(patch_bytes), n),
    "get": lambda n: helper.agsb_store_get(h, ptr_bytes, len(ptr_bytes), n),
    "feed": lambda n: helper.agsb_validator_feed(vh, event_bytes, len(event_bytes), n),
}


def python_loop(statement):
    backend = None
    if isinstance(statement, tuple):
        backend, statement = statement
    timer = timeit.Timer(statement, globals=g)

    def run(n):
        if backend is not None and _convert.use_orjson(backend == "orjson") != (backend == "orjson"):
            return None  # orjson is not installed
        try:
            return timer.timeit(n) / n * 1e9
        finally:
            _convert.use_orjson(True)
    return run


def main():
    empty = timeit.Timer("pass").timeit
    loops = {call: [("C, same process", C_LOOPS[call])] + [(label, python_loop(s)) for label, s in PYTHON[call]]
             for call in PYTHON}
    times = {(call, label): [] for call in loops for label, _ in loops[call]}
    for call in loops:  # warm up (the store's history reaches its bound of 1,000 versions)
        for label, run in loops[call]:
            if run(2000) is not None and run(2000) < 0:
                sys.exit(f"the C helper could not call the library on the binding's handle ({call})")
    loop_ns = []
    for _ in range(ROUNDS):
        loop_ns.append(empty(CALLS) / CALLS * 1e9)
        for call in loops:
            for label, run in loops[call]:
                t = run(CALLS)
                if t is not None:
                    times[(call, label)].append(t)
    overhead = min(loop_ns)
    print(f"Python {sys.version.split()[0]}, orjson {'installed' if _convert._orjson else 'not installed'}; "
          f"least of {ROUNDS} interleaved rounds of {CALLS} calls; empty loop {overhead:.0f} ns taken off")
    verdict = []
    for call in loops:
        med = {label: min(t) - (0 if label.startswith("C,") else overhead)
               for (c, label), t in times.items() if c == call and t}
        c_ns, ref = med["C, same process"], med[loops[call][1][0]]
        print(f"\n{call}: {'call':34} {'ns':>6} {'over ctypes CDLL':>17} {'over C':>8}")
        for label, _ in loops[call]:
            if label in med:
                print(f"{'':{len(call) + 2}}{label:34} {med[label]:6.0f} {med[label] - ref:+17.0f} {med[label] - c_ns:+8.0f}")
        binding = [label for label in med if label.startswith(("Store", "EventValidator"))]
        worst = max(med[label] - ref for label in binding if "json" not in label or label.endswith("orjson"))
        verdict.append((call, worst))
    print()
    for call, worst in verdict:
        met = "met" if worst <= GOAL_NS else "NOT met"
        print(f"goal ({GOAL_NS} ns over a bare ctypes call) for {call}: {met} (worst {worst:+.0f} ns, orjson where a"
              f" value is converted)")


def large_values():
    a = state()
    b = _convert._json_loads(_convert._json_dumps(a))
    for k in range(10):
        b["items"][f"item{k * 997}"]["meta"]["score"] = -(k + 1)
    a_text, b_text = _convert._json_dumps(a), _convert._json_dumps(b)

    def with_backend(orjson):
        def run():
            _convert.use_orjson(orjson)
            try:
                agstate.make_patch(a, b)
            finally:
                _convert.use_orjson(True)
        return run
    rows = [("from JSON text", lambda: agstate.make_patch(a_text, b_text)), ("dicts, json", with_backend(False))]
    if _convert._orjson is not None:
        rows.append(("dicts, orjson", with_backend(True)))
    medians = interleaved_medians_ms([fn for _, fn in rows], rounds=9)
    print(f"\nmake_patch of two {len(a_text) / 1e6:.1f} MB states, median of 9 interleaved rounds: "
          + ", ".join(f"{name} {ms:.1f} ms" for (name, _), ms in zip(rows, medians)))


if __name__ == "__main__":
    main()
    large_values()
