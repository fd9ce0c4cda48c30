#!/usr/bin/env python3
"""Crash test of durable stores: a child process commits random patches of mixed sizes to a few stores
(one thread per store, so commits share transactions) and logs each patch before committing it and each
acknowledged version after; the parent kills it with SIGKILL at a random moment, reopens the database, and
checks that every store is exactly at its last acknowledged version or a later attempted one, with the
state an in-memory replay of the same patches gives. Then the next round continues on the same database.

    python3 scripts/storage_crash_test.py --rounds 100 --durability normal
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

STORES = ["alpha", "beta", "gamma"]
CHILD_OPTIONS = dict(checkpoint_changes=40, checkpoint_bytes=1 << 20)
TEST_KEY = bytes(range(32))


def options(encrypted: bool) -> dict:
    return dict(CHILD_OPTIONS, key=TEST_KEY, key_id=1) if encrypted else dict(CHILD_OPTIONS)


def random_patch(rng: random.Random, keys: list) -> list:
    """A patch of one to a few operations; values from a few bytes to a few hundred KB."""
    ops = []
    for _ in range(rng.choice([1, 1, 1, 2, 5])):
        kind = rng.random()
        if kind < 0.15 and keys:
            key = keys.pop(rng.randrange(len(keys)))
            ops.append({"op": "remove", "path": f"/{key}"})
            continue
        size = rng.choice([1, 1, 1, 10, 100, 1000, 20000]) if kind < 0.97 else rng.choice([100_000, 300_000])
        key = f"k{rng.randrange(50)}"
        value = {"n": rng.randrange(1 << 40), "s": "x" * size, "l": list(range(rng.randrange(5)))}
        ops.append({"op": "add", "path": f"/{key}", "value": value})
        if key not in keys:
            keys.append(key)
    return ops


def child(url: str, durability: str, seed: int, log_path: str, encrypted: bool) -> None:
    """Commits forever (until killed), logging TRY before and ACK after each commit."""
    import threading
    import agstate

    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    storage = agstate.Storage(url, durability=durability, **options(encrypted))

    def run(name: str, offset: int) -> None:
        store = storage.open_store(name, {})
        rng = random.Random(seed * 1000 + offset)
        keys = [k for k in store.get("")]
        while True:
            patch = random_patch(rng, keys)
            os.write(log, (json.dumps({"t": "try", "store": name, "patch": patch}) + "\n").encode())
            version = store.patch(patch)
            os.write(log, (json.dumps({"t": "ack", "store": name, "version": version}) + "\n").encode())

    threads = [threading.Thread(target=run, args=(name, i), daemon=True) for i, name in enumerate(STORES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def read_log(path: str) -> list:
    """The complete lines of the log (a line cut by the kill is not complete, and its commit not begun)."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    return [json.loads(line) for line in lines[:-1] if line]


def run_rounds(rounds: int, durability: str, directory: str, min_wait: float = 0.0, max_wait: float = 0.5,
               seed: int = 1, report=print, encrypted: bool = False) -> dict:
    import agstate

    url = f"sqlite:{directory}/crash.db"
    # The model: for each store, its state and version as last verified on disk.
    model = {name: ({}, 0) for name in STORES}
    rng = random.Random(seed)
    totals = {"rounds": 0, "acknowledged": 0, "attempted_beyond_ack": 0}
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([p for p in sys.path if p])
    for round_number in range(rounds):
        log_path = os.path.join(directory, f"round-{round_number}.log")
        process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", url, durability,
                                    str(seed * 100000 + round_number), log_path, "1" if encrypted else "0"], env=env)
        # Mostly while commits are flowing; now and then while the child is still starting or opening.
        if rng.random() < 0.9:
            deadline = time.time() + 10
            while time.time() < deadline and not (os.path.exists(log_path) and os.path.getsize(log_path) > 0):
                time.sleep(0.005)
        time.sleep(rng.uniform(min_wait, max_wait))
        process.send_signal(signal.SIGKILL)
        process.wait()
        entries = read_log(log_path) if os.path.exists(log_path) else []
        with agstate.Storage(url, durability=durability, **options(encrypted)) as storage:
            for name in STORES:
                state, start = model[name]
                tried = [e["patch"] for e in entries if e["store"] == name and e["t"] == "try"]
                acked = max([e["version"] for e in entries if e["store"] == name and e["t"] == "ack"], default=start)
                if name not in storage.list():
                    assert not any(e["store"] == name and e["t"] == "ack" for e in entries), f"{name}: acknowledged store lost"
                    continue
                store = storage.open_store(name)
                on_disk = store.version
                assert acked <= on_disk <= start + len(tried), (
                    f"round {round_number}, store {name}: on disk version {on_disk}, acknowledged {acked}, "
                    f"attempted up to {start + len(tried)}")
                replay = agstate.Store(state)
                for patch in tried[:on_disk - start]:
                    replay.patch(patch)
                assert store.get_json("", sort_keys=True) == replay.get_json("", sort_keys=True), (
                    f"round {round_number}, store {name}: state at version {on_disk} differs from the replay")
                # History across the restart: the version before the last one rebuilds too.
                if on_disk - start >= 2:
                    before = agstate.Store(state)
                    for patch in tried[:on_disk - start - 1]:
                        before.patch(patch)
                    assert store.state_at(on_disk - 1) == before.get(""), (
                        f"round {round_number}, store {name}: state_at({on_disk - 1}) differs from the replay")
                totals["acknowledged"] += acked - start
                totals["attempted_beyond_ack"] += on_disk - acked
                model[name] = (store.get(""), on_disk)
                store.close()
        if os.path.exists(log_path):
            os.unlink(log_path)
        totals["rounds"] += 1
        report(f"round {round_number + 1}/{rounds}: versions " +
               ", ".join(f"{n}={model[n][1]}" for n in STORES))
    return totals


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6] == "1")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--durability", choices=["full", "normal"], default="normal")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--encrypted", action="store_true", help="seal every row with a test key")
    parser.add_argument("--dir", default=None, help="where the database goes (default: a new temporary folder)")
    args = parser.parse_args()
    directory = args.dir or tempfile.mkdtemp(prefix="agstate-crash-")
    started = time.time()
    totals = run_rounds(args.rounds, args.durability, directory, seed=args.seed, encrypted=args.encrypted)
    print(f"{totals['rounds']} rounds clean with durability {args.durability}"
          f"{', encrypted' if args.encrypted else ''}: {totals['acknowledged']} acknowledged "
          f"commits all found, {totals['attempted_beyond_ack']} attempted-but-unacknowledged commits found on disk, "
          f"{time.time() - started:.0f} s, database {directory}/crash.db")


if __name__ == "__main__":
    main()
