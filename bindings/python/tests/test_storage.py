"""Durable stores on real SQLite files: the API, the fault tests (each checks the error, the unchanged state
and version, and that the store still works after), encryption at rest, and a short crash-test loop."""
import hashlib
import importlib.util
import json
import os
import pathlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap

import pytest

import agstate
from agstate import Closed, Conflict, CorruptData, IOFailure, InvalidArgument, PathNotFound, Storage

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
KEY = bytes(range(32))


def url(tmp_path, name="db.sqlite"):
    return f"sqlite:{tmp_path / name}"


def run_child(code: str, *args: str) -> subprocess.CompletedProcess:
    """Runs Python code in a child process with the same agstate; fails the test when the child fails."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"child failed:\n{result.stdout}\n{result.stderr}"
    return result


def digest(path) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_open_commit_reopen_history_list_delete(tmp_path):
    with Storage(url(tmp_path), durability="normal", checkpoint_changes=4) as storage:
        store = storage.open_store("thread-1", {"messages": []})
        for i in range(10):
            assert store.add("/messages/-", {"n": i}) == i + 1
        assert store.merge({"title": "hi"}) == 11
        with store.transaction() as txn:
            txn.patch([{"op": "add", "path": "/done", "value": True}])
        assert store.version == 12
        storage.open_store("thread-2")
        assert storage.list() == ["thread-1", "thread-2"]
    with Storage(url(tmp_path)) as storage:
        store = storage.open_store("thread-1", {"ignored": True})
        assert store.version == 12
        assert store.get("/title") == "hi" and store.get("/done") is True
        assert store.state_at(3) == {"messages": [{"n": 0}, {"n": 1}, {"n": 2}]}
        assert store.delta_since(11) == [{"op": "add", "path": "/done", "value": True}]
        assert storage.open_store("thread-2").get("") == {}
        storage.delete("thread-2")
        with pytest.raises(PathNotFound):
            storage.delete("thread-2")
        assert storage.list() == ["thread-1"]
        with pytest.raises(InvalidArgument):
            storage.open_store("")
    with pytest.raises(InvalidArgument):
        Storage("redis-nowhere://x")
    with pytest.raises(ValueError):
        Storage(url(tmp_path), durability="sometimes")
    with pytest.raises(ValueError):
        Storage(url(tmp_path), key=b"short")
    with pytest.raises(OverflowError):
        Storage(url(tmp_path), checkpoint_changes=-1)


def test_closed_storage_and_deleted_store_refuse_commits(tmp_path):
    storage = Storage(url(tmp_path))
    store = storage.open_store("s", {"n": 1})
    other = storage.open_store("t")
    storage.delete("t")
    with pytest.raises(Closed):
        other.set("/x", 1)
    storage.close()
    with pytest.raises(Closed):
        store.set("/n", 2)
    assert store.version == 0 and store.get("") == {"n": 1}
    with pytest.raises(Closed):
        storage.list()


def test_backup_export_import(tmp_path):
    with Storage(url(tmp_path, "a.db"), key=KEY, key_id=5) as source:
        store = source.open_store("one", {"n": 0})
        for i in range(5):
            store.set("/n", i + 1)
        source.open_store("two", [1, 2])
        source.export(str(tmp_path / "all.agsb"))
    with Storage(url(tmp_path, "b.db"), key=KEY, key_id=5) as target:
        assert target.import_backup(str(tmp_path / "all.agsb")) == ["one", "two"]
        copy = target.open_store("one")
        assert copy.version == 5 and copy.get("/n") == 5 and copy.state_at(2) == {"n": 2}
        with pytest.raises(Conflict):
            target.import_backup(str(tmp_path / "all.agsb"))
    with Storage(url(tmp_path, "c.db")) as plain:
        with pytest.raises(CorruptData):
            plain.import_backup(str(tmp_path / "all.agsb"))
        assert plain.list() == []


def test_file_size_limit_fails_the_commit_and_changes_nothing(tmp_path):
    """RLIMIT_FSIZE in a child process: the write of a large change fails with IOFailure, the state and
    version stay, and once the limit is lifted the next commit succeeds."""
    run_child("""
        import os, resource, signal, sys, binascii
        import agstate
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        storage = agstate.Storage(sys.argv[1])
        store = storage.open_store("s", {"n": 1})
        store.set("/n", 2)
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, hard))
        big = binascii.hexlify(os.urandom(2 << 20)).decode()
        try:
            store.set("/big", big)
        except agstate.IOFailure as error:
            print("IOFailure:", error)
        else:
            raise SystemExit("the commit beyond the file size limit succeeded")
        assert store.version == 1 and store.get("") == {"n": 2}
        assert [c["version"] for c in store.history(0)] == [1]
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        assert store.set("/n", 3) == 2
        storage.close()
        again = agstate.Storage(sys.argv[1]).open_store("s")
        assert again.version == 2 and again.get("") == {"n": 3}
    """, url(tmp_path))


def test_read_only_database_fails_the_commit_and_changes_nothing():
    """A database file the process may not write (run as an unprivileged user: root writes anything)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user")
    # Not under pytest's tmp_path, whose parents the unprivileged user may not enter.
    tmp_path = pathlib.Path(tempfile.mkdtemp(prefix="agstate-ro-"))
    path = tmp_path / "ro.db"
    with Storage(f"sqlite:{path}") as storage:
        storage.open_store("s", {"n": 1}).set("/n", 2)
    os.chmod(tmp_path, 0o777)
    for name in os.listdir(tmp_path):
        os.chown(tmp_path / name, 65534, 65534)
        os.chmod(tmp_path / name, 0o444)
    os.chown(tmp_path, 65534, 65534)
    result = run_child("""
        import os, sys
        import agstate  # before dropping privileges: the interpreter's own files may be root's only
        os.setgid(65534); os.setuid(65534)
        path = sys.argv[1]
        storage = agstate.Storage("sqlite:" + path)
        store = storage.open_store("s")
        assert store.version == 1 and store.get("") == {"n": 2}
        try:
            store.set("/n", 3)
        except agstate.IOFailure as error:
            print("IOFailure:", error)
        else:
            raise SystemExit("a commit to a read-only database succeeded")
        assert store.version == 1 and store.get("") == {"n": 2}
        assert store.state_at(0) == {"n": 1}
        storage.close()
        folder = os.path.dirname(path)
        print(sorted(os.listdir(folder)))
        for name in os.listdir(folder):
            os.chmod(os.path.join(folder, name), 0o644)
        storage = agstate.Storage("sqlite:" + path)
        store = storage.open_store("s")
        assert store.set("/n", 3) == 2
    """, str(path))
    assert "readonly" in result.stdout
    shutil.rmtree(tmp_path)


