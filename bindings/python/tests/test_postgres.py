"""Stores shared through PostgreSQL: the private server that scripts/test.sh starts (AGSTATE_TEST_PG_URL).
Skipped without it, unless CI is set."""
import os
import time
import uuid

import pytest

import agstate

URL = os.environ.get("AGSTATE_TEST_PG_URL", "")
if not URL and os.environ.get("CI"):
    raise RuntimeError("no PostgreSQL in CI: the test command starts one")
pytestmark = pytest.mark.skipif(not URL, reason="no PostgreSQL server (AGSTATE_TEST_PG_URL unset)")


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_two_storages_share_a_store_and_a_lost_race_is_a_conflict():
    store_id = f"py-{uuid.uuid4()}"
    with agstate.Storage(URL) as first, agstate.Storage(URL) as second:
        a = first.open_store(store_id, {"n": 0, "items": []})
        b = second.open_store(store_id)
        heard = []
        b.subscribe("/items", lambda version, patch: heard.append(version))
        assert a.patch([{"op": "add", "path": "/items/-", "value": "from a"}]) == 1
        wait_for(lambda: b.version == 1)
        assert b.get("/items") == ["from a"]
        wait_for(lambda: heard == [1])
        b.set("/n", 2)
        # a may not have heard of version 2 yet: then its commit of version 2 loses, and it has caught up.
        try:
            a.set("/n", 3)
        except agstate.Conflict:
            assert a.version == 2 and a.get("/n") == 2
            a.set("/n", 3)
        assert a.version == 3
        wait_for(lambda: b.version == 3)
        assert a.get() == b.get() == {"n": 3, "items": ["from a"]}
        assert store_id in first.list()
        stats = first.stats()
        assert stats["backend"] == "postgres" and stats["breaker"]["state"] == "closed"
        first.delete(store_id)
        with pytest.raises(agstate.Closed):
            b.set("/n", 4)


def test_an_unreachable_server_is_unavailable():
    with pytest.raises(agstate.Unavailable):
        agstate.Storage("postgres://127.0.0.1:1/none?agstate_retries=0")
    with pytest.raises(agstate.InvalidArgument):
        agstate.Storage("postgres://127.0.0.1:1/none?agstate_pool_size=0")


def test_a_store_outlives_its_storage():
    """Closing the storage while one of its stores is still held: the store stays readable and its commits
    fail with Closed (the store's journal once held the storage unowned, and the commit killed the process)."""
    storage = agstate.Storage(URL)
    store = storage.open_store(f"py-{uuid.uuid4()}", {"n": 1})
    store.set("/n", 2)
    storage.close()
    del storage
    with pytest.raises(agstate.Closed):
        store.set("/n", 3)
    assert store.get("/n") == 2 and store.version == 1
