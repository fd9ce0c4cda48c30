"""An AG-UI agent's state, changed by STATE_DELTA patches: one that applies, one that is rejected."""
import agstate

# The state a STATE_SNAPSHOT event carried.
snapshot = {"agent": {"status": "idle"}, "todos": [{"id": 1, "title": "Draft the plan", "done": True}]}

with agstate.Store(snapshot) as store:
    # The "delta" of a STATE_DELTA event: RFC 6902 operations, applied atomically.
    version = store.patch([
        {"op": "replace", "path": "/agent/status", "value": "working"},
        {"op": "add", "path": "/todos/-", "value": {"id": 2, "title": "Book the venue", "done": False}},
    ])
    print(f"after the delta (version {version}):\n{store.to_json(pretty=True)}\n")

    # A delta whose second operation targets a path the state does not have: nothing applies.
    try:
        store.patch([
            {"op": "replace", "path": "/agent/status", "value": "done"},
            {"op": "replace", "path": "/todos/5/done", "value": True},
        ])
    except agstate.PathNotFound as error:
        print(f"rejected delta: {error.status} (operation {error.op_index}, path {error.pointer})\n  {error}\n")

    assert store.get("/agent/status") == "working" and store.version == version
    print(f"unchanged (version {store.version}): agent is {store.get('/agent/status')!r}, "
          f"{len(store.get('/todos'))} todos")
