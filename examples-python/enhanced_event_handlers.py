"""Enhanced event handlers: what a robust AG-UI transport does around the state events.

1. Large events are compressed in an envelope above a size threshold; small ones travel as they are.
2. A receiver puts deltas that arrive out of order back in version order within a bounded window, and
   resyncs from a STATE_SNAPSHOT when a missing delta is too old to wait for.
3. A sender retries a flaky transport with exponential backoff.
4. A slow consumer gets fewer, larger batches (the batcher coalesces behind it) and never holds up writers.
Exits 1 if any of it does not hold."""
import json
import sys
import threading
import time

import agstate

failures = 0


def check(ok: bool, what: str) -> None:
    global failures
    print(("ok    " if ok else "FAIL  ") + what)
    failures += 0 if ok else 1


class Random:
    """xorshift64: the same sequence in the C, Python and Go versions of this example."""

    def __init__(self, seed: int) -> None:
        self.state = seed

    def next(self, bound: int) -> int:
        x = self.state
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        self.state = x
        return x % bound


# -- 1. Compression above a threshold ---------------------------------------------------------------
print("== compression of large events")
big = agstate.Store({"tasks": [{"id": i, "title": f"task {i}", "status": "open", "tags": ["ui", "state"]}
                               for i in range(300)]})
large_event = big.snapshot_event().encode()
big.set("/tasks/0/status", "done")
small_event = big.delta_event(0).encode()
large_packed = agstate.pack(large_event)  # the default threshold: 1024 bytes
_, large_codec = agstate.unpack_with_codec(large_packed)
small_packed = agstate.pack(small_event)
_, small_codec = agstate.unpack_with_codec(small_packed)
print(f"      STATE_SNAPSHOT {len(large_event)} bytes -> {len(large_packed)} bytes ({large_codec});"
      f" STATE_DELTA {len(small_event)} bytes -> {len(small_packed)} bytes ({small_codec})")
check(large_codec == "gzip" and len(large_packed) * 4 < len(large_event),
      "the large event is compressed at least 4 times smaller")
check(small_codec == "identity", "the small event, under the 1024-byte threshold, is sent as it is")
check(agstate.unpack(large_packed) == large_event and agstate.unpack(small_packed) == small_event,
      "both unpack to the same bytes (size and CRC-32 checked)")

# -- 2. Reordering within a bounded window, resync when a gap is too old ------------------------------
print("== out-of-order deltas")
WINDOW = 6          # deltas a receiver holds while it waits for a missing one
DROPPED = 25        # the transport loses this version's delta
server = agstate.Store({"counter": 0, "recent": []})
outbox = []
sub = server.subscribe("", lambda version, ops: outbox.append((version, agstate.delta_event(ops))))


class Receiver:
    def __init__(self) -> None:
        self.store = agstate.Store()
        self.version = 0
        self.pending = {}
        self.reordered = self.resyncs = self.stale = 0

    def resync(self) -> None:
        # A snapshot and its version, read together (nothing commits between the two reads here).
        version, event = server.version, server.snapshot_event()
        self.store.apply_event(event)
        self.version = version
        self.pending = {v: e for v, e in self.pending.items() if v > version}
        self.resyncs += 1
        self.drain()

    def drain(self) -> None:
        while self.version + 1 in self.pending:
            self.store.apply_event(self.pending.pop(self.version + 1))
            self.version += 1

    def receive(self, version: int, event: str) -> None:
        if version <= self.version:
            self.stale += 1  # already covered by a snapshot
            return
        if version != self.version + 1:
            self.reordered += 1
        self.pending[version] = event
        self.drain()
        if len(self.pending) > WINDOW:
            self.resync()


receiver = Receiver()
receiver.resync()
rng = Random(42)
in_flight = []  # (delivery step, version, event)
for step in range(1, 61):
    server.patch([{"op": "replace", "path": "/counter", "value": step}, {"op": "add", "path": "/recent/-", "value": step}]
                 + ([{"op": "remove", "path": "/recent/0"}] if step > 5 else []))
    for version, event in outbox:
        if version != DROPPED:
            in_flight.append((step + rng.next(4), version, event))
    outbox.clear()
    for item in sorted(item for item in in_flight if item[0] <= step):
        receiver.receive(item[1], item[2])
    in_flight = [item for item in in_flight if item[0] > step]
