"""Storage backends: the same workload on durable SQLite storage (encryption at rest off and on, full and
normal durability), on PostgreSQL, on Redis and on the hybrid (a PostgreSQL primary with a SQLite fallback),
each with encryption off and on, printed as a table of commits per second and bytes on disk ("-" for the
server backends, whose bytes are the server's); then every store reopened by a new Storage on the same file
or URL (a restart) with its state, version and history, and a wrong key refused. Real files in a temporary
directory; the servers come from AGSTATE_TEST_PG_URL and AGSTATE_TEST_REDIS_URL (scripts/servers.sh starts
private ones), and the store ids carry the process id and the time, so that runs against the same servers do
not meet. Checkpoints are always zstd-compressed (there is no switch to turn it off). Exits 1 if any of it
does not hold."""
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
PG_URL, REDIS_URL = os.environ.get("AGSTATE_TEST_PG_URL"), os.environ.get("AGSTATE_TEST_REDIS_URL")
if not PG_URL or not REDIS_URL:
    sys.exit("storage_backends: set AGSTATE_TEST_PG_URL to a PostgreSQL URL and AGSTATE_TEST_REDIS_URL to a Redis URL "
             "(scripts/servers.sh starts both)")
RUN = f"{os.getpid()}-{time.time_ns()}"  # in the store ids: reruns against the same servers do not collide
# (name, kind, key, durability): durability applies to SQLite only ("-" for the servers).
SETUPS = [("sqlite", "sqlite", None, "full"), ("sqlite", "sqlite", None, "normal"),
          ("sqlite + encryption", "sqlite", KEY, "full"), ("sqlite + encryption", "sqlite", KEY, "normal"),
          ("postgresql", "postgresql", None, "-"), ("postgresql + encryption", "postgresql", KEY, "-"),
          ("redis", "redis", None, "-"), ("redis + encryption", "redis", KEY, "-"),
          ("hybrid", "hybrid", None, "-"), ("hybrid + encryption", "hybrid", KEY, "-")]


def url(folder: str, n: int) -> str:
    kind = SETUPS[n][1]
    if kind == "sqlite":
        return "sqlite:" + os.path.join(folder, f"setup-{n}.db")
    if kind == "hybrid":
        return f"hybrid:{PG_URL}|sqlite:" + os.path.join(folder, f"setup-{n}-fallback.db")
    return PG_URL if kind == "postgresql" else REDIS_URL


def store_id(n: int) -> str:
    return f"thread-{RUN}-{n}"


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
    for n, (name, kind, key, durability) in enumerate(SETUPS):
        path = os.path.join(folder, f"setup-{n}.db")
        with agstate.Storage(url(folder, n), key=key, durability="full" if durability == "-" else durability) as storage:
            store = storage.open_store(store_id(n), {"messages": [], "count": 0})
            started = time.monotonic()
            workload(store)
            elapsed = time.monotonic() - started
            finals[n] = (store.version, store.get())
            state_bytes = len(store.to_json())
            store.close()
        rows.append((name, durability, COMMITS / elapsed, len(files(path)) if kind == "sqlite" else "-"))
    print(f"      {'backend':<26}{'durability':<12}{'commits/s':>11}{'bytes on disk':>15}")
    for name, durability, rate, size in rows:
        print(f"      {name:<26}{durability:<12}{rate:>11.0f}{size:>15}")
    print(f"      ({COMMITS} commits; the final state is {state_bytes} bytes of JSON)")

    # A restart: a new Storage on the same file or URL finds every store with its state, version and history.
    for n, (name, kind, key, durability) in enumerate(SETUPS):
        with agstate.Storage(url(folder, n), key=key) as storage:
            with storage.open_store(store_id(n)) as store:
                version, state = finals[n]
                check(store.version == version == COMMITS and store.get() == state
                      and store.state_at(COMMITS - 1)["count"] == COMMITS - 1,
                      f"{name}{'' if durability == '-' else f' ({durability})'} reopened at v{store.version} with its state and history")

    # Encryption at rest: the messages are not in the file, and a wrong key is refused.
    sealed, clear = files(os.path.join(folder, "setup-2.db")), files(os.path.join(folder, "setup-0.db"))
    check(b"lorem ipsum" not in sealed and b"lorem ipsum" in clear,
          "with encryption the text is not in the file (without it, it is)")
    try:
        with agstate.Storage("sqlite:" + os.path.join(folder, "setup-2.db"), key=bytes(32)) as storage:
            storage.open_store(store_id(2))
        check(False, "a wrong key is refused")
    except agstate.CorruptData as error:
        check(True, f"a wrong key is refused: {error}")

print("storage_backends: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
sys.exit(1 if failures else 0)
