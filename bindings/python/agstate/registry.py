"""Registry: many stores in one process, opened by id, evicted when idle or over a memory budget."""
from __future__ import annotations

import json
import logging
import math
import threading
from ctypes import byref, c_int64, c_size_t, c_void_p, string_at
from typing import Any, Callable, Dict, Iterable, Optional

from . import _constants as C
from . import _registry_native as rn
from ._convert import document_bytes, text_bytes
from ._handles import NativeHandle, text_from, value_from
from ._native import check_int, lib
from .errors import InvalidArgument, check
from .store import Store

_LIMITS = {
    "max_depth": 0,
    "max_state_bytes": rn.LIMIT_STATE_BYTES,
    "max_operations": rn.LIMIT_OPERATIONS,
    "max_string_bytes": rn.LIMIT_STRING_BYTES,
    "max_members": rn.LIMIT_MEMBERS,
    "max_elements": rn.LIMIT_ELEMENTS,
}

_PY_LEVELS = {rn.LOG_DEBUG: logging.DEBUG, rn.LOG_INFO: logging.INFO, rn.LOG_WARNING: logging.WARNING,
              rn.LOG_ERROR: logging.ERROR}

logger = logging.getLogger("agstate")

SpanCallback = Callable[[Dict[str, Any]], None]


