"""Storage backends: the same workload on durable SQLite storage, with encryption at rest off and on and with
full and normal durability, printed as a table of commits per second and bytes on disk; then every store
reopened from its file (a restart) with its state, version and history, and a wrong key refused. Real files
in a temporary directory. Checkpoints are always zstd-compressed (there is no switch to turn it off), and
the PostgreSQL, Redis and hybrid backends are not part of this example yet. Exits 1 if any of it does not hold."""
import os
import sys
import tempfile
import time

import agstate

failures = 0


def check(ok: bool, what: str) -> None:
    global failures
    print(("ok    " if ok else "FAIL  ") + what)
    failures += 0 if ok else 1


KEY = bytes(range(32))  # a real application reads its key from a secret store
COMMITS = 300           # per configuration: a chat of 300 messages
SETUPS = [("sqlite", None, "full"), ("sqlite", None, "normal"), ("sqlite + encryption", KEY, "full"),
          ("sqlite + encryption", KEY, "normal")]


def files(path: str) -> bytes:
    """The database and its write-ahead log, as they are on disk."""
    data = b""
    for suffix in ("", "-wal"):
        if os.path.exists(path + suffix):
            with open(path + suffix, "rb") as f:
                data += f.read()
    return data


def workload(store: agstate.Store) -> None:
    for i in range(COMMITS):
        store.patch([{"op": "add", "path": "/messages/-",
                      "value": {"role": "user" if i % 2 else "assistant", "text": f"message {i}: " + "lorem ipsum " * 8}},
                     {"op": "replace", "path": "/count", "value": i + 1}])


with tempfile.TemporaryDirectory(prefix="agstate-storage-") as folder:
    rows, finals = [], {}
    for n, (name, key, durability) in enumerate(SETUPS):
        path = os.path.join(folder, f"setup-{n}.db")
        with agstate.Storage("sqlite:" + path, key=key, durability=durability) as storage:
            store = storage.open_store("thread-1", {"messages": [], "count": 0})
            started = time.monotonic()
            workload(store)
            elapsed = time.monotonic() - started
            finals[n] = (store.version, store.get())
            state_bytes = len(store.to_json())
            store.close()
        rows.append((name, durability, COMMITS / elapsed, len(files(path))))
    print(f"      {'backend':<22}{'durability':<12}{'commits/s':>11}{'bytes on disk':>15}")
    for name, durability, rate, size in rows:
        print(f"      {name:<22}{durability:<12}{rate:>11.0f}{size:>15}")
    print(f"      ({COMMITS} commits; the final state is {state_bytes} bytes of JSON)")

    # A restart: every store comes back from its file with its state, version and history.
    for n, (name, key, durability) in enumerate(SETUPS):
        path = os.path.join(folder, f"setup-{n}.db")
        with agstate.Storage("sqlite:" + path, key=key) as storage:
            with storage.open_store("thread-1") as store:
                version, state = finals[n]
                check(store.version == version == COMMITS and store.get() == state
                      and store.state_at(COMMITS - 1)["count"] == COMMITS - 1,
                      f"{name} ({durability}) reopened at v{store.version} with its state and history")

    # Encryption at rest: the messages are not in the file, and a wrong key is refused.
    sealed, clear = files(os.path.join(folder, "setup-2.db")), files(os.path.join(folder, "setup-0.db"))
    check(b"lorem ipsum" not in sealed and b"lorem ipsum" in clear,
          "with encryption the text is not in the file (without it, it is)")
    try:
        with agstate.Storage("sqlite:" + os.path.join(folder, "setup-2.db"), key=bytes(32)) as storage:
            storage.open_store("thread-1")
        check(False, "a wrong key is refused")
    except agstate.CorruptData as error:
        check(True, f"a wrong key is refused: {error}")

print("storage_backends: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
sys.exit(1 if failures else 0)
