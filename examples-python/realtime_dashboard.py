"""Realtime dashboard: three data sources update one store at 10, 20 and 50 Hz; each keeps a time series in a
bounded array and raises alerts into a bounded activity feed. A batcher sends the commits as compacted
STATE_DELTA events (on size or after its window) over Server-Sent Events, gzip-compressed as a stream and
flushed per event. A small web page (realtime_dashboard.html) follows the stream with EventSource.

    python realtime_dashboard.py              # runs 3 s with a checking client, exits 1 if it fails
    python realtime_dashboard.py --serve 0    # serves until interrupted; open the printed address
                                              # (the sources start when the page connects)

The checking client reads the same gzip SSE stream over a real socket, applies the events to a store of its
own, and must end with the server's state. Standard library only, besides agstate. Listens on 127.0.0.1."""
import argparse
import json
import math
import os
import queue
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import agstate

PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "realtime_dashboard.html")
SERIES_POINTS = 20   # points kept per source: the time series is a bounded array
ALERTS_KEPT = 6      # entries kept in the activity feed
CLIENT_QUEUE = 256   # frames queued per browser; a client that falls further behind is disconnected
SOURCES = {          # name: (label, unit, rate in Hz, alert threshold, signal(t))
    "cpu": ("CPU", "%", 20, 85, lambda t: 62 + 30 * math.sin(t * 2.1)),
    "memory": ("Memory", "%", 10, 80, lambda t: 55 + 35 * ((t * 0.4) % 1)),
    "requests": ("Requests", "req/s", 50, 900, lambda t: 600 + 380 * math.sin(t * 3.3) + 40 * math.sin(t * 17)),
}


def initial_state() -> dict:
    return {"sources": {name: {"label": label, "unit": unit, "rateHz": hz, "threshold": limit, "value": 0,
                               "updates": 0}
                        for name, (label, unit, hz, limit, _) in SOURCES.items()},
            "series": {name: [] for name in SOURCES}, "alerts": []}


class Dashboard:
    """The store, the sources writing to it, and the batcher fanning its deltas out to the SSE clients."""

    def __init__(self) -> None:
        self.store = agstate.Store(initial_state())
        self.lock = threading.Lock()   # guards clients and last_version, and orders joins against batches
        self.clients = []
        self.last_version = 0          # the version the latest batch took the clients to
        self.alerts_lock = threading.Lock()
        self.alerts = 0
        self.alerts_raised = 0
        self.raw_bytes = self.gzip_bytes = 0
        self.stop = threading.Event()
        self.first_client = threading.Event()  # with --serve, the sources start when a page connects
        self.batcher = agstate.Batcher(self.store, self.on_batch, max_operations=32, window_ms=100, timer=True)

    # -- the sources ---------------------------------------------------------------------------
    def run_source(self, name: str, seconds: float) -> None:
        label, unit, hz, limit, signal = SOURCES[name]
        started = time.monotonic()
        points, above, updates = 0, False, 0
        period, deadline = 1.0 / hz, started
        while not self.stop.is_set() and time.monotonic() - started < seconds:
            t = time.monotonic() - started
            value = round(signal(t), 1)
            updates += 1
            ops = [{"op": "replace", "path": f"/sources/{name}/value", "value": value},
                   {"op": "replace", "path": f"/sources/{name}/updates", "value": updates},
                   {"op": "add", "path": f"/series/{name}/-", "value": value}]
            if points == SERIES_POINTS:
                ops.append({"op": "remove", "path": f"/series/{name}/0"})
            else:
                points += 1
            if (value > limit) != above:
                above = value > limit
                self.raise_alert(ops, name, label, value, limit, unit, above, int(t * 1000))
            else:
                self.store.patch(ops)
            deadline += period
            time.sleep(max(0.0, deadline - time.monotonic()))

    def raise_alert(self, ops: list, name: str, label: str, value: float, limit: float, unit: str, above: bool,
                    at_ms: int) -> None:
        text = (f"{at_ms / 1000:.1f}s {label} {value} {unit} above {limit}" if above
                else f"{at_ms / 1000:.1f}s {label} back to {value} {unit}")
        with self.alerts_lock:  # the feed is shared by the sources: its length is counted under this lock
            ops = ops + [{"op": "add", "path": "/alerts/-",
                          "value": {"source": name, "kind": "raise" if above else "clear", "message": text}}]
            if self.alerts == ALERTS_KEPT:
                ops.append({"op": "remove", "path": "/alerts/0"})
            else:
                self.alerts += 1
            self.alerts_raised += 1
            self.store.patch(ops, urgent=above)  # an alert is sent at once, not at the end of the window

    # -- the stream ----------------------------------------------------------------------------
    def on_batch(self, event: str, from_version: int, to_version: int) -> None:
        frame = f"id: {to_version}\n".encode() + agstate.encode_sse(event).encode()
        with self.lock:
            self.last_version = to_version
            for client in list(self.clients):
                try:
                    client.put_nowait(frame)
                except queue.Full:
                    self.clients.remove(client)
                    client.put(None)  # never blocks: the consumer is gone or far behind; it reconnects

    def join(self) -> "tuple[queue.Queue, bytes]":
        """A new client: the state at the version of the latest batch, after which every batch applies."""
        client: queue.Queue = queue.Queue(CLIENT_QUEUE + 1)
        with self.lock:
            version = self.last_version
            snapshot = {"type": "STATE_SNAPSHOT", "snapshot": self.store.state_at(version)}
            self.clients.append(client)
        self.first_client.set()
        return client, f"id: {version}\n".encode() + agstate.encode_sse(snapshot).encode()

    def leave(self, client: queue.Queue) -> None:
        with self.lock:
            if client in self.clients:
                self.clients.remove(client)