for _, version, event in sorted(in_flight):
    receiver.receive(version, event)
print(f"      60 deltas sent, 1 lost; {receiver.reordered} arrived early and waited, {receiver.resyncs - 1} resync(s),"
      f" {receiver.stale} arrived after a snapshot covered them")
check(receiver.reordered > 0, "deltas that arrived early were held and applied in version order")
check(receiver.resyncs == 2, f"the lost delta (v{DROPPED}) was replaced by one STATE_SNAPSHOT once {WINDOW} deltas waited")
check(receiver.store.get() == server.get() and receiver.version == server.version,
      f"the receiver ends at v{receiver.version} with the server's state")
sub.close()

# -- 3. Retries with exponential backoff -------------------------------------------------------------
print("== retries on a flaky transport")
BASE_MS, CAP_MS, ATTEMPTS = 1, 16, 8
rng = Random(7)
delivered = []
tries = []


def flaky_send(event: str) -> None:
    if rng.next(10) < 4:  # 40% of sends fail
        raise ConnectionError("connection reset")
    delivered.append(event)


def send_with_retry(event: str) -> int:
    for attempt in range(ATTEMPTS):
        try:
            flaky_send(event)
            return attempt + 1
        except ConnectionError:
            time.sleep(min(CAP_MS, BASE_MS * 2 ** attempt) / 1000)
    raise ConnectionError(f"gave up after {ATTEMPTS} attempts")


source = agstate.Store({"n": 0})
events = []
for i in range(1, 21):
    source.set("/n", i)
    events.append(source.delta_event(i - 1))
started = time.monotonic()
tries = [send_with_retry(event) for event in events]
waited = (time.monotonic() - started) * 1000
print(f"      20 events, {sum(tries)} attempts, at most {max(tries)} for one, {waited:.0f} ms of backoff")
check(sum(tries) > 20, "some sends failed and were retried")
check(delivered == events, "every event was delivered once, in order")

# -- 4. Backpressure: a slow consumer behind the batcher ----------------------------------------------
print("== a slow consumer")
producer = agstate.Store({"counter": 0, "recent": []})
consumer = agstate.Store(producer.get())
received = []
expected_from = [0]
gaps = []


def slow_consumer(event: str, from_version: int, to_version: int) -> None:
    if from_version != expected_from[0]:
        gaps.append((expected_from[0], from_version))
    consumer.apply_event(event)
    expected_from[0] = to_version
    received.append(to_version)
    time.sleep(0.02)  # the consumer takes 20 ms per batch


batcher = agstate.Batcher(producer, slow_consumer, max_operations=100, window_ms=10, timer=True)
started = time.monotonic()
for i in range(1, 2001):
    producer.patch([{"op": "replace", "path": "/counter", "value": i}, {"op": "add", "path": "/recent/-", "value": i}]
                   + ([{"op": "remove", "path": "/recent/0"}] if i > 20 else []))
produced_ms = (time.monotonic() - started) * 1000
batcher.flush()
stats = batcher.stats
batcher.close()
consumed_ms = (time.monotonic() - started) * 1000
print(f"      2000 commits in {produced_ms:.0f} ms; the consumer got {len(received)} batches"
      f" and was done after {consumed_ms:.0f} ms")
print(f"      batcher: {stats['operationsIn']} operations in, {stats['operationsOut']} out,"
      f" {stats['coalesced']} changes coalesced behind the consumer, {stats['resynced']} backlog(s) replaced by one value")
check(0 < len(received) < 200, "the slow consumer got far fewer batches than commits")
check(not gaps, "every batch started where the previous one ended")
check(consumer.get() == producer.get() and expected_from[0] == producer.version,
      f"the consumer ends at v{expected_from[0]} with the producer's state")

print("enhanced_event_handlers: " + ("all checks passed" if failures == 0 else f"{failures} checks failed"))
sys.exit(1 if failures else 0)
