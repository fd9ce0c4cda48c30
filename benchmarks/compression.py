"""Compression of the 2.2 MB benchmark state: agstate's gzip (level 6) and zstd (level 3) against Python's own
zlib.compress at level 6 on the same bytes, in the same run. Medians of repeated runs.

Run: build/venv/bin/python benchmarks/compression.py  (after scripts/setup.sh)."""
import gzip
import os
import statistics
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(__file__))
import agstate  # noqa: E402
from inputs import state_bytes  # noqa: E402


def median_ms(fn, repeat=30):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def interleaved_medians_ms(fns, rounds=40):
    """Runs the candidates in turn, round after round, so that a slow moment of the machine falls on all
    of them alike; returns each one's median."""
    for fn in fns:
        fn()
    times = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) * 1e3 for t in times]


def main():
    data = state_bytes()
    rows = [
        ("Python zlib.compress, level 6", lambda: zlib.compress(data, 6)),
        ("Python gzip.compress, level 6", lambda: gzip.compress(data, 6, mtime=0)),
        ("agstate zlib, level 6", lambda: agstate.compress(data, "zlib", 6)),
        ("agstate gzip, level 6", lambda: agstate.compress(data, "gzip", 6)),
        ("agstate zstd, level 3", lambda: agstate.compress(data, "zstd", 3)),
    ]
    medians = interleaved_medians_ms([fn for _, fn in rows])
    results = [(name, ms, len(fn())) for (name, fn), ms in zip(rows, medians)]
    base = results[0][1]
    print(f"input: {len(data) / 1e6:.2f} MB of JSON ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)\n")
    print("| compressor | median time | vs zlib.compress | output | ratio |")
    print("|---|---|---|---|---|")
    for name, ms, size in results:
        print(f"| {name} | {ms:.2f} ms | {ms / base:.2f}x | {size / 1e3:.0f} KB | {len(data) / size:.1f}x |")
    packed = agstate.compress(data, "gzip", 6)
    ours, theirs = interleaved_medians_ms([lambda: agstate.decompress(packed, "gzip", max_size=len(data)),
                                           lambda: zlib.decompress(packed, 31)])
    print(f"\ndecompress (gzip): agstate {ours:.2f} ms, Python zlib.decompress {theirs:.2f} ms ({ours / theirs:.2f}x)")


if __name__ == "__main__":
    main()