def make_handler(board: Dashboard):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def reply(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urllib.parse.urlparse(self.path)
            if url.path == "/":
                with open(PAGE, "rb") as page:
                    self.reply(page.read(), "text/html; charset=utf-8")
            elif url.path == "/state":
                # The state at a version (for the browser test): ?version=N, or the current one.
                query = urllib.parse.parse_qs(url.query)
                if "version" in query:
                    version = int(query["version"][0])
                    state = board.store.state_at(version)
                else:
                    snap = board.store.snapshot()
                    version, state = snap.version, snap.get()
                self.reply(json.dumps({"version": version, "state": state}).encode(), "application/json")
            elif url.path == "/events":
                self.stream()
            else:
                self.send_error(404)

        def stream(self) -> None:
            gzip = "gzip" in self.headers.get("Accept-Encoding", "")
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            if gzip:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            compressor = agstate.GzipStream() if gzip else None
            client, frame = board.join()
            try:
                while frame is not None:
                    data = compressor.write_event(frame) if compressor else frame
                    board.raw_bytes += len(frame)
                    board.gzip_bytes += len(data)
                    self.wfile.write(data)
                    self.wfile.flush()
                    frame = None
                    while frame is None and not board.stop.is_set():
                        try:
                            frame = client.get(timeout=0.2)
                        except queue.Empty:
                            continue
                        if frame is None:
                            break
                if compressor:
                    self.wfile.write(compressor.finish())
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                board.leave(client)
                if compressor:
                    compressor.close()

    return Handler


def follow(url: str, client: agstate.Store, seen: dict, done: threading.Event) -> None:
    """The checking client: reads the gzip SSE stream over the socket and applies every event."""
    request = urllib.request.Request(url + "events", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        seen["encoding"] = response.headers.get("Content-Encoding")
        inflate = agstate.Decompressor("gzip")
        buffer = b""
        while True:
            chunk = response.read1(65536)
            if not chunk:
                break
            seen["wire"] += len(chunk)
            buffer += inflate.write(chunk)
            while b"\n\n" in buffer:
                frame, buffer = buffer.split(b"\n\n", 1)
                fields = dict(line.split(": ", 1) for line in frame.decode().split("\n"))
                client.apply_event(fields["data"])
                seen["version"] = int(fields["id"])
                seen["events"] += 1
                seen["arrivals"].append(time.monotonic())
        inflate.finish()  # the stream ended with its gzip trailer
        seen["complete"] = True
    done.set()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="how long the sources run (default 3)")
    parser.add_argument("--serve", type=float, metavar="SECONDS",
                        help="serve for SECONDS after the sources stop (0: until interrupted), no checking client")
    args = parser.parse_args()

    board = Dashboard()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(board))
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving {url}", flush=True)

    seen = {"wire": 0, "events": 0, "version": -1, "arrivals": [], "complete": False}
    client = agstate.Store()
    done = threading.Event()
    if args.serve is None:
        threading.Thread(target=follow, args=(url, client, seen, done), daemon=True).start()
    board.first_client.wait()  # the sources start when the first client (or page) has connected
    started = time.monotonic()
    sources = [threading.Thread(target=board.run_source, args=(name, args.seconds)) for name in SOURCES]
    for thread in sources:
        thread.start()
    try:
        for thread in sources:
            thread.join()
        board.batcher.flush()
        if args.serve is not None:
            print("sources stopped", flush=True)
            deadline = time.monotonic() + (args.serve or math.inf)
            while time.monotonic() < deadline:
                time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    elapsed = time.monotonic() - started
    stats = board.batcher.stats
    final = board.store.snapshot()

    # Give the client the last batch, then end every stream (each ends with its gzip trailer).
    deadline = time.monotonic() + 5
    while args.serve is None and seen["version"] < final.version and time.monotonic() < deadline:
        time.sleep(0.05)
    board.stop.set()
    if args.serve is None:
        done.wait(5)
    board.batcher.close()
    server.shutdown()
    if args.serve is not None:
        return 0

    state = final.get()
    print(f"sources ran {elapsed:.1f} s:", ", ".join(
        f"{name} {state['sources'][name]['updates'] / args.seconds:.0f} Hz" for name in SOURCES))
    print(f"{stats['changes']} commits -> {stats['batches']} STATE_DELTA batches; operations {stats['operationsIn']}"
          f" in, {stats['operationsOut']} out after compaction")
    gaps = [b - a for a, b in zip(seen["arrivals"], seen["arrivals"][1:])]
    if gaps:
        print(f"batches arrived every {1000 * sum(gaps) / len(gaps):.0f} ms on average (window 100 ms, size bound"
              f" 32 operations, alerts at once)")
    print(f"SSE: {board.raw_bytes} bytes of events, {board.gzip_bytes} bytes gzip on the wire"
          f" ({board.raw_bytes / max(1, board.gzip_bytes):.1f}x)")
    print(f"alerts raised: {board.alerts_raised}, kept in the feed: {len(state['alerts'])}")
    failures = 0

    def check(ok: bool, what: str) -> None:
        nonlocal failures
        print(("ok    " if ok else "FAIL  ") + what)
        failures += 0 if ok else 1

    check(seen["encoding"] == "gzip" and seen["complete"], "the client read a gzip SSE stream to its trailer")
    check(seen["version"] == final.version, f"the client reached the store's version v{final.version}")
    check(client.get() == state, "the client's state, built from the events, equals the store's")
    check(stats["batches"] < stats["changes"] and stats["operationsOut"] < stats["operationsIn"],
          "the batcher sent fewer, compacted events than commits")
    check(all(len(state["series"][name]) == min(SERIES_POINTS, state["sources"][name]["updates"]) for name in SOURCES)
          and any(state["sources"][name]["updates"] > SERIES_POINTS for name in SOURCES),
          f"every time series keeps its latest {SERIES_POINTS} points at most")
    check(0 < len(state["alerts"]) <= ALERTS_KEPT and board.alerts_raised >= len(state["alerts"]),
          f"alerts were raised and the feed keeps at most {ALERTS_KEPT}")
    check(board.gzip_bytes < board.raw_bytes, "gzip made the stream smaller")
    print("realtime_dashboard: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
