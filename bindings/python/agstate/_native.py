"""Loads libagstate and declares the C functions of include/agstate.h."""
from __future__ import annotations

import ctypes
import os
from ctypes import POINTER, c_char_p, c_int, c_int64, c_size_t, c_uint32, c_uint64, c_void_p

_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("AGSTATE_LIBRARY")
    if env:
        yield env
        return
    yield os.path.join(_HERE, "libagstate.so")
    # The build of the source tree this package sits in (bindings/python/agstate -> repository root).
    root = os.path.normpath(os.path.join(_HERE, "..", "..", ".."))
    yield os.path.join(root, "build", "lib", "libagstate.so.0")
    yield os.path.join(root, ".build", "release", "libagstate.so")
    yield os.path.join(root, ".build", "debug", "libagstate.so")


def _load() -> ctypes.CDLL:
    tried = []
    for path in _candidates():
        if os.path.isfile(path):
            return ctypes.CDLL(path)
        tried.append(path)
    raise ImportError(
        "libagstate not found; set AGSTATE_LIBRARY to its path. Looked in: " + ", ".join(tried)
    )


lib = _load()

c_status = c_int
c_out = POINTER(c_void_p)
c_out_len = POINTER(c_size_t)

_SIGNATURES = {
    "ags_libversion": (c_char_p, []),  # static string: c_char_p does not leak here
    "ags_libversion_number": (c_int, []),
    "ags_status_name": (c_char_p, [c_status]),
    "ags_errcode": (c_status, []),
    "ags_errmsg": (c_void_p, []),
    "ags_errpointer": (c_void_p, []),
    "ags_errop": (c_int64, []),
    "ags_erroffset": (c_int64, []),
    "ags_errclear": (None, []),
    "ags_free": (None, [c_void_p]),
    "ags_limit": (c_status, [c_int, c_int64, POINTER(c_int64)]),
    "ags_json_validate": (c_status, [c_char_p, c_size_t]),
    "ags_json_format": (c_status, [c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_json_equal": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, POINTER(c_int)]),
    "ags_pointer_get": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_patch_apply": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_merge_patch_apply": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_open": (c_status, [c_char_p, c_size_t, POINTER(c_void_p)]),
    "ags_store_close": (None, [c_void_p]),
    "ags_store_version": (c_status, [c_void_p, POINTER(c_uint64)]),
    "ags_store_get": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_export": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_store_set": (c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, POINTER(c_uint64)]),
    "ags_store_add": (c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, POINTER(c_uint64)]),
    "ags_store_remove": (c_status, [c_void_p, c_char_p, c_size_t, POINTER(c_uint64)]),
    "ags_store_patch": (c_status, [c_void_p, c_char_p, c_size_t, POINTER(c_uint64)]),
    "ags_store_merge": (c_status, [c_void_p, c_char_p, c_size_t, POINTER(c_uint64)]),
    "ags_store_limit": (c_status, [c_void_p, c_int, c_int64, POINTER(c_int64)]),
    "ags_store_patch_ex": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, c_uint64, POINTER(c_uint64)]),
    "ags_store_snapshot": (c_status, [c_void_p, POINTER(c_void_p)]),
    "ags_snapshot_close": (None, [c_void_p]),
    "ags_snapshot_version": (c_status, [c_void_p, POINTER(c_uint64)]),
    "ags_snapshot_get": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_restore": (c_status, [c_void_p, c_void_p, POINTER(c_uint64)]),
    "ags_store_history_range": (c_status, [c_void_p, POINTER(c_uint64), POINTER(c_uint64)]),
    "ags_store_history": (c_status, [c_void_p, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_store_state_at": (c_status, [c_void_p, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_store_delta_since": (c_status, [c_void_p, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_store_begin": (c_status, [c_void_p, POINTER(c_void_p)]),
    "ags_txn_get": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_txn_patch": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32]),
    "ags_txn_commit": (c_status, [c_void_p, POINTER(c_uint64)]),
    "ags_txn_rollback": (None, [c_void_p]),
    "ags_store_subscribe": (c_status, [c_void_p, c_char_p, c_size_t, c_void_p, c_void_p, POINTER(c_void_p)]),
    "ags_subscription_close": (None, [c_void_p]),
    "ags_subscription_failures": (c_status, [c_void_p, POINTER(c_uint64)]),
    "ags_store_snapshot_event": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_store_delta_event": (c_status, [c_void_p, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_delta_event": (c_status, [c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_apply_event": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, POINTER(c_uint64)]),
    "ags_compress": (c_status, [c_int, c_int, c_char_p, c_size_t, c_out, c_out_len]),
    "ags_decompress": (c_status, [c_int, c_char_p, c_size_t, c_size_t, c_out, c_out_len]),
    "ags_compressor_open": (c_status, [c_int, c_int, POINTER(c_void_p)]),
    "ags_compressor_write": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_compressor_finish": (c_status, [c_void_p, c_out, c_out_len]),
    "ags_compressor_close": (None, [c_void_p]),
    "ags_decompressor_open": (c_status, [c_int, c_size_t, POINTER(c_void_p)]),
    "ags_decompressor_write": (c_status, [c_void_p, c_char_p, c_size_t, c_out, c_out_len]),
    "ags_decompressor_finish": (c_status, [c_void_p]),
    "ags_decompressor_close": (None, [c_void_p]),
    "ags_pack": (c_status, [c_int, c_int, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_unpack": (c_status, [c_char_p, c_size_t, c_size_t, POINTER(c_int), c_out, c_out_len]),
    "ags_codec_stats": (c_status, [c_out, c_out_len]),
    "ags_codec_stats_reset": (None, []),
    "ags_diff": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_merge_diff": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_compact": (c_status, [c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_diff": (c_status, [c_void_p, c_uint64, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_store_diff_snapshot": (c_status, [c_void_p, c_void_p, c_uint32, c_out, c_out_len]),
    "ags_batcher_open": (c_status, [c_void_p, c_char_p, c_size_t, c_size_t, c_size_t, c_uint64, c_void_p, c_void_p,
                                    POINTER(c_void_p)]),
    "ags_batcher_poll": (c_status, [c_void_p, c_uint64]),
    "ags_batcher_flush": (c_status, [c_void_p]),
    "ags_batcher_start_timer": (c_status, [c_void_p, c_uint64]),
    "ags_batcher_stats": (c_status, [c_void_p, c_out, c_out_len]),
    "ags_batcher_close": (None, [c_void_p, c_int]),
    "ags_validator_open": (c_status, [c_char_p, c_size_t, c_uint32, POINTER(c_void_p)]),
    "ags_validator_set_severity": (c_status, [c_void_p, c_char_p, c_size_t, c_int]),
    "ags_validator_feed": (c_status, [c_void_p, c_char_p, c_size_t, c_out, c_out_len]),
    "ags_validator_push": (c_status, [c_void_p, c_char_p, c_size_t, c_out, c_out_len]),
    "ags_validator_feed_stream": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_validator_finish": (c_status, [c_void_p, c_out, c_out_len]),
    "ags_validator_findings": (c_status, [c_void_p, c_out, c_out_len]),
    "ags_validator_state": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_validator_activities": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_validator_messages": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_validator_counts": (c_status, [c_void_p, POINTER(c_size_t), POINTER(c_size_t), POINTER(c_size_t),
                                        POINTER(c_size_t)]),
    "ags_validator_close": (None, [c_void_p]),
}

# int (*ags_batch_fn)(void *user_data, uint64_t from_version, uint64_t to_version, const char *event, size_t len)
BATCH_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_uint64, c_uint64, c_void_p, c_size_t)

# int (*ags_change_fn)(void *user_data, uint64_t version, const char *patch, size_t patch_len)
CHANGE_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_uint64, c_void_p, c_size_t)

for _name, (_restype, _argtypes) in _SIGNATURES.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes

# Flags and limits of include/agstate.h.
JSON_PRETTY = 0x01
JSON_SORT_KEYS = 0x02
JSON_ALLOW_DUPLICATES = 0x100
LIMIT_DEPTH = 0
LIMIT_INPUT_BYTES = 1
LIMIT_HISTORY_VERSIONS = 2
LIMIT_HISTORY_BYTES = 3
EVENT_SSE = 0x200
PATCH_LENIENT = 0x1000
ANY_VERSION = 2**64 - 1
FLUSH = 0x800
ENVELOPE_JSON = 0x400
PATCH_URGENT = 0x2000
DIFF_FEWEST_BYTES = 0x4000
DIFF_TEST_GUARDS = 0x8000
DIFF_VERIFY = 0x10000
CODECS = {"identity": 0, "gzip": 1, "zlib": 2, "deflate": 3, "zstd": 4}


def take_text(out: c_void_p, length: c_size_t) -> bytes:
    """Copies library-allocated output and releases it."""
    try:
        return ctypes.string_at(out.value, length.value)
    finally:
        lib.ags_free(out)
