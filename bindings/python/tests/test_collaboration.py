"""Collaboration from Python: strategies, a custom resolver, authors, the conflict log, locks, presence."""
import time

import pytest

import agstate
from agstate import Store

BASE = {"title": "T", "items": ["a", "b", "c"]}


def race(a, b, strategy, **kw):
    s = Store(BASE)
    s.patch(a, author="A")
    try:
        s.patch(b, base_version=0, strategy=strategy, author="B", **kw)
    except agstate.Conflict:
        assert s.version == 1
        s.close()
        return "conflict"
    try:
        return s.get()
    finally:
        s.close()


SAME_LEAF = ([{"op": "replace", "path": "/title", "value": "A"}], [{"op": "replace", "path": "/title", "value": "B"}])
INSERTS = ([{"op": "add", "path": "/items/1", "value": "A"}], [{"op": "add", "path": "/items/1", "value": "B"}])
REMOVED_EDITED = ([{"op": "remove", "path": "/items/1"}], [{"op": "replace", "path": "/items/1", "value": "B"}])


def test_every_strategy():
    assert race(*SAME_LEAF, "reject") == "conflict"
    assert race(*INSERTS, "rebase")["items"] == ["a", "A", "B", "b", "c"]
    assert race(*SAME_LEAF, "rebase")["title"] == "B"
    assert race(*REMOVED_EDITED, "rebase") == "conflict"
    assert race(*REMOVED_EDITED, "last-write-wins")["items"] == ["a", "B", "c"]
    assert race(*SAME_LEAF, "first-write-wins")["title"] == "A"
    assert race(*REMOVED_EDITED, "first-write-wins")["items"] == ["a", "c"]
    assert race(*SAME_LEAF, "merge") == "conflict"
    assert race(*INSERTS, "merge")["items"] == ["a", "A", "B", "b", "c"]
    with pytest.raises(ValueError):
        race(*SAME_LEAF, "sideways")


def test_custom_resolver():
    seen = []

    def resolver(path, base, current, proposed):
        seen.append((path, base, current, proposed))
        return current + proposed

    assert race(*SAME_LEAF, "custom", resolver=resolver)["title"] == "AB"
    assert seen == [("/title", "T", "A", "B")]
    assert race(*REMOVED_EDITED, "custom", resolver=lambda p, b, c, n: agstate.REFUSE if c is agstate.MISSING else c) == "conflict"
    assert race(*REMOVED_EDITED, "custom", resolver=lambda p, b, c, n: n)["items"] == ["a", "B", "c"]

    def failing(*_):
        raise RuntimeError("no")

    assert race(*SAME_LEAF, "custom", resolver=failing) == "conflict"
    assert race(*SAME_LEAF, "custom") == "conflict"


def test_default_strategy_authors_and_conflict_log():
    with Store(BASE) as s:
        assert s.strategy == "rebase"
        s.strategy = "first-write-wins"
        assert s.strategy == "first-write-wins"
        s.patch(SAME_LEAF[0], author="alice")
        s.patch(SAME_LEAF[1], base_version=0, author="bob")
        assert s.get("/title") == "A"
        assert s.author_of(1) == "alice" and s.author_of(2) == "bob"
        assert [c.get("author") for c in s.history(0)] == ["alice", "bob"]
        s.set("/n", 1)
        assert s.author_of(3) is None
        log = s.conflicts()
        assert log == [{"sequence": 1, "author": "bob", "base_version": 0, "version": 2, "strategy": "first-write-wins",
                        "outcome": "applied", "conflicts": [{"path": "/title", "outcome": "dropped"}]}]
        with pytest.raises(agstate.Conflict):
            s.patch(SAME_LEAF[1], base_version=0, strategy="merge", author="carol")
        assert s.conflicts(after=1)[0]["outcome"] == "refused"
        with pytest.raises(agstate.InvalidArgument):
            s.patch(SAME_LEAF[1], base_version=99)
        with pytest.raises(OverflowError):
            s.patch(SAME_LEAF[1], base_version=-1)


def test_not_in_history():
    with Store({"n": 0}) as s:
        s.max_history(2)
        for i in range(5):
            s.set("/n", i)
        with pytest.raises(agstate.NotInHistory):
            s.patch([{"op": "replace", "path": "/n", "value": 1}], base_version=1)


def test_locks():
    events = []
    with Store({"doc": {"body": 1}, "x": 0}) as s:
        w = s.watch_locks(events.append)
        s.lock("/doc/body", "alice", 60000)
        with pytest.raises(agstate.Locked) as e:
            s.set("/doc", 2, author="bob")
        assert "alice" in str(e.value)
        with pytest.raises(agstate.Locked):
            s.patch([{"op": "replace", "path": "/doc/body", "value": 2}], author="bob")
        s.set("/x", 1, author="bob")
        s.set("/doc/body", 3, author="alice")
        with pytest.raises(agstate.Locked):
            s.lock("/doc", "bob", 1000)
        s.renew_lock("/doc/body", "alice", 30000)
        assert [(l["path"], l["owner"]) for l in s.locks()] == [("/doc/body", "alice")]
        s.unlock("/doc/body", "alice")
        s.lock("/x", "bob", 1)
        time.sleep(0.01)
        s.expire()
        assert s.locks() == []
        with pytest.raises(agstate.PathNotFound):
            s.renew_lock("/x", "bob", 10)
        w.close()
        assert [e["kind"] for e in events] == ["locked", "renewed", "unlocked", "locked", "expired"]


def test_presence():
    events = []
    with Store() as s:
        w = s.watch_presence(events.append)
        s.set_presence("alice", {"cursor": 1}, 60000)
        s.set_presence("bob", {"cursor": 2}, 1)
        time.sleep(0.01)
        assert s.presence() == {"alice": {"cursor": 1}}
        s.set_presence("alice", {"cursor": 5}, 60000)
        s.leave("alice")
        with pytest.raises(agstate.PathNotFound):
            s.leave("alice")
        assert s.presence() == {}
        assert s.version == 0
        w.close()
        assert [(e["kind"], e["client"]) for e in events] == [
            ("joined", "alice"), ("joined", "bob"), ("expired", "bob"), ("updated", "alice"), ("left", "alice")]
