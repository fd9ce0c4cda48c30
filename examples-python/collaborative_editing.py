"""Collaborative editing: several users edit one document at once, each from a copy that is a few versions
behind; their patches carry the version they were made against and the engine carries them over what
happened since. Then one conflict under each resolution strategy in turn, presence with a heartbeat and an
expiry, and a user cut off who reconnects with edits made offline. Exits 1 if any of it does not hold."""
import sys
import threading
import time

import agstate

failures = 0


def check(ok: bool, what: str) -> None:
    global failures
    print(("ok    " if ok else "FAIL  ") + what)
    failures += 0 if ok else 1


DOC = {"title": "Launch plan", "tasks": ["draft"],
       "sections": {"intro": {"text": "We launch in May."}, "budget": {"amount": 1000}, "notes": {"text": "tbd"}}}

# -- several users at once ----------------------------------------------------------------------------
print("== three users edit at once, each from a stale copy")
doc = agstate.Store(DOC)
users = ["ada", "grace", "linus"]


def user(name: str) -> None:
    for i in range(20):
        base = doc.version          # the version this user's copy is at
        time.sleep(0.001)           # others commit meanwhile
        doc.patch([{"op": "add", "path": "/tasks/1", "value": f"{name} {i}"}], base_version=base, author=name)


threads = [threading.Thread(target=user, args=(name,)) for name in users]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
tasks = doc.get("/tasks")
authors = [entry.get("author") for entry in doc.history(0)]
print(f"      v{doc.version}: {len(tasks)} tasks; commits by author: " +
      ", ".join(f"{name} {authors.count(name)}" for name in users))
check(len(tasks) == 61 and tasks[0] == "draft" and all(f"{n} {i}" in tasks for n in users for i in range(20)),
      "every user's 20 insertions landed, none lost or overwritten")
check(all(tasks.index(f"{n} {i + 1}") < tasks.index(f"{n} {i}") for n in users for i in range(19)),
      "each user's insertions kept their order (rebased over the others' insertions)")

# -- one conflict, each strategy ---------------------------------------------------------------------
print("== one conflict under each strategy")
# Since the base version, one user raised the budget and removed the notes; another, still at the base,
# lowers the budget, rewrites the notes and renames the document.
STALE_EDIT = [{"op": "replace", "path": "/sections/budget/amount", "value": 900},
              {"op": "replace", "path": "/sections/notes/text", "value": "see the budget"},
              {"op": "replace", "path": "/title", "value": "Launch plan v2"}]


def resolver(path, base, current, proposed):
    """The custom strategy: the two budgets are averaged; anything else stays as it is now."""
    if path == "/sections/budget/amount":
        return (current + proposed) // 2
    return agstate.REMOVE if current is agstate.MISSING else current


expected = {  # strategy: (applied, budget, notes, title)
    "reject": (False, 1200, None, "Launch plan"),
    "rebase": (False, 1200, None, "Launch plan"),
    "last-write-wins": (True, 900, {"text": "see the budget"}, "Launch plan v2"),
    "first-write-wins": (True, 1200, None, "Launch plan v2"),
    "merge": (False, 1200, None, "Launch plan"),
    "custom": (True, 1050, None, "Launch plan v2"),
}
for strategy, (applies, budget, notes, title) in expected.items():
    store = agstate.Store(DOC)
    base = store.version
    store.patch([{"op": "replace", "path": "/sections/budget/amount", "value": 1200},
                 {"op": "remove", "path": "/sections/notes"}], author="ada")
    try:
        store.patch(STALE_EDIT, base_version=base, strategy=strategy, author="grace",
                    resolver=resolver if strategy == "custom" else None)
        applied = True
    except agstate.Conflict:
        applied = False
    state = store.get()
    record = store.conflicts()[-1]
    outcomes = ", ".join(f"{c['path']} {c['outcome']}" for c in record["conflicts"])
    print(f"      {strategy:<17} {record['outcome']:<8} budget {state['sections']['budget']['amount']},"
          f" notes {state['sections'].get('notes')}, title {state['title']!r}  ({outcomes})")
    check(applied == applies and state["sections"]["budget"]["amount"] == budget
          and state["sections"].get("notes") == notes and state["title"] == title,
          f"{strategy}: {'applied' if applies else 'refused, nothing changed'} as documented")

# -- presence ----------------------------------------------------------------------------------------
print("== presence")
events = []
watch = doc.watch_presence(lambda event: events.append((event["kind"], event["client"])))
doc.set_presence("ada", {"cursor": "/sections/intro"}, ttl_ms=60_000)
doc.set_presence("grace", {"cursor": "/tasks/3"}, ttl_ms=60_000)
doc.set_presence("linus", {"cursor": "/title"}, ttl_ms=50)        # his heartbeat stops
doc.set_presence("ada", {"cursor": "/sections/budget"}, ttl_ms=60_000)  # a heartbeat with a new cursor
doc.leave("grace")
time.sleep(0.1)
doc.expire()
present = doc.presence()
print(f"      events: {events}; present now: {present}")
check(present == {"ada": {"cursor": "/sections/budget"}}, "ada is present at her new cursor; grace left; linus expired")
check(("left", "grace") in events and ("expired", "linus") in events, "watchers heard the joins, the leave and the expiry")
watch.close()

# -- cut off and back --------------------------------------------------------------------------------
print("== a user cut off, reconnecting with stale edits")
offline_at = doc.version
local = agstate.Store(doc.get())            # linus's copy when his connection dropped
queued = [{"op": "replace", "path": "/tasks/0", "value": "draft (linus reviewed)"},
          {"op": "add", "path": "/tasks/1", "value": "linus offline"},
          {"op": "replace", "path": "/sections/intro/text", "value": "We launch in June."}]
local.patch(queued)                          # he keeps working offline
for i in range(5):                           # the others go on meanwhile
    doc.patch([{"op": "add", "path": "/tasks/0", "value": f"urgent {i}"}], author="ada")
doc.patch([{"op": "replace", "path": "/sections/budget/amount", "value": 1500}], author="grace")
version = doc.patch(queued, base_version=offline_at, author="linus")  # reconnect: the queued edits, rebased
local = agstate.Store(doc.state_at(offline_at))
local.apply_event(doc.delta_event(offline_at))  # catch up his copy with one delta
tasks = doc.get("/tasks")
print(f"      his edits made at v{offline_at} committed as v{version}: tasks[5] = {tasks[5]!r}, tasks[6] = {tasks[6]!r}")
check(tasks[:5] == [f"urgent {i}" for i in range(4, -1, -1)] and tasks[5] == "draft (linus reviewed)"
      and tasks[6] == "linus offline", "his edits moved past the 5 insertions made while he was away")
check(doc.get("/sections/intro/text") == "We launch in June." and doc.get("/sections/budget/amount") == 1500,
      "his section edit and grace's budget change both stand")
check(local.get() == doc.get() and doc.author_of(version) == "linus",
      "his copy caught up with one STATE_DELTA, and the history names him as the author")

print("collaborative_editing: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
sys.exit(1 if failures else 0)
