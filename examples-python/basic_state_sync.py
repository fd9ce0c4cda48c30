"""Basic state sync: a store on the agent's side and a second store standing in for the client, kept equal by
AG-UI STATE_SNAPSHOT and STATE_DELTA events. Shows path subscriptions, a transaction, a snapshot and its
restore, history and versions, export and import. Exits 1 if any of it does not hold."""
import json
import sys

import agstate

failures = 0


def check(ok: bool, what: str) -> None:
    global failures
    print(("ok    " if ok else "FAIL  ") + what)
    failures += 0 if ok else 1


server = agstate.Store({"title": "trip", "todos": [], "owner": {"name": "ada"}})
client = agstate.Store()

# The client starts from a STATE_SNAPSHOT, then follows every commit as a STATE_DELTA.
client.apply_event(server.snapshot_event())
wire = []
stream = server.subscribe("", lambda version, ops: wire.append(agstate.delta_event(ops)))

# A path subscription hears only the changes at, inside or above its location.
todo_changes = []
todos = server.subscribe("/todos", lambda version, ops: todo_changes.append(version))

server.add("/todos/-", {"text": "book flights", "done": False})
server.set("/owner/name", "grace")
server.add("/todos/-", {"text": "pack", "done": False})
check(todo_changes == [1, 3], f"the /todos subscriber heard versions {todo_changes} (not the owner's change, v2)")

# A transaction: two changes, one version, one STATE_DELTA.
before = server.version
with server.transaction() as tx:
    tx.patch([{"op": "replace", "path": "/todos/0/done", "value": True}])
    tx.patch([{"op": "replace", "path": "/title", "value": "trip to Lisbon"}])
check(server.version == before + 1, f"the transaction committed as one version (v{server.version})")

# A failed patch changes nothing: no version, no event.
try:
    server.patch([{"op": "replace", "path": "/todos/1/done", "value": True},
                  {"op": "remove", "path": "/missing"}])
    check(False, "a patch with a bad operation is refused")
except agstate.PathNotFound as error:
    check(server.version == before + 1 and server.get("/todos/1/done") is False,
          f"a patch failing at operation {error.op_index} changed nothing")

# A snapshot, more changes, and the restore (itself an ordinary, streamed change).
snap = server.snapshot()
server.remove("/todos/1")
server.merge({"owner": {"name": "linus", "team": "kernel"}})
server.restore(snap)
check(server.get() == snap.get(), f"restoring the snapshot of v{snap.version} gave its state back (now v{server.version})")

# The client applies the events it was sent and ends with the same state.
for event in wire:
    client.apply_event(event)
print(f"      {len(wire)} STATE_DELTA events on the wire, e.g. {wire[0]}")
check(client.get() == server.get(), "the client store applied the events and equals the server's state")

# History: versions, the state at an old version, one delta to catch up a client that has an old version.
oldest, newest = server.history_range
check((oldest, newest) == (0, server.version), f"history reaches v{oldest}..v{newest}")
check(server.state_at(2)["owner"]["name"] == "grace" and len(server.state_at(2)["todos"]) == 1,
      "the state at v2 is rebuilt from history")
late = agstate.Store(server.state_at(3))
late.apply_event(server.delta_event(3))
check(late.get() == server.get(), f"a client at v3 is caught up by one delta of {len(server.delta_since(3))} operations")
check([entry["version"] for entry in server.history(4)] == list(range(5, server.version + 1)),
      "the history lists every change after v4, oldest first")

# Export and import: the JSON text of the state opens an equal store.
exported = server.to_json()
imported = agstate.Store(exported)
check(agstate.json_equal(json.loads(exported), imported.get()) and imported.to_json() == exported,
      f"export ({len(exported)} bytes) and import give the same state, members in the same order")

stream.close()
todos.close()
print("basic_state_sync: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
sys.exit(1 if failures else 0)
