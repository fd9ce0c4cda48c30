"""Compression of the 2.2 MB benchmark state: agstate's gzip (level 6) and zstd (level 3) against Python's own
zlib.compress at level 6 on the same bytes, in the same run. Medians of repeated runs.

Run: build/venv/bin/python benchmarks/compression.py  (after scripts/setup.sh)."""
import gzip
import os
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(__file__))
import agstate  # noqa: E402
from timing import interleaved_medians_ms  # noqa: E402
from inputs import state_bytes  # noqa: E402


def main():
    data = state_bytes()
    rows = [
        ("Python zlib.compress, level 6", lambda: zlib.compress(data, 6)),
        ("Python gzip.compress, level 6", lambda: gzip.compress(data, 6, mtime=0)),
        ("agstate zlib, level 6", lambda: agstate.compress(data, "zlib", 6)),
        ("agstate gzip, level 6", lambda: agstate.compress(data, "gzip", 6)),
        ("agstate zstd, level 3", lambda: agstate.compress(data, "zstd", 3)),
    ]
    medians = interleaved_medians_ms([fn for _, fn in rows], rounds=40)
    results = [(name, ms, len(fn())) for (name, fn), ms in zip(rows, medians)]
    base = results[0][1]
    print(f"input: {len(data) / 1e6:.2f} MB of JSON ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)\n")
    print("| compressor | median time | vs zlib.compress | output | ratio |")
    print("|---|---|---|---|---|")
    for name, ms, size in results:
        print(f"| {name} | {ms:.2f} ms | {ms / base:.2f}x | {size / 1e3:.0f} KB | {len(data) / size:.1f}x |")
    packed = agstate.compress(data, "gzip", 6)
    ours, theirs = interleaved_medians_ms([lambda: agstate.decompress(packed, "gzip", max_size=len(data)),
                                           lambda: zlib.decompress(packed, 31)], rounds=40)
    print(f"\ndecompress (gzip): agstate {ours:.2f} ms, Python zlib.decompress {theirs:.2f} ms ({ours / theirs:.2f}x)")


if __name__ == "__main__":
    main()
