"""ctypes declarations of the registry section of include/agstate.h."""
from __future__ import annotations

import ctypes
from ctypes import POINTER, Structure, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint, c_uint32, c_uint64, c_void_p

from ._native import lib

c_out = POINTER(c_void_p)
c_out_len = POINTER(c_size_t)


class RegistryOptions(Structure):
    """``ags_registry_options``."""

    _fields_ = [
        ("version", c_uint),
        ("flags", c_uint32),
        ("budget_bytes", c_size_t),
        ("ttl_ms", c_uint64),
        ("shards", c_size_t),
        ("commits_per_second", c_double),
        ("commit_burst", c_double),
        ("bytes_per_second", c_double),
        ("bytes_burst", c_double),
        ("max_clients", c_size_t),
        ("alert_error_rate", c_double),
        ("alert_p95_commit_ms", c_double),
        ("alert_memory_share", c_double),
    ]


class Span(Structure):
    """``ags_span``."""

    _fields_ = [
        ("operation", c_char_p),
        ("store_id", c_void_p),
        ("store_id_len", c_size_t),
        ("version", c_uint64),
        ("duration_ns", c_uint64),
        ("status", c_int),
    ]


# void (*ags_log_fn)(void *user_data, int level, const char *record, size_t record_len)
LOG_FN = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_void_p, c_size_t)
# void (*ags_span_fn)(void *user_data, const ags_span *span)
SPAN_FN = ctypes.CFUNCTYPE(None, c_void_p, POINTER(Span))

_SIGNATURES = {
    "ags_registry_options_init": (c_int, [POINTER(RegistryOptions), c_uint]),
    "ags_registry_open": (c_int, [c_void_p, POINTER(RegistryOptions), POINTER(c_void_p)]),
    "ags_registry_close": (None, [c_void_p]),
    "ags_registry_get": (c_int, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, POINTER(c_void_p)]),
    "ags_registry_sweep": (c_int, [c_void_p, POINTER(c_size_t)]),
    "ags_registry_limit": (c_int, [c_void_p, c_int, c_int64, POINTER(c_int64)]),
    "ags_registry_stats": (c_int, [c_void_p, c_out, c_out_len]),
    "ags_registry_health": (c_int, [c_void_p, c_out, c_out_len]),
    "ags_metrics_text": (c_int, [c_void_p, c_out, c_out_len]),
    "ags_metrics_json": (c_int, [c_void_p, c_out, c_out_len]),
    "ags_registry_set_log": (c_int, [c_void_p, c_int, c_void_p, c_void_p]),
    "ags_registry_set_span": (c_int, [c_void_p, c_void_p, c_void_p]),
}

for _name, (_restype, _argtypes) in _SIGNATURES.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes

from . import _constants as C

REGISTRY_EVICT_WITHOUT_STORAGE = C.AGS_REGISTRY_EVICT_WITHOUT_STORAGE
REGISTRY_PER_STORE_METRICS = C.AGS_REGISTRY_PER_STORE_METRICS
REGISTRY_MEMORY_STORAGE = C.AGS_REGISTRY_MEMORY_STORAGE
LIMIT_STATE_BYTES = C.AGS_LIMIT_STATE_BYTES
LIMIT_OPERATIONS = C.AGS_LIMIT_OPERATIONS
LIMIT_STRING_BYTES = C.AGS_LIMIT_STRING_BYTES
LIMIT_MEMBERS = C.AGS_LIMIT_MEMBERS
LIMIT_ELEMENTS = C.AGS_LIMIT_ELEMENTS
LIMIT_UNBOUNDED = C.AGS_LIMIT_UNBOUNDED
SIZE_MAX = C.AGS_UNBOUNDED
LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR = C.AGS_LOG_DEBUG, C.AGS_LOG_INFO, C.AGS_LOG_WARNING, C.AGS_LOG_ERROR
