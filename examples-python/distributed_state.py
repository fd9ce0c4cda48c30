"""Distributed state: three processes (nodes, started by this example) share one store through PostgreSQL.
They write at once (a version committed first by another node is a conflict, retried at once: the store has
caught up by then), and every node sees every change within milliseconds through LISTEN/NOTIFY. A leader,
elected with a PostgreSQL advisory lock (no consensus of our own), writes a summary. The leader is cut off
(every connection of it killed with pg_terminate_backend): another node takes the lock, and the cut-off node
reconnects and catches up by itself. Then a node goes offline (its storage closed) while the others write,
and rejoins: it reopens the store and brings its clients up to date with one delta_since patch. The server
comes from AGSTATE_TEST_PG_URL (scripts/servers.sh starts a private one). Exits 1 if any of it does not hold.

Run as `distributed_state.py --node NAME STORE_ID`, it is one node, driven by line commands on stdin."""
import json
import os
import subprocess
import sys
import time

import psycopg

import agstate

failures = 0


def check(ok: bool, what: str) -> None:
    global failures
    print(("ok    " if ok else "FAIL  ") + what)
    failures += 0 if ok else 1


def connection_url(url: str, application_name: str) -> str:
    """The URL with an application name, by which the operator finds a node's connections."""
    return url + ("&" if "?" in url else "?") + "application_name=" + application_name


# -- one node ----------------------------------------------------------------------------------------------

def run_node(name: str, store_id: str) -> None:
    url = connection_url(os.environ["AGSTATE_TEST_PG_URL"], f"{store_id}-{name}")
    storage = agstate.Storage(url)
    store = storage.open_store(store_id, {"counters": {}, "summary": None})
    session = None  # the node's own database session, which holds the leader's advisory lock
    written = conflicts = unavailable = 0
    offline_at, clients = 0, None

    def commit(ops: list) -> None:
        nonlocal conflicts, unavailable
        while True:
            try:
                store.patch(ops, author=name)
                return
            except agstate.Conflict:  # another node committed this version first; the store has caught up
                conflicts += 1
            except agstate.Unavailable:  # the server cannot be reached now: try again shortly
                unavailable += 1
                time.sleep(0.05)

    def try_lead() -> bool:
        nonlocal session
        for _ in range(2):
            try:
                if session is None or session.closed:
                    session = psycopg.connect(url, autocommit=True)
                return session.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (store_id,)).fetchone()[0]
            except psycopg.OperationalError:  # the session was cut off, and the lock went with it
                session = None
        return False

    for line in sys.stdin:
        command, *args = line.split()
        reply: dict = {}
        if command == "write":
            for _ in range(int(args[0])):
                written += 1
                commit([{"op": "add", "path": f"/counters/{name}", "value": written}])
            reply = {"version": store.version, "conflicts": conflicts, "unavailable": unavailable}
        elif command == "wait":  # until the store has caught up with version args[0]
            deadline = time.monotonic() + 10
            while store.version < int(args[0]) and time.monotonic() < deadline:
                time.sleep(0.01)
            reply = {"version": store.version, "state": store.get()}
        elif command == "lead":
            reply = {"leader": try_lead()}
            if reply["leader"]:
                counters = store.get("/counters")
                commit([{"op": "replace", "path": "/summary",
                         "value": {"leader": name, "total": sum(counters.values()), "nodes": len(counters)}}])
        elif command == "offline":
            offline_at, clients = store.version, agstate.Store(store.get())  # what this node's clients hold
            store.close()
            storage.close()
            reply = {"version": offline_at}
        elif command == "online":
            storage = agstate.Storage(url)
            store = storage.open_store(store_id)
            delta = store.delta_since(offline_at)  # one patch from the clients' version to the current one
            clients.patch(delta)
            reply = {"from": offline_at, "to": store.version, "operations": len(delta),
                     "clients_current": clients.get() == store.get()}
        elif command == "stats":
            reply = storage.stats()
        elif command == "quit":
            break
        print(json.dumps(reply), flush=True)
    store.close()
    storage.close()
    if session is not None:
        session.close()


# -- the operator: starts the nodes, drives them and checks what they report --------------------------------

