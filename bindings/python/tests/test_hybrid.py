"""The hybrid storage (a PostgreSQL primary, a SQLite fallback) against the private server of
scripts/test.sh, stopped (AGSTATE_TEST_PG_STOP) and started again (AGSTATE_TEST_PG_START). Skipped without
it, unless CI is set. The tests here run one at a time (pytest runs a file's tests in order), and the
server is started again whatever happens."""
import os
import subprocess
import time
import uuid

import pytest

import agstate

URL = os.environ.get("AGSTATE_TEST_PG_URL", "")
STOP = os.environ.get("AGSTATE_TEST_PG_STOP", "")
START = os.environ.get("AGSTATE_TEST_PG_START", "")
if not URL and os.environ.get("CI"):
    raise RuntimeError("no PostgreSQL in CI: the test command starts one")
pytestmark = pytest.mark.skipif(not (URL and STOP and START), reason="no PostgreSQL server (AGSTATE_TEST_PG_URL unset)")


def hybrid_url(path):
    joiner = "&" if "?" in URL else "?"
    primary = URL + joiner + "agstate_retries=0&agstate_breaker_failures=1&agstate_breaker_open_ms=100"
    return f"hybrid:{primary}|sqlite:{path}"


@pytest.fixture
def server():
    """Stops the server on request; it is running again after the test."""
    state = {"down": False}

    def control(up):
        subprocess.run(START if up else STOP, shell=True, check=True)
        state["down"] = not up

    yield control
    if state["down"]:
        subprocess.run(START, shell=True, check=True)


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_commits_go_to_the_fallback_and_are_replayed_when_the_primary_returns(tmp_path, server):
    store_id = f"py-hybrid-{uuid.uuid4()}"
    url = hybrid_url(tmp_path / "fallback.db")
    storage = agstate.Storage(url)
    store = storage.open_store(store_id, {"items": []})
    store.add("/items/-", "on the primary")
    assert storage.stats()["active"] == "primary"
    server(False)
    for i in range(3):
        store.add("/items/-", f"fallback {i}", author="alice")
    assert store.version == 4
    stats = storage.stats()
    assert stats["active"] == "fallback" and stats["pending_replay"] == 3 and stats["failovers"] == 1
    storage.close()

    # The fallback is durable: reopened with the primary still down, the store has every change.
    storage = agstate.Storage(url)
    store = storage.open_store(store_id)
    assert store.version == 4
    assert store.get("/items") == ["on the primary", "fallback 0", "fallback 1", "fallback 2"]

    server(True)
    wait_for(lambda: storage.stats()["pending_replay"] == 0 and storage.stats()["active"] == "primary")
    stats = storage.stats()
    assert stats["replayed_changes"] == 3 and stats["replay_conflicts"] == 0 and stats["breaker"] == "closed"
    with agstate.Storage(URL) as direct:
        copy = direct.open_store(store_id)
        assert copy.version == 4 and copy.get() == store.get()
        assert copy.author_of(4) == "alice"
        storage.close()
        direct.delete(store_id)


def test_a_conflict_on_replay_is_in_the_conflict_log_with_both_sides(tmp_path, server):
    store_id = f"py-hybrid-{uuid.uuid4()}"
    url = hybrid_url(tmp_path / "fallback.db")
    storage = agstate.Storage(url)
    store = storage.open_store(store_id, {"a": 1})
    store.set("/a", 2)
    server(False)
    store.set("/mine", "A", author="process-a")
    storage.close()

    server(True)
    with agstate.Storage(URL) as direct:
        theirs = direct.open_store(store_id)
        theirs.set("/theirs", "B", author="process-b")
        assert theirs.version == 2
        with agstate.Storage(url) as again:
            mine = again.open_store(store_id)             # replayed here
            assert mine.version == 3
            assert mine.get() == {"a": 2, "theirs": "B", "mine": "A"}
            stats = again.stats()
            assert stats["replay_conflicts"] == 1 and stats["pending_replay"] == 0
            [record] = mine.conflicts()
            assert record["kind"] == "replay" and record["outcome"] == "applied" and record["strategy"] == "rebase"
            assert (record["base_version"], record["primary_version"], record["version"]) == (1, 2, 3)
            assert record["theirs"] == [{"op": "add", "path": "/theirs", "value": "B"}]
            assert record["mine"] == [{"version": 2, "author": "process-a",
                                       "patch": [{"op": "add", "path": "/mine", "value": "A"}]}]
            wait_for(lambda: theirs.version == 3)
            assert theirs.get() == mine.get()
        direct.delete(store_id)
