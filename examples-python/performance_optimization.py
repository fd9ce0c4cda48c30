"""Performance optimization: many conversation stores in one registry under a memory budget, on durable SQLite
storage (a store is loaded on first use, the least recently used are evicted past the budget and come back
with their exact state), and the batcher turning many small commits into a few compacted STATE_DELTA events;
the numbers that matter are printed from the engine's own statistics and metrics. Exits 1 if any of it does
not hold."""
import os
import sys
import tempfile

import agstate

failures = 0


def check(ok: bool, what: str) -> None:
    global failures
    print(("ok    " if ok else "FAIL  ") + what)
    failures += 0 if ok else 1


STORES = 400             # conversation threads
BUDGET = 256 * 1024      # bytes of resident state and history the registry may keep
COMMITS = 1000           # small commits seen by the batcher


def thread_state(n: int) -> dict:
    return {"thread": n, "messages": [{"role": "user", "text": f"question {n}: " + "lorem ipsum " * 20}], "turns": 1}


with tempfile.TemporaryDirectory(prefix="agstate-perf-") as folder:
    storage = agstate.Storage("sqlite:" + os.path.join(folder, "threads.db"), durability="normal")

    print(f"== {STORES} threads through a registry with a budget of {BUDGET // 1024} KiB")
    with agstate.Registry(storage, budget_bytes=BUDGET) as registry:
        for n in range(STORES):
            with registry.get(f"thread-{n:03}", thread_state(n)) as store:
                store.patch([{"op": "add", "path": "/messages/-", "value": {"role": "assistant", "text": f"answer {n}"}},
                             {"op": "replace", "path": "/turns", "value": 2}])
        stats = registry.stats()
        print(f"      resident {stats['resident']} stores, {stats['resident_bytes']} bytes; "
              f"evicted {stats['evictions']} (by cause {stats['evictions_by_cause']}); opened {stats['misses']}")
        check(stats["resident_bytes"] <= BUDGET and stats["resident"] < STORES,
              f"the resident stores stay within the budget ({stats['resident_bytes']} <= {BUDGET} bytes)")
        check(stats["evictions_by_cause"]["budget"] > 0, "the least recently used stores were evicted for the budget")

        # An evicted store comes back from storage with its exact state and version; a resident one is a hit.
        before = registry.stats()
        with registry.get("thread-000") as first:
            check(first.version == 1 and first.get("/turns") == 2 and first.get("/messages/1/text") == "answer 0",
                  "thread-000, evicted long ago, is loaded again at v1 with its state")
        with registry.get(f"thread-{STORES - 1:03}") as last:
            check(last.version == 1, f"thread-{STORES - 1:03}, used last, is still resident")
        after = registry.stats()
        check(after["misses"] == before["misses"] + 1 and after["hits"] == before["hits"] + 1,
              "one load and one hit, as the engine counts them")

    # Lazy loading: a registry over the same storage loads only what is asked for.
    with agstate.Registry(storage, budget_bytes=BUDGET) as registry:
        with registry.get("thread-123") as store:
            stats = registry.stats()
            check(stats["resident"] == 1 and stats["misses"] == 1 and store.get("/thread") == 123,
                  f"a new registry loads one thread of {len(storage.list())} when one is asked for")

        print(f"== the batcher: {COMMITS} small commits sent as compacted STATE_DELTA events")
        with registry.get("live", {"progress": 0, "log": []}) as live:
            batched, raw = [], []
            client = agstate.Store(live.get())  # what a browser holding the batched events would have
            # The same commits through two batchers: one sends each commit on its own (raw), one batches them.
            raw_batcher = agstate.Batcher(live, lambda event, f, t: raw.append(event), max_operations=1)
            batcher = agstate.Batcher(live, lambda event, f, t: batched.append(event), max_operations=200,
                                      window_ms=50)
            for i in range(COMMITS):
                batcher.poll(i)  # a clock in milliseconds: one commit per millisecond
                ops = [{"op": "replace", "path": "/progress", "value": i + 1}]
                if i % 100 == 99:
                    ops.append({"op": "add", "path": "/log/-", "value": f"step {i + 1} done"})
                live.patch(ops)
            batcher.flush()
            s = batcher.stats
            batcher.close()
            raw_batcher.close()
            for event in batched:
                client.apply_event(event)
            raw_bytes, batched_bytes = sum(len(e) for e in raw), sum(len(e) for e in batched)
            print(f"      {s['changes']} commits ({s['operationsIn']} operations) -> {s['batches']} events "
                  f"({s['operationsOut']} operations after compaction)")
            print(f"      {raw_bytes} bytes as one event per commit, {batched_bytes} bytes batched: "
                  f"{raw_bytes - batched_bytes} bytes saved ({100 * (1 - batched_bytes / raw_bytes):.1f}%)")
            check(s["changes"] == COMMITS and len(raw) == COMMITS and s["batches"] == len(batched) < COMMITS // 10,
                  f"{COMMITS} commits became {len(batched)} events (one per commit unbatched)")
            check(s["operationsOut"] < s["operationsIn"] and batched_bytes < raw_bytes / 10,
                  "compaction keeps only the last replace of each location")
            check(client.get() == live.get(), "a client applying the batched events has the store's state")

        # "live" is released: the registry measures it again (state and its 1000 versions of history)
        print("== the engine's metrics")
        m = registry.metrics()
        for name in ("commit", "load"):
            lat = m["latency"][name]
            p95 = lat["p95_seconds"]
            print(f"      {name:<8}{lat['count']:>6} timed, p95 {'-' if p95 is None else f'{p95 * 1e3:.3f} ms'}")
        st = m["statistics"]
        print(f"      resident {st['resident_bytes']} of {m['budget_bytes']} bytes, {st['commits']} commits, "
              f"{st['evictions']} evictions")
        check(m["latency"]["commit"]["count"] == st["commits"] == COMMITS, "every commit is timed")
    storage.close()

print("performance_optimization: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
sys.exit(1 if failures else 0)
