"""Event validation speed, on three long realistic NDJSON streams (benchmarks/event_stream.py), mostly
TEXT_MESSAGE_CONTENT and TOOL_CALL_ARGS with some state deltas, a STATE_SNAPSHOT at the start of each run:
  chat:   a 3.5 KB shared state, one STATE_DELTA per tool call (1.4% of the events);
  shared: a 17 KB shared state, five STATE_DELTA per tool call (predictive state updates, 7.7%);
  large:  the same with a 34 KB state (ag-ui-validate deep-copies the state on every STATE_DELTA, so its
          cost grows with the state: here it took about 17 us per event on 2026-11-24's machine, near the
          14 us the validation issue measured on its stream; 35 to 60 us on 2026-12-02's).
Each is validated through Python's agstate.EventValidator (the whole buffer in one feed_stream call) and,
on its first 20,000 events, by the PyPI ag-ui-validate validator (fed line by line as raw strings, as its
corpus instructions say). The streams are written to build/benchmarks/events-*.ndjson for the native
measurement (bench_validate_stream)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agstate  # noqa: E402
from event_stream import make_stream  # noqa: E402
from timing import interleaved_medians_ms  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
EVENTS = int(os.environ.get("AGSTATE_BENCH_EVENTS", "200000"))
PEER_EVENTS = int(os.environ.get("AGSTATE_BENCH_PEER_EVENTS", "20000"))
STREAMS = {"chat": dict(state_items=20, deltas_per_tool_call=1),
           "shared": dict(state_items=100, deltas_per_tool_call=5),
           "large": dict(state_items=200, deltas_per_tool_call=5)}


def agstate_run(profile, buffer):
    def run():
        v = agstate.EventValidator(profile)
        v.feed_stream(buffer)
        v.finalize()
        assert v.counts["error"] == 0, v.findings[:3]
    return run


def peer_version():
    try:
        from importlib.metadata import version
        return version("ag-ui-validate")
    except Exception:
        return "?"


def main():
    try:
        from ag_ui_validate import create_validator
    except ImportError:
        create_validator = None
        print("ag-ui-validate is not installed: the peer is not measured")
    out_dir = os.path.join(ROOT, "build", "benchmarks")
    os.makedirs(out_dir, exist_ok=True)
    for name, shape in STREAMS.items():
        data, count = make_stream(EVENTS, **shape)
        with open(os.path.join(out_dir, f"events-{name}.ndjson"), "wb") as f:
            f.write(data)
        deltas = data.count(b'"STATE_DELTA"')
        print(f"stream '{name}': {count} events, {len(data) / 1e6:.1f} MB, {deltas} state deltas")
        client_ms, strict_ms = interleaved_medians_ms([agstate_run("client", data), agstate_run("strict", data)], rounds=9)
        for profile, ms in (("client", client_ms), ("strict", strict_ms)):
            print(f"  agstate via Python, {profile}: {ms:.1f} ms, {count / ms / 1e3:.2f} M events/s, {ms * 1e6 / count:.0f} ns/event")
        if create_validator is None:
            continue
        subset, n = make_stream(PEER_EVENTS, **shape)  # whole runs: the start of the same stream
        lines = subset.decode().splitlines()

        def peer():
            v = create_validator()
            for line in lines:
                v.feed(line)
            v.finalize()

        # Nine rounds: a run of ours on the subset takes a few milliseconds, and three medians of it moved
        # by up to 2x with the machine.
        peer_ms, ours_ms = interleaved_medians_ms([peer, agstate_run("strict", subset)], rounds=9)
        print(f"  ag-ui-validate {peer_version()} on its first {n} events: {peer_ms:.0f} ms, {peer_ms * 1e3 / n:.1f} us/event")
        print(f"  agstate strict via Python on the same {n} events: {ours_ms:.2f} ms, {ours_ms * 1e6 / n:.0f} ns/event: "
              f"{peer_ms / ours_ms:.0f}x ag-ui-validate")
        print(f"  per event, agstate strict on the whole stream against ag-ui-validate: "
              f"{(peer_ms / n) / (strict_ms / count):.0f}x")

        def ours_per_event():
            v = agstate.EventValidator("strict")
            for line in lines:
                v.feed(line)
            v.finalize()

        (one_ms,) = interleaved_medians_ms([ours_per_event], rounds=3)
        print(f"  agstate strict via Python fed one event a call (feed(str)): {one_ms * 1e3 / n:.2f} us/event, "
              f"{peer_ms / one_ms:.1f}x ag-ui-validate (the ctypes call dominates)")


if __name__ == "__main__":
    main()
