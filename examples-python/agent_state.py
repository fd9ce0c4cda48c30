"""An agent's state store behind an AG-UI stream: commits become STATE_DELTA frames through a subscription,
a reconnecting client is caught up from its version, a transaction groups changes, a snapshot is restored."""
import agstate

with agstate.Store({"status": "idle", "steps": []}) as store:
    # Every commit, streamed to the UI as a Server-Sent Events frame.
    frames = store.subscribe("", lambda version, ops: print(f"v{version} -> {agstate.delta_event(ops, sse=True)}", end=""))

    store.set("/status", "planning")
    before_steps = store.snapshot()
    store.patch([{"op": "add", "path": "/steps/-", "value": {"title": "search", "done": False}}])

    # Two changes, one version, one STATE_DELTA.
    with store.transaction() as tx:
        tx.patch([{"op": "replace", "path": "/steps/0/done", "value": True}])
        tx.patch([{"op": "replace", "path": "/status", "value": "answering"}])

    # A client that has version 1 reconnects; one too far behind gets a snapshot.
    def catch_up(client_version: int) -> str:
        try:
            return store.delta_event(client_version)
        except agstate.NotInHistory:
            return store.snapshot_event()

    print(f"\nclient at v1 gets: {catch_up(1)}\n")

    # Optimistic clients: a write based on a stale version is refused.
    try:
        store.patch([{"op": "replace", "path": "/status", "value": "stale"}], expected_version=1)
    except agstate.Conflict as error:
        print(f"stale write refused: {error}\n")

    store.restore(before_steps)
    print(f"\nthe state at v3, rebuilt from history: {store.state_at(3)}")
    print(f"the state now (v{store.version}): {store.get()}")
    frames.close()