def test_database_locked_by_another_process(tmp_path):
    path = tmp_path / "locked.db"
    storage = Storage(f"sqlite:{path}", busy_timeout_ms=100)
    store = storage.open_store("s", {"n": 1})
    store.set("/n", 2)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sqlite3, sys
        db = sqlite3.connect(sys.argv[1], isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        sys.stdin.read()
        db.execute("ROLLBACK")
    """), str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IOFailure, match="locked"):
            store.set("/n", 3)
        assert store.version == 1 and store.get("") == {"n": 2}
    finally:
        holder.stdin.close()
        holder.wait()
    assert store.set("/n", 4) == 2
    storage.close()
    assert Storage(f"sqlite:{path}").open_store("s").get("") == {"n": 4}


def test_corrupted_row_and_page(tmp_path):
    """A damaged row: CorruptData naming the store and version, other stores unaffected. A damaged
    B-tree page: a clear CorruptData, no crash."""
    path = tmp_path / "c.db"
    with Storage(f"sqlite:{path}") as storage:
        storage.open_store("damaged", {"text": "MARKER-DAMAGE-ME"})
        good = storage.open_store("good", {"n": 1})
        good.set("/n", 2)
    data = bytearray(open(path, "rb").read())
    at = data.find(b"MARKER-DAMAGE-ME")
    assert at > 0
    data[at] ^= 0x20
    open(path, "wb").write(data)
    with Storage(f"sqlite:{path}") as storage:
        with pytest.raises(CorruptData, match='"damaged" at version 0'):
            storage.open_store("damaged")
        good = storage.open_store("good")
        assert good.get("") == {"n": 2} and good.set("/n", 3) == 2
    # Garbage over every page after the first: SQLite's "malformed" surfaces as CorruptData.
    data = bytearray(open(path, "rb").read())
    page = int.from_bytes(data[16:18], "big")
    for i in range(page, len(data)):
        data[i] = 0xA5
    open(path, "wb").write(data)
    with pytest.raises(CorruptData):
        with Storage(f"sqlite:{path}") as storage:
            storage.open_store("good")


def test_wrong_key_and_tampered_row(tmp_path):
    path = tmp_path / "k.db"
    with Storage(f"sqlite:{path}", key=KEY, key_id=1) as storage:
        store = storage.open_store("secret", {"n": 0})
        for i in range(3):
            store.set("/n", i + 1)
    with Storage(f"sqlite:{path}", key=bytes(32), key_id=1) as storage:
        with pytest.raises(CorruptData, match='"secret" at version 0'):
            storage.open_store("secret")
    with Storage(f"sqlite:{path}") as storage:
        with pytest.raises(CorruptData, match="no key"):
            storage.open_store("secret")
    db = sqlite3.connect(path)
    row = bytearray(db.execute("SELECT data FROM agstate_changes WHERE store='secret' AND version=2").fetchone()[0])
    row[len(row) // 2] ^= 1
    db.execute("UPDATE agstate_changes SET data=? WHERE store='secret' AND version=2", (bytes(row),))
    db.commit()
    db.close()
    with Storage(f"sqlite:{path}", key=KEY, key_id=1) as storage:
        with pytest.raises(CorruptData, match='"secret" at version 2'):
            storage.open_store("secret")
    # A row moved to another version does not open either (the version is associated data).
    db = sqlite3.connect(path)
    db.execute("UPDATE agstate_changes SET data=(SELECT data FROM agstate_changes WHERE store='secret' AND version=1) "
               "WHERE store='secret' AND version=2")
    db.commit()
    db.close()
    with Storage(f"sqlite:{path}", key=KEY, key_id=1) as storage:
        with pytest.raises(CorruptData, match='"secret" at version 2'):
            storage.open_store("secret")


def test_key_rotation(tmp_path):
    path = tmp_path / "r.db"
    new = bytes(reversed(range(32)))
    with Storage(f"sqlite:{path}", key=KEY, key_id=1) as storage:
        storage.open_store("s", {"n": 0}).set("/n", 1)
    with Storage(f"sqlite:{path}", key=new, key_id=2, old_keys={1: KEY}, checkpoint_changes=2) as storage:
        store = storage.open_store("s")
        assert store.get("/n") == 1
        for i in range(4):
            store.set("/n", i + 2)
    with Storage(f"sqlite:{path}", key=new, key_id=2, old_keys={1: KEY}) as storage:
        assert storage.open_store("s").get("/n") == 5
    # Old keys only: sealed rows are read, new rows are written in the clear (decryption at rest ends).
    with Storage(f"sqlite:{path}", old_keys={1: KEY, 2: new}) as storage:
        storage.open_store("s").set("/n", 6)
    with Storage(f"sqlite:{path}", old_keys={1: KEY, 2: new}) as storage:
        assert storage.open_store("s").get("/n") == 6


def test_truncated_and_foreign_files_are_refused_and_left_alone(tmp_path):
    path = tmp_path / "t.db"
    with Storage(f"sqlite:{path}") as storage:
        store = storage.open_store("s", {"blob": "y" * 20000})
        for i in range(50):
            store.set(f"/k{i}", "z" * 1000)
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    before = digest(path)
    with pytest.raises(CorruptData, match="truncated"):
        Storage(f"sqlite:{path}")
    assert digest(path) == before and not os.path.exists(f"{path}-wal")

    text = tmp_path / "notes.txt"
    text.write_text("not a database " * 20)
    before = digest(text)
    with pytest.raises(CorruptData, match="not an SQLite database"):
        Storage(f"sqlite:{text}")
    assert digest(text) == before

    foreign = tmp_path / "foreign.db"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE t(x)")
    db.commit()
    db.close()
    before = digest(foreign)
    with pytest.raises(CorruptData, match="another program"):
        Storage(f"file:{foreign}")
    assert digest(foreign) == before

    newer = tmp_path / "newer.db"
    Storage(f"sqlite:{newer}").close()
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(CorruptData, match="newer"):
        Storage(f"sqlite:{newer}")


def test_encrypted_state_never_appears_in_the_file_or_its_wal(tmp_path):
    path = tmp_path / "enc.db"
    marker = "MARKER-PLAINTEXT-4f1c9a"
    storage = Storage(f"sqlite:{path}", key=KEY, key_id=7, checkpoint_changes=3)
    store = storage.open_store("thread", {"first": marker})
    for i in range(10):
        store.set(f"/m{i}", f"{marker}-{i}")
    for name in (path, f"{path}-wal"):
        if os.path.exists(name):
            assert marker.encode() not in open(name, "rb").read(), name
    storage.close()
    assert marker.encode() not in open(path, "rb").read()
    with Storage(f"sqlite:{path}", key=KEY, key_id=7) as storage:
        assert storage.open_store("thread").get("/m9") == f"{marker}-9"


def _crash_module():
    spec = importlib.util.spec_from_file_location("storage_crash_test", os.path.join(ROOT, "scripts", "storage_crash_test.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("durability,encrypted", [("normal", False), ("full", False), ("normal", True)])
def test_crash_kill_nine_loses_no_acknowledged_commit(tmp_path, durability, encrypted):
    totals = _crash_module().run_rounds(4, durability, str(tmp_path), report=lambda line: None, encrypted=encrypted)
    assert totals["rounds"] == 4 and totals["acknowledged"] > 0


def test_a_durable_store_is_an_ordinary_store(tmp_path):
    """Events, lenient patches, snapshots and restore, subscriptions: all recorded and replayed."""
    heard = []
    with Storage(url(tmp_path)) as storage:
        store = storage.open_store("t", {"a": 1})
        subscription = store.subscribe("", lambda version, ops: heard.append(version) or True)
        store.patch([{"op": "replace", "path": "/missing", "value": 1}, {"op": "remove", "path": "/nothing"}],
                    lenient=True)
        store.apply_event({"type": "STATE_SNAPSHOT", "snapshot": {"z": 1}})
        store.apply_event({"type": "STATE_DELTA", "delta": [{"op": "add", "path": "/y", "value": 2}]})
        snap = store.snapshot()
        store.set("/q", 5)
        assert store.restore(snap) == 5
        subscription.close()
        assert heard == [1, 2, 3, 4, 5]
    with Storage(url(tmp_path)) as storage:
        store = storage.open_store("t")
        assert store.version == 5 and store.get("") == {"z": 1, "y": 2}
        assert store.state_at(1) == {"a": 1, "missing": 1}
        assert store.state_at(4) == {"z": 1, "y": 2, "q": 5}
