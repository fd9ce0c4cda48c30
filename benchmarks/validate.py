"""Event validation speed: one long realistic NDJSON stream (benchmarks/event_stream.py) validated through
Python's agstate.EventValidator (the whole buffer in one feed_stream call) and, on the same events, by the
PyPI ag-ui-validate validator (fed line by line as raw strings, as its corpus instructions say). Writes the
stream to build/benchmarks/events.ndjson for the native measurement (bench_validate_stream)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agstate  # noqa: E402
from event_stream import make_stream  # noqa: E402
from timing import interleaved_medians_ms  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
EVENTS = int(os.environ.get("AGSTATE_BENCH_EVENTS", "200000"))
PEER_EVENTS = int(os.environ.get("AGSTATE_BENCH_PEER_EVENTS", "20000"))


def main():
    data, count = make_stream(EVENTS)
    out_dir = os.path.join(ROOT, "build", "benchmarks")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "events.ndjson"), "wb") as f:
        f.write(data)
    print(f"stream: {count} events, {len(data) / 1e6:.1f} MB (mostly TEXT_MESSAGE_CONTENT and TOOL_CALL_ARGS)")

    def agstate_run(profile, buffer):
        def run():
            v = agstate.EventValidator(profile)
            v.feed_stream(buffer)
            v.finalize()
            assert v.counts["error"] == 0, v.findings[:3]
        return run

    client_ms, strict_ms = interleaved_medians_ms([agstate_run("client", data), agstate_run("strict", data)], rounds=9)
    for name, ms in (("client", client_ms), ("strict", strict_ms)):
        print(f"agstate via Python, {name}: {ms:.1f} ms, {count / ms / 1e3:.2f} M events/s, {ms * 1e6 / count:.0f} ns/event")

    try:
        from ag_ui_validate import create_validator
    except ImportError:
        print("ag-ui-validate is not installed: the peer is not measured")
        return
    subset, _ = make_stream(PEER_EVENTS)  # whole runs, the start of the same stream
    lines = subset.decode().splitlines()

    def peer():
        v = create_validator()
        for line in lines:
            v.feed(line)
        v.finalize()

    peer_ms, ours_ms = interleaved_medians_ms([peer, agstate_run("strict", subset)], rounds=3)
    v = create_validator()
    for line in lines:
        v.feed(line)
    found = v.finalize()
    n = len(lines)
    print(f"ag-ui-validate {peer_version()} on its first {n} events: {peer_ms:.0f} ms, {peer_ms * 1e3 / n:.1f} us/event"
          f" ({len(found)} end-of-stream diagnostics)")
    print(f"agstate strict via Python on the same {n} events: {ours_ms:.2f} ms, {ours_ms * 1e6 / n:.0f} ns/event: "
          f"{peer_ms / ours_ms:.0f}x ag-ui-validate")
    print(f"agstate strict via Python on the whole stream: {(peer_ms / n) / (strict_ms / count):.0f}x ag-ui-validate's per-event time")


def peer_version():
    try:
        from importlib.metadata import version
        return version("ag-ui-validate")
    except Exception:
        return "?"


if __name__ == "__main__":
    main()
