"""Registries from Python: holds, eviction and exact reload, the budget without storage, every content limit
(error, location, unchanged state), metrics text read back by prometheus_client, health, logging and spans."""
import json
import logging

import pytest

import agstate
from agstate import LimitExceeded, PathNotFound, Registry


def test_get_holds_and_reload_after_eviction():
    with Registry(memory_storage=True, budget_bytes=30000) as registry:
        expected = {}
        for i in range(200):
            with registry.get(f"t{i}", {"n": 0}) as store:
                for k in range(i % 4):
                    store.set("/n", k + 1)
                expected[f"t{i}"] = (store.get(), store.version)
            assert registry.stats()["resident_bytes"] <= 30000
        stats = registry.stats()
        assert stats["evictions"] > 100 and stats["misses"] == 200
        for key, (state, version) in expected.items():
            with registry.get(key) as store:
                assert store.get() == state and store.version == version
        with pytest.raises(PathNotFound):
            registry.get("nobody")


def test_held_store_stays_resident():
    with Registry(memory_storage=True, budget_bytes=3000) as registry:
        held = registry.get("held", {"x": "y" * 200})
        for i in range(10):
            registry.get(f"o{i}", {"x": "z" * 200}).close()
        held.set("/n", 1)
        with registry.get("held") as again:
            assert again.get() == {"x": "y" * 200, "n": 1}
        held.close()


def test_budget_without_storage_refuses_new_stores():
    registry = Registry(budget_bytes=2000)
    holds = []
    with pytest.raises(LimitExceeded):
        for i in range(20):
            holds.append(registry.get(f"s{i}", {"text": "x" * 40}))
    assert registry.stats()["evictions"] == 0
    for h in holds:
        h.close()
    registry.close()


LIMITS = dict(max_string_bytes=8, max_members=3, max_elements=2, max_operations=2, max_state_bytes=250, max_depth=4)


def refused(store, limit, pointer, op_index, call):
    before, version = store.get(), store.version
    with pytest.raises(LimitExceeded) as info:
        call()
    assert limit in info.value.message
    if pointer is not None:
        assert info.value.pointer == pointer
    if op_index is not None:
        assert info.value.op_index == op_index
    assert store.get() == before and store.version == version


def test_every_limit_everywhere():
    registry = Registry(limits=LIMITS)
    assert registry.limit("max_elements") == 2
    store = registry.get("a", {"a": [1], "b": "ok"})
    refused(store, "AGS_LIMIT_STRING_BYTES", "/b", 0, lambda: store.set("/b", "far too long"))
    refused(store, "AGS_LIMIT_STRING_BYTES", "/a/-", 0, lambda: store.add("/a/-", "far too long"))
    refused(store, "AGS_LIMIT_ELEMENTS", "/a", None,
            lambda: store.patch([{"op": "add", "path": "/a/-", "value": 2}, {"op": "add", "path": "/a/-", "value": 3}]))
    refused(store, "AGS_LIMIT_MEMBERS", "", None, lambda: store.merge({"c": 1, "d": 2}))
    refused(store, "AGS_LIMIT_OPERATIONS", "/b", 2, lambda: store.patch([{"op": "test", "path": "/b", "value": "ok"}] * 3))
    refused(store, "AGS_LIMIT_DEPTH", "/b", 0, lambda: store.set("/b", {"x": {"y": {"z": {}}}}))
    refused(store, "AGS_LIMIT_STATE_BYTES", None, None,
            lambda: store.set("/c", {"x": {"y": "1234567", "z": "1234567"}, "w": ["1234567", "1234567"]}))

    def transaction():
        with store.transaction() as txn:
            txn.patch([{"op": "replace", "path": "/b", "value": "much too long"}])
            txn.commit()

    refused(store, "AGS_LIMIT_STRING_BYTES", "/b", 0, transaction)
    refused(store, "AGS_LIMIT_ELEMENTS", "/a", 0,
            lambda: store.apply_event({"type": "STATE_SNAPSHOT", "snapshot": {"a": [1, 2, 3]}}))
    with agstate.Store({"a": "a string longer than 8"}) as other:
        snapshot = other.snapshot()
        refused(store, "AGS_LIMIT_STRING_BYTES", "/a", 0, lambda: store.restore(snapshot))
    with pytest.raises(LimitExceeded):
        registry.get("big", [1, 2, 3])
    with pytest.raises(OverflowError):
        registry.limit("max_members", -1)
    store.close()
    registry.close()


def test_metrics_text_reads_back_with_prometheus_client():
    parser = pytest.importorskip("prometheus_client.parser")
    registry = Registry(per_store_metrics=True)
    with registry.get('quote"d', {}) as store:
        store.set("/x", 1)
    families = {f.name: f for f in parser.text_string_to_metric_families(registry.metrics_text())}
    agstate.compress(b"x" * 1000)
    with agstate.EventValidator() as validator:
        validator.feed_stream(b'{"type":"TEXT_MESSAGE_CONTENT","messageId":"m","delta":"hi"}\n')
    families = {f.name: f for f in parser.text_string_to_metric_families(registry.metrics_text())}
    for name in ("agstate_registry_gets", "agstate_commits", "agstate_commit_duration_seconds",
                 "agstate_resident_bytes", "agstate_registry_evictions", "agstate_store_commits",
                 "agstate_validation_duration_seconds", "agstate_validator_findings",
                 "agstate_compression_duration_seconds", "agstate_codec_bytes"):
        assert name in families, name
    assert families["agstate_commit_duration_seconds"].type == "histogram"
    commits = {s.labels.get("status"): s.value for s in families["agstate_commits"].samples if s.name == "agstate_commits_total"}
    assert commits["ok"] == 1
    per_store = [s for s in families["agstate_store_commits"].samples if s.name == "agstate_store_commits_total"]
    assert per_store[0].labels == {"store": 'quote"d'} and per_store[0].value == 1
    assert registry.metrics()["statistics"]["commits"] == 1
    registry.close()