def _size(name: str, value: Optional[int], default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int")
    if value < 0 or value > rn.SIZE_MAX:
        raise OverflowError(f"{name} must be between 0 and {rn.SIZE_MAX}")
    return value


class Registry(NativeHandle):
    """Stores by id, opened on first use and kept resident while used.

    ``get(id, initial)`` returns a :class:`Store` that is the caller's hold on that store: the store stays
    resident until the hold is released (``close()`` or the end of its ``with`` block); the registry decides
    when the store itself leaves memory (after ``ttl_s`` idle, or least recently used first when the byte
    estimate of the resident stores passes ``budget_bytes``).

    ``storage``: an :class:`agstate.Storage` (durable: evicted stores come back from it with their exact
    state and version), or None. Without storage nothing is evicted unless
    ``evict_without_storage`` (evicted states are dropped) or ``memory_storage`` (evicted states are kept
    in process memory, a stand-in for storage) is set, and a registry over its budget refuses new stores
    with LimitExceeded.

    ``limits`` (``max_depth``, ``max_state_bytes``, ``max_operations``, ``max_string_bytes``,
    ``max_members``, ``max_elements``) bound every store's content; a refused change raises LimitExceeded.
    ``commits_per_second`` / ``bytes_per_second`` rate-limit each client id (``client_id=`` on a commit);
    a refusal raises RateLimited with ``retry_after_ms``.

    Log records go to the ``logging`` logger "agstate" (from ``log_level`` up); spans go to ``on_span``
    and, when opentelemetry-api is installed and ``opentelemetry=True``, become OpenTelemetry spans.
    """

    def __init__(self, storage: Any = None, *, budget_bytes: Optional[int] = None, ttl_s: Optional[float] = None,
                 shards: Optional[int] = None, evict_without_storage: bool = False, memory_storage: bool = False,
                 per_store_metrics: bool = False, commits_per_second: float = 0, commit_burst: float = 0,
                 bytes_per_second: float = 0, bytes_burst: float = 0, max_clients: Optional[int] = None,
                 alert_error_rate: float = 1, alert_p95_commit_ms: float = 0, alert_memory_share: float = 1,
                 limits: Optional[Dict[str, int]] = None, log_level: int = logging.INFO,
                 on_span: Optional[SpanCallback] = None, opentelemetry: bool = True) -> None:
        super().__init__(None)
        self._storage = storage  # kept alive while the registry may load from it
        options = rn.RegistryOptions(*C.AGS_REGISTRY_OPTIONS_INIT)
        options.flags = ((rn.REGISTRY_EVICT_WITHOUT_STORAGE if evict_without_storage else 0)
                         | (rn.REGISTRY_MEMORY_STORAGE if memory_storage else 0)
                         | (rn.REGISTRY_PER_STORE_METRICS if per_store_metrics else 0))
        options.budget_bytes = _size("budget_bytes", budget_bytes, rn.SIZE_MAX)
        if ttl_s is not None:
            if math.isnan(ttl_s) or ttl_s < 0:
                raise ValueError("ttl_s must be at least 0")
            # round() raises OverflowError for infinity; check_int for a TTL past uint64_t milliseconds (a
            # ctypes field would keep only its low 64 bits).
            options.ttl_ms = check_int(int(round(ttl_s * 1000)), "uint64_t", "ttl_s in milliseconds")
        options.shards = _size("shards", shards, options.shards)
        options.max_clients = _size("max_clients", max_clients, options.max_clients)
        options.commits_per_second = commits_per_second
        options.commit_burst = commit_burst
        options.bytes_per_second = bytes_per_second
        options.bytes_burst = bytes_burst
        options.alert_error_rate = alert_error_rate
        options.alert_p95_commit_ms = alert_p95_commit_ms
        options.alert_memory_share = alert_memory_share
        handle = c_void_p()
        check(lib.ags_registry_open(None if storage is None else storage._h(), byref(options), byref(handle)))
        self._handle = handle.value
        self._callbacks: list = []  # CFUNCTYPE objects the library may call: kept alive here
        for name, value in (limits or {}).items():
            self.limit(name, value)
        self._set_log(log_level)
        self._span_sinks: list = []
        if on_span is not None:
            self._span_sinks.append(on_span)
        if opentelemetry:
            bridge = _opentelemetry_bridge()
            if bridge is not None:
                self._span_sinks.append(bridge)
        if self._span_sinks:
            self._set_span()

    def close(self) -> None:
        """Lets go of every store (stores still held stay usable) and closes the registry."""
        handle = self._take()
        if handle is not None:
            lib.ags_registry_close(handle)

    _release = staticmethod(lib.ags_registry_close)

    def get(self, id: str, initial: Any = None) -> Store:
        """The store ``id``, held until the returned Store is closed. Opened on first use: loaded from
        storage, or created holding ``initial`` (a Python value or JSON text). Raises PathNotFound when it
        is nowhere and ``initial`` is None, LimitExceeded when over the budget with no eviction allowed."""
        key = text_bytes(id)
        handle = c_void_p()
        if initial is None:
            check(lib.ags_registry_get(self._h(), key, len(key), None, 0, byref(handle)))
        else:
            data = document_bytes(initial)
            check(lib.ags_registry_get(self._h(), key, len(key), data, len(data), byref(handle)))
        store = Store._from_handle(handle.value)
        # The registry's log and span hooks are Python callbacks that its stores' commits may run: those
        # commits must release the GIL (see Store._commit), or a commit holding it could wait for another
        # thread's commit that waits for the GIL in a hook.
        store._callbacks = True
        return store

    def sweep(self) -> int:
        """Evicts the stores unused past the TTL (and unheld); returns how many."""
        n = c_size_t()
        check(lib.ags_registry_sweep(self._h(), byref(n)))
        return n.value

    def limit(self, name: str, value: Optional[int] = None) -> int:
        """Reads (and with ``value``, sets) a limit of the registry's stores; returns the value before.
        Names: max_depth, max_state_bytes, max_operations, max_string_bytes, max_members, max_elements;
        ``None`` as a value sets no bound."""
        if name not in _LIMITS:
            raise InvalidArgument(f"unknown limit {name!r}; known: {', '.join(_LIMITS)}")
        new = -1
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError("a limit must be an int")
            if value < 0 or value > rn.LIMIT_UNBOUNDED:
                raise OverflowError(f"a limit must be between 0 and {rn.LIMIT_UNBOUNDED}")
            new = value
        old = c_int64()
        check(lib.ags_registry_limit(self._h(), _LIMITS[name], new, byref(old)))
        return old.value

    def stats(self) -> Dict[str, Any]:
        """``hits``, ``misses``, ``evictions`` (and ``evictions_by_cause``), ``resident``, ``resident_bytes``,
        ``held``, ``commits``, ``commit_failures``, ``limit_refusals``, ``rate_refusals``."""
        return value_from(lib.ags_registry_stats, self._h())

    def health(self) -> Dict[str, Any]:
        """The health report: ``status`` ok/degraded/failing, ``crossed`` thresholds, and the readings."""
        return value_from(lib.ags_registry_health, self._h())

    def metrics_text(self) -> str:
        """The metrics in the Prometheus text exposition format."""
        return text_from(lib.ags_metrics_text, self._h())

    def metrics(self) -> Dict[str, Any]:
        """The metrics as a dict (the JSON form)."""
        return value_from(lib.ags_metrics_json, self._h())

    def prometheus_collector(self):
        """A prometheus_client collector reading this registry (needs the prometheus_client package)."""
        from ._prometheus import RegistryCollector

        return RegistryCollector(self)

    # -- hooks ------------------------------------------------------------------------------------

    def _set_log(self, level: int) -> None:
        native_level = rn.LOG_DEBUG
        for native, python in sorted(_PY_LEVELS.items()):
            if python >= level:
                native_level = native
                break
        else:
            native_level = rn.LOG_ERROR

        def deliver(_user: Any, lvl: int, record: int, length: int) -> None:
            try:
                fields = json.loads(string_at(record, length).decode("utf-8"))
                message = fields.pop("message", "")
                logger.log(_PY_LEVELS.get(lvl, logging.INFO), message, extra={"agstate": fields})
            except Exception:  # a callback must not raise into the library
                pass

        callback = rn.LOG_FN(deliver)
        self._callbacks.append(callback)
        check(lib.ags_registry_set_log(self._h(), native_level, callback, None))

    def on_span(self, callback: SpanCallback) -> None:
        """Adds a span callback: called with {"operation", "store_id", "version", "duration_ns", "status"}."""
        self._span_sinks.append(callback)
        self._set_span()

    def _set_span(self) -> None:
        sinks = self._span_sinks

        def deliver(_user: Any, span_ptr: Any) -> None:
            try:
                s = span_ptr.contents
                span = {"operation": s.operation.decode(), "store_id": string_at(s.store_id, s.store_id_len).decode("utf-8"),
                        "version": s.version, "duration_ns": s.duration_ns, "status": s.status}
                for sink in list(sinks):
                    sink(span)
            except Exception:
                pass

        callback = rn.SPAN_FN(deliver)
        self._callbacks.append(callback)
        check(lib.ags_registry_set_span(self._h(), callback, None))


def _opentelemetry_bridge() -> Optional[SpanCallback]:
    """Spans as OpenTelemetry spans (ended at once, with their real start and end times), children of
    the current span, when opentelemetry-api is installed."""
    try:
        from opentelemetry import trace
        from opentelemetry.trace import Status, StatusCode
    except ImportError:
        return None
    import time

    tracer = trace.get_tracer("agstate")

    def bridge(span: Dict[str, Any]) -> None:
        end = time.time_ns()
        otel = tracer.start_span(f"agstate.{span['operation']}", start_time=end - span["duration_ns"],
                                 attributes={"agstate.store_id": span["store_id"], "agstate.version": span["version"],
                                             "agstate.status": span["status"]})
        if span["status"] != 0:
            otel.set_status(Status(StatusCode.ERROR))
        otel.end(end_time=end)

    return bridge
