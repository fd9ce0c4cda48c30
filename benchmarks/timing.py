"""Timing shared by the benchmark programs."""
import statistics
import time


def interleaved_medians_ms(fns, rounds=15):
    """Runs the candidates in turn, round after round, so that a slow moment of the machine falls on all of
    them alike; returns each one's median in milliseconds."""
    for fn in fns:
        fn()
    times = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) * 1e3 for t in times]