def test_prometheus_collector():
    prometheus_client = pytest.importorskip("prometheus_client")
    registry = Registry()
    registry.get("a", {}).close()
    collectors = prometheus_client.CollectorRegistry()
    collectors.register(registry.prometheus_collector())
    assert collectors.get_sample_value("agstate_registry_gets_total", {"result": "miss"}) == 1
    registry.close()


def test_health_degrades_when_a_threshold_is_crossed():
    registry = Registry(budget_bytes=1000, alert_memory_share=0.1)
    assert registry.health()["status"] == "ok"
    store = registry.get("a", {"x": "x" * 200})
    report = registry.health()
    assert report["status"] == "degraded" and report["crossed"] == ["memory_share"]
    store.close()
    registry.close()


def test_log_records_reach_logging(caplog):
    registry = Registry(limits={"max_elements": 0}, log_level=logging.DEBUG)
    with caplog.at_level(logging.DEBUG, logger="agstate"):
        with registry.get("a", {}) as store:
            with pytest.raises(LimitExceeded):
                store.set("/x", [1])
    records = [r for r in caplog.records if r.name == "agstate" and r.getMessage() == "commit refused by a limit"]
    assert records and records[0].levelno == logging.WARNING
    assert records[0].agstate["id"] == "a" and records[0].agstate["pointer"] == "/x"
    registry.close()


def test_spans_reach_a_callback_and_opentelemetry():
    spans = []
    registry = Registry(on_span=spans.append)
    with registry.get("a", {}) as store:
        store.set("/x", 1)
    assert [s["operation"] for s in spans] == ["load", "commit"]
    assert spans[1]["store_id"] == "a" and spans[1]["version"] == 1 and spans[1]["status"] == 0
    registry.close()


def test_spans_inside_the_request_trace():
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    registry = Registry()
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("request") as request:
        with registry.get("conversation", {}) as store:
            store.set("/x", 1)
    finished = {s.name: s for s in exporter.get_finished_spans()}
    commit = finished["agstate.commit"]
    assert commit.parent is not None and commit.parent.span_id == request.get_span_context().span_id
    assert commit.attributes["agstate.store_id"] == "conversation" and commit.attributes["agstate.version"] == 1
    registry.close()


def test_rate_limits_per_client():
    from agstate import RateLimited

    registry = Registry(commits_per_second=1, commit_burst=2, bytes_per_second=100)
    store = registry.get("r", {"n": 0})
    store.set("/n", 1, client_id="alice")
    store.patch([{"op": "replace", "path": "/n", "value": 2}], client_id="alice")
    with pytest.raises(RateLimited) as info:
        store.set("/n", 3, client_id="alice")
    assert 0 < info.value.retry_after_ms <= 1000
    assert store.get() == {"n": 2} and store.version == 2
    # Every way of committing carries the client; another client has its own buckets.
    with pytest.raises(RateLimited):
        store.merge({"n": 9}, client_id="alice")
    with store.transaction() as txn:
        txn.patch([{"op": "replace", "path": "/n", "value": 9}])
        with pytest.raises(RateLimited):
            txn.commit(client_id="alice")
    assert store.get() == {"n": 2}
    store.merge({"n": 4}, client_id="bob")
    store.set("/n", 5)  # no client: no rate limit
    # Bytes per second: bob spent 7 of 100 bytes; a 97-byte value waits.
    with pytest.raises(RateLimited) as info:
        store.set("/s", "0" * 95, client_id="bob")
    assert info.value.retry_after_ms > 0
    assert store.get() == {"n": 5}
    assert registry.stats()["rate_refusals"] == 4
    store.close()
    registry.close()


def test_threads_commit_while_hooks_run_python():
    import threading

    spans = []
    registry = Registry(limits={"max_elements": 1}, on_span=spans.append)
    store = registry.get("shared", {"n": 0})
    errors = []

    def work():
        try:
            for i in range(200):
                store.set("/n", i)
                with pytest.raises(LimitExceeded):  # logged through the hook
                    store.set("/a", [1, 2])
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads) and not errors
    assert sum(1 for s in spans if s["operation"] == "commit") == 1200
    store.close()
    registry.close()


def test_registry_over_durable_storage(tmp_path):
    from agstate import Storage

    url = f"sqlite:{tmp_path}/stores.db"
    with Storage(url, durability="normal") as storage:
        with Registry(storage, budget_bytes=20000) as registry:
            for i in range(100):
                with registry.get(f"t{i}", {"n": 0}) as store:
                    for k in range(i % 4):
                        store.set("/n", k + 1)
            assert registry.stats()["evictions"] > 50
            assert registry.health()["storage_reachable"] is True
        with Registry(storage) as again:  # a new registry over the same file
            for i in range(100):
                with again.get(f"t{i}") as store:
                    assert store.get() == {"n": i % 4} and store.version == i % 4
            with pytest.raises(PathNotFound):
                again.get("never")
