"""Enhanced collaborative editing: a document on durable SQLite storage edited by three users at once, a
section lock that keeps the others out of one section while its owner edits it, the lock and conflict
activity watched as it happens, a restart that brings the document back with its authors, and a summary at
the end: commits per user, conflicts and how they were resolved. Exits 1 if any of it does not hold."""
import collections
import os
import sys
import tempfile
import threading
import time

import agstate

failures = 0


def check(ok: bool, what: str) -> None:
    global failures
    print(("ok    " if ok else "FAIL  ") + what)
    failures += 0 if ok else 1


DOC = {"title": "Launch plan", "sections": {"intro": {"text": "We launch in May."}, "budget": {"amount": 1000},
                                            "plan": {"items": ["draft"]}}}
STRATEGIES = {"ada": "rebase", "grace": "last-write-wins", "linus": "first-write-wins"}

with tempfile.TemporaryDirectory(prefix="agstate-collab-") as folder:
    path = os.path.join(folder, "documents.db")
    storage = agstate.Storage("sqlite:" + path)
    doc = storage.open_store("launch-plan", DOC)

    # Monitoring: every lock event as it happens.
    lock_events = []
    watch = doc.watch_locks(lambda event: lock_events.append(event))

    print("== a section lock")
    doc.lock("/sections/budget", "ada", ttl_ms=5_000)
    before = doc.version
    try:
        doc.patch([{"op": "replace", "path": "/sections/budget/amount", "value": 1}], author="grace")
        check(False, "grace's edit of the locked budget is refused")
    except agstate.Locked as error:
        check(doc.version == before and doc.get("/sections/budget/amount") == 1000,
              f"grace's edit of the budget, locked by ada, is refused and changes nothing ({error})")
    doc.patch([{"op": "replace", "path": "/sections/budget/amount", "value": 1250}], author="ada")
    doc.unlock("/sections/budget", "ada")
    doc.patch([{"op": "replace", "path": "/sections/budget/amount", "value": 1300}], author="grace")
    check(doc.get("/sections/budget/amount") == 1300, "ada edited it under her lock; after she unlocked, grace could")

    print("== three users at once, each with a strategy, from stale copies")

    def user(name: str) -> None:
        for i in range(15):
            base = doc.version  # this user's copy
            time.sleep(0.001)
            doc.patch([{"op": "add", "path": "/sections/plan/items/1", "value": f"{name} {i}"}], base_version=base,
                      strategy=STRATEGIES[name], author=name)

    threads = [threading.Thread(target=user, args=(name,)) for name in STRATEGIES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(len(doc.get("/sections/plan/items")) == 46, "all 45 insertions landed, carried over each other")

    print("== everyone renames the document from the same version")
    base = doc.version
    for name in STRATEGIES:  # ada first: nothing changed since the base; then grace and linus overlap her
        try:
            doc.patch([{"op": "replace", "path": "/title", "value": f"Launch plan by {name}"}], base_version=base,
                      strategy=STRATEGIES[name], author=name)
        except agstate.Conflict:
            pass  # refused: recorded in the conflict log
    check(doc.get("/title") == "Launch plan by grace",
          "grace's last-write-wins rename stands; linus's first-write-wins rename was dropped")
    watch.close()

    # The summary, from the history (authors) and the conflict log.
    history = doc.history(0)
    commits = collections.Counter(entry.get("author") or "(none)" for entry in history)
    log = doc.conflicts()
    resolved = collections.Counter((record["author"], record["strategy"], record["outcome"]) for record in log)
    outcomes = collections.Counter(conflict["outcome"] for record in log for conflict in record["conflicts"])
    final_version, final_state = doc.version, doc.get()
    print("== summary")
    print("      commits per user: " + ", ".join(f"{name} {count}" for name, count in sorted(commits.items())))
    print(f"      {len(log)} commits met a conflict:")
    for (author, strategy, outcome), count in sorted(resolved.items()):
        print(f"        {author:<6} {strategy:<17} {outcome:<8} {count}")
    print("      conflicting locations: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(f"      lock events: {[(e['kind'], e['path'], e['owner']) for e in lock_events]}")
    check(sum(commits.values()) == final_version and all(commits[name] >= 1 for name in STRATEGIES),
          f"every one of the {final_version} commits has its author in the history")
    check(len(log) >= 2 and all(record["author"] in STRATEGIES for record in log),
          "the overlapping renames met conflicts, each logged with its author, strategy and outcome")
    check([e["kind"] for e in lock_events] == ["locked", "unlocked"], "the lock watch saw the lock taken and released")
    doc.close()
    storage.close()

    print("== restart")
    with agstate.Storage("sqlite:" + path) as storage:
        with storage.open_store("launch-plan") as doc:
            check(doc.version == final_version and doc.get() == final_state and doc.author_of(final_version)
                  == history[-1].get("author"), f"the document came back from {os.path.basename(path)} at"
                                                 f" v{doc.version} with its state and authors")

print("enhanced_collaborative_editing: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
sys.exit(1 if failures else 0)