class Node:
    def __init__(self, name: str, store_id: str) -> None:
        self.name = name
        self.process = subprocess.Popen([sys.executable, __file__, "--node", name, store_id], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def reply(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"distributed_state: node {self.name} ended (exit status {self.process.wait()})")
        return json.loads(line)

    def ask(self, command: str) -> dict:
        self.send(command)
        return self.reply()


def all_at_once(nodes: list, command: str) -> list:
    for node in nodes:
        node.send(command)
    return [node.reply() for node in nodes]


def converge(nodes: list) -> int:
    """Waits until every node has the newest version; checks they hold the same state."""
    newest = max(node.ask("wait 0")["version"] for node in nodes)
    replies = all_at_once(nodes, f"wait {newest}")
    same = all(r["version"] == newest and r["state"] == replies[0]["state"] for r in replies)
    check(same, f"all {len(nodes)} nodes hold the same state at v{newest}")
    return newest


def operator() -> None:
    url = os.environ.get("AGSTATE_TEST_PG_URL")
    if not url:
        sys.exit("distributed_state: set AGSTATE_TEST_PG_URL to a PostgreSQL URL (scripts/servers.sh starts one)")
    store_id = f"fleet{os.getpid()}{time.time_ns() % 10**9}"  # a new store for every run
    admin = psycopg.connect(url, autocommit=True)

    print("== three nodes, one store, writing at once")
    nodes = []
    for name in ("a", "b", "c"):
        nodes.append(Node(name, store_id))
        nodes[-1].ask("wait 0")  # started and open (the first creates the store)
    replies = all_at_once(nodes, "write 40")
    retried = ", ".join(f"{n.name} {r['conflicts']}" for n, r in zip(nodes, replies))
    print(f"      conflicts retried: {retried}")
    version = converge(nodes)
    check(version == 120, f"120 commits from three processes are 120 versions, none lost or doubled (v{version})")

    print("== a leader elected with an advisory lock writes the summary")
    leaders = [node.name for node in nodes if node.ask("lead")["leader"]]
    converge(nodes)
    summary = nodes[0].ask("wait 0")["state"]["summary"]
    check(len(leaders) == 1 and summary == {"leader": leaders[0], "total": 120, "nodes": 3},
          f"exactly one leader ({leaders[0] if leaders else 'none'}); its summary reached every node: {summary}")

    print(f"== node {leaders[0]}, the leader, cut off: every connection of it killed")
    leader = next(node for node in nodes if node.name == leaders[0])
    others = [node for node in nodes if node is not leader]
    killed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
                           (f"{store_id}-{leader.name}",)).fetchone()[0]
    print(f"      pg_terminate_backend ended {killed} connections of node {leader.name}")
    replies = all_at_once(nodes, "write 20")  # the cut-off node too: its commits reconnect
    version = converge(nodes)
    check(killed >= 2 and version == 181,
          f"every node's 20 commits are in (v{version}: 120, the summary, 60); node {leader.name} reconnected")
    stats = leader.ask("stats")
    check(stats["listener"]["connected"] and stats["listener"]["reconnects"] >= 2,
          f"node {leader.name}'s listener reconnected ({stats['listener']['reconnects']} connects) and caught up")
    new_leaders = [node.name for node in others + [leader] if node.ask("lead")["leader"]]
    converge(nodes)
    summary = nodes[0].ask("wait 0")["state"]["summary"]
    check(len(new_leaders) == 1 and new_leaders[0] != leader.name and summary["total"] == 180,
          f"the lock went with the killed session: node {new_leaders[0] if new_leaders else 'none'} leads now "
          f"and wrote the summary {summary}")

    print("== a node offline while the others write, then rejoining")
    offline = next(node for node in nodes if node.name not in new_leaders)
    at = offline.ask("offline")["version"]
    writers = [node for node in nodes if node is not offline]
    all_at_once(writers, "write 25")
    back = offline.ask("online")
    print(f"      node {offline.name} was at v{at}; back at v{back['to']}, its clients brought up to date with "
          f"one delta of {back['operations']} operations")
    version = converge(nodes)
    check(back["to"] == version == 232 and back["clients_current"] and back["operations"] > 0,
          f"node {offline.name} reopened the store at v{version} and its clients match it after delta_since(v{at})")

    for node in nodes:
        node.send("quit")
    codes = [node.process.wait(timeout=20) for node in nodes]
    check(codes == [0, 0, 0], "every node exited cleanly")
    admin.close()
    print("distributed_state: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--node":
        run_node(sys.argv[2], sys.argv[3])
    else:
        operator()
