"""Monitoring and observability: a registry's metrics served as /metrics (Prometheus text, written by the
engine) and its health report as /healthz (200 when ok, 503 otherwise) over HTTP on loopback, the engine's
log records printed as structured JSON lines, and an error-rate alert that fires when a faulty client's
commits are refused by a limit and resolves once good commits dilute them. The example reads its own
endpoints over a real socket, as Prometheus and a load balancer would. Exits 1 if any of it does not hold."""
import json
import logging
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import agstate

failures = 0


def check(ok: bool, what: str) -> None:
    global failures
    print(("ok    " if ok else "FAIL  ") + what)
    failures += 0 if ok else 1


ALERT_ERROR_RATE = 0.10  # the share of failed commits (of the last 1024) above which health is degraded

# Structured logs: the engine's records, the first of each message printed as one JSON line with its fields
# as the engine gave them (the example counts the rest).
records = []


class JSONLines(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        line = {"level": record.levelname.lower(), "message": record.getMessage(), **getattr(record, "agstate", {})}
        if all(r["message"] != line["message"] for r in records):
            print("log   " + json.dumps(line, sort_keys=True))
        records.append(line)


logging.getLogger("agstate").addHandler(JSONLines())
logging.getLogger("agstate").propagate = False

registry = agstate.Registry(alert_error_rate=ALERT_ERROR_RATE, limits={"max_string_bytes": 256},
                            log_level=logging.WARNING)


class Endpoints(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/metrics":
            status, kind, body = 200, "text/plain; version=0.0.4; charset=utf-8", registry.metrics_text().encode()
        elif self.path == "/healthz":
            health = registry.health()
            body = json.dumps(health, separators=(",", ":")).encode()
            status, kind = 200 if health["status"] == "ok" else 503, "application/json"
        else:
            status, kind, body = 404, "text/plain", b"not found\n"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # the example prints its own lines
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoints)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"
print(f"== serving {base}/metrics and {base}/healthz")


def fetch(path: str):
    try:
        with urllib.request.urlopen(base + path, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def samples(text: str) -> dict:
    """The samples of a Prometheus text exposition: {'name{labels}': value}."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


alerts = []  # the alert's transitions, as an alerting rule over /healthz would see them


def evaluate() -> dict:
    status, _, body = fetch("/healthz")
    health = json.loads(body)
    firing = "error_rate" in health["crossed"]
    if firing != (bool(alerts) and alerts[-1] == "firing"):
        alerts.append("firing" if firing else "resolved")
        print(f"alert ErrorRateHigh {alerts[-1].upper()}: error rate {health['error_rate']:.3f} "
              f"(threshold {ALERT_ERROR_RATE}), /healthz {status} {health['status']}")
    return health


def commit(store: agstate.Store, i: int, text: str) -> bool:
    try:
        store.patch([{"op": "replace", "path": "/last", "value": text}, {"op": "replace", "path": "/count", "value": i}])
        return True
    except agstate.LimitExceeded:
        return False


stores = [registry.get(f"agent-{n}", {"count": 0, "last": ""}) for n in range(3)]

print("== healthy traffic: 60 commits")
for i in range(60):
    commit(stores[i % 3], i, f"step {i}")
status, kind, body = fetch("/healthz")
health = evaluate()
check(status == 200 and health["status"] == "ok" and health["crossed"] == [], f"/healthz answers 200 ok ({body[:60]}...)")
status, kind, text = fetch("/metrics")
m = samples(text)
check(status == 200 and kind.startswith("text/plain; version=0.0.4") and text.startswith("# HELP"),
      f"/metrics answers 200 in the Prometheus text format ({len(text)} bytes, {len(m)} samples)")
check(m['agstate_commits_total{status="ok"}'] == 60 and m['agstate_resident_stores'] == 3,
      "/metrics counts the 60 commits and the 3 resident stores")

print("== a faulty client: 20 commits with strings over the 256-byte limit, all refused")
refused = sum(not commit(stores[0], i, "x" * 1000) for i in range(20))
health = evaluate()
check(refused == 20 and health["status"] == "degraded" and "error_rate" in health["crossed"]
      and fetch("/healthz")[0] == 503, f"the error rate {health['error_rate']:.3f} crosses {ALERT_ERROR_RATE}: "
      "/healthz answers 503 degraded and the alert fires")
warnings = [r for r in records if r["message"] == "commit refused by a limit"]
check(len(warnings) == 20 and warnings[0]["id"] == "agent-0" and warnings[0]["error"].startswith("AGS_LIMIT_STRING_BYTES")
      and warnings[0]["pointer"] == "/last", "each refusal is a structured warning naming the store, limit and pointer")
print(f"      ({len(records)} log records so far, the first of each kind printed)")
check(any(r["message"] == "health is degraded" and r["crossed"] == ["error_rate"] for r in records),
      "the degraded health report is logged with the threshold crossed")
m = samples(fetch("/metrics")[2])
check(m['agstate_commits_total{status="failed"}'] == 20 and m['agstate_refusals_total{reason="limit"}'] == 20,
      "/metrics counts 20 failed commits, refused by a limit")

print("== recovery: good commits dilute the failures")
for i in range(140):
    commit(stores[i % 3], i, f"step {i}")
    if i % 20 == 19:
        health = evaluate()
check(health["status"] == "ok" and fetch("/healthz")[0] == 200 and alerts == ["firing", "resolved"],
      f"the error rate falls to {health['error_rate']:.3f}: /healthz answers 200 ok again and the alert resolves")
status, _, _ = fetch("/nothing")
check(status == 404, "an unknown path is 404")

server.shutdown()
server.server_close()
for store in stores:
    store.close()
registry.close()
print("monitoring_observability: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
sys.exit(1 if failures else 0)
