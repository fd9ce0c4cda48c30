"""Loads libagstate and declares the C functions of include/agstate.h."""
from __future__ import annotations

import ctypes
import os
import threading
from ctypes import POINTER, c_char_p, c_int, c_int64, c_size_t, c_uint, c_uint32, c_uint64, c_void_p

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


def _find() -> str:
    tried = []
    for path in _candidates():
        if os.path.isfile(path):
            return path
        tried.append(path)
    raise ImportError(
        "libagstate not found; set AGSTATE_LIBRARY to its path. Looked in: " + ", ".join(tried)
    )


_path = _find()
# Two views of one library. `lib` (ctypes.CDLL) releases the GIL for the length of each call: for calls that
# may block or wait for another thread, and for every call that may run a Python callback (subscriptions,
# batcher sends, commits on a store that has either). `fast` (ctypes.PyDLL) keeps the GIL, which costs about
# a third as much per call: only for short calls that wait for no thread that could need the GIL.
lib = ctypes.CDLL(_path)
fast = ctypes.PyDLL(_path)

c_status = c_int
c_out = POINTER(c_void_p)
c_out_len = POINTER(c_size_t)


class ags_error(ctypes.Structure):
    """struct ags_error of the header: the last failure on a thread."""

    _fields_ = [("code", c_int), ("message", c_char_p), ("pointer", c_char_p), ("op_index", c_int64),
                ("offset", c_int64)]


# int32_t (*ags_resolve_fn)(void *user_data, const ags_conflict *conflict, const char **value, size_t *value_len)
RESOLVE_FN = ctypes.CFUNCTYPE(ctypes.c_int32, c_void_p, c_void_p, POINTER(c_void_p), POINTER(c_size_t))


class ags_commit_options(ctypes.Structure):
    _fields_ = [("version", c_uint), ("flags", c_uint32), ("expected_version", c_uint64),
                ("base_version", c_uint64), ("strategy", c_uint32), ("author", c_char_p), ("author_len", c_size_t),
                ("resolver", c_void_p), ("resolver_data", c_void_p)]  # resolver: a RESOLVE_FN, cast


class ags_conflict(ctypes.Structure):
    _fields_ = [("path", c_void_p), ("path_len", c_size_t), ("base", c_void_p), ("base_len", c_size_t),
                ("current", c_void_p), ("current_len", c_size_t), ("proposed", c_void_p), ("proposed_len", c_size_t)]


class ags_pack_options(ctypes.Structure):
    _fields_ = [("version", c_uint), ("codec", c_int), ("level", c_int), ("threshold", c_size_t),
                ("flags", c_uint32)]


class ags_diff_options(ctypes.Structure):
    _fields_ = [("version", c_uint), ("flags", c_uint32), ("format", c_uint32)]


class ags_batcher_options(ctypes.Structure):
    _fields_ = [("version", c_uint), ("pointer", c_char_p), ("pointer_len", c_size_t),
                ("max_operations", c_size_t), ("max_bytes", c_size_t), ("window_ms", c_uint64)]


class ags_validator_options(ctypes.Structure):
    _fields_ = [("version", c_uint), ("profile", c_char_p), ("profile_len", c_size_t), ("flags", c_uint32)]


c_commit = POINTER(ags_commit_options)

_SIGNATURES = {
    "ags_libversion": (c_char_p, []),  # static string: c_char_p does not leak here
    "ags_libversion_number": (c_int, []),
    "ags_status_name": (c_char_p, [c_status]),
    "ags_errlast": (POINTER(ags_error), []),
    "ags_errclear": (None, []),
    "ags_free": (None, [c_void_p]),
    "ags_limit": (c_status, [c_int, c_int64, POINTER(c_int64)]),
    "ags_json_validate": (c_status, [c_char_p, c_size_t]),
    "ags_json_format": (c_status, [c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_json_equal": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, POINTER(c_int)]),
    "ags_pointer_get": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_patch_apply": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_merge_patch_apply": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_commit_options_init": (c_status, [c_commit, c_uint]),
    "ags_store_open": (c_status, [c_char_p, c_size_t, POINTER(c_void_p)]),
    "ags_store_close": (None, [c_void_p]),
    "ags_store_version": (c_status, [c_void_p, POINTER(c_uint64)]),
    "ags_store_get": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_export": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_store_set": (c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_commit, POINTER(c_uint64)]),
    "ags_store_add": (c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_commit, POINTER(c_uint64)]),
    "ags_store_remove": (c_status, [c_void_p, c_char_p, c_size_t, c_commit, POINTER(c_uint64)]),
    "ags_store_patch": (c_status, [c_void_p, c_char_p, c_size_t, c_commit, POINTER(c_uint64)]),
    "ags_store_merge": (c_status, [c_void_p, c_char_p, c_size_t, c_commit, POINTER(c_uint64)]),
    "ags_store_limit": (c_status, [c_void_p, c_int, c_int64, POINTER(c_int64)]),
    "ags_store_snapshot": (c_status, [c_void_p, POINTER(c_void_p)]),
    "ags_snapshot_close": (None, [c_void_p]),
    "ags_snapshot_version": (c_status, [c_void_p, POINTER(c_uint64)]),
    "ags_snapshot_get": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_restore": (c_status, [c_void_p, c_void_p, c_commit, POINTER(c_uint64)]),
    "ags_store_history_range": (c_status, [c_void_p, POINTER(c_uint64), POINTER(c_uint64)]),
    "ags_store_history": (c_status, [c_void_p, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_store_state_at": (c_status, [c_void_p, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_store_delta_since": (c_status, [c_void_p, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_store_begin": (c_status, [c_void_p, POINTER(c_void_p)]),
    "ags_txn_get": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_txn_patch": (c_status, [c_void_p, c_char_p, c_size_t, c_uint32]),
    "ags_txn_commit": (c_status, [c_void_p, c_commit, POINTER(c_uint64)]),
    "ags_txn_rollback": (None, [c_void_p]),
    "ags_store_subscribe": (c_status, [c_void_p, c_char_p, c_size_t, c_void_p, c_void_p, POINTER(c_void_p)]),
    "ags_subscription_close": (None, [c_void_p]),
    "ags_subscription_failures": (c_status, [c_void_p, POINTER(c_uint64)]),
    "ags_event_encode": (c_status, [c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_snapshot_event": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_store_delta_event": (c_status, [c_void_p, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_delta_event": (c_status, [c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_apply_event": (c_status, [c_void_p, c_char_p, c_size_t, c_commit, POINTER(c_uint64)]),
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
    "ags_pack_options_init": (c_status, [POINTER(ags_pack_options), c_uint]),
    "ags_pack": (c_status, [c_char_p, c_size_t, POINTER(ags_pack_options), c_out, c_out_len]),
    "ags_unpack": (c_status, [c_char_p, c_size_t, c_size_t, POINTER(c_int), c_out, c_out_len]),
    "ags_codec_stats": (c_status, [c_out, c_out_len]),
    "ags_codec_stats_reset": (None, []),
    "ags_diff_options_init": (c_status, [POINTER(ags_diff_options), c_uint]),
    "ags_diff": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, POINTER(ags_diff_options), c_out, c_out_len]),
    "ags_merge_diff": (c_status, [c_char_p, c_size_t, c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_compact": (c_status, [c_char_p, c_size_t, c_uint32, c_out, c_out_len]),
    "ags_store_diff": (c_status, [c_void_p, c_uint64, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_store_diff_snapshot": (c_status, [c_void_p, c_void_p, c_uint32, c_out, c_out_len]),
    "ags_batcher_options_init": (c_status, [POINTER(ags_batcher_options), c_uint]),
    "ags_batcher_open": (c_status, [c_void_p, POINTER(ags_batcher_options), c_void_p, c_void_p, POINTER(c_void_p)]),
    "ags_batcher_poll": (c_status, [c_void_p, c_uint64]),
    "ags_batcher_flush": (c_status, [c_void_p]),
    "ags_batcher_start_timer": (c_status, [c_void_p, c_uint64]),
    "ags_batcher_stats": (c_status, [c_void_p, c_out, c_out_len]),
    "ags_batcher_close": (None, [c_void_p, c_int]),
    "ags_validator_options_init": (c_status, [POINTER(ags_validator_options), c_uint]),
    "ags_validator_open": (c_status, [POINTER(ags_validator_options), POINTER(c_void_p)]),
    "ags_validator_set_severity": (c_status, [c_void_p, c_char_p, c_size_t, c_int]),
    "ags_validator_feed": (c_status, [c_void_p, c_char_p, c_size_t, c_out, c_out_len]),
    "ags_validator_feed_stream": (c_status, [c_void_p, c_char_p, c_size_t, c_int, c_out, c_out_len]),
    "ags_validator_finish": (c_status, [c_void_p, c_out, c_out_len]),
    "ags_validator_findings": (c_status, [c_void_p, c_out, c_out_len]),
    "ags_validator_state": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_validator_activities": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_validator_messages": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_validator_counts": (c_status, [c_void_p, POINTER(c_size_t), POINTER(c_size_t), POINTER(c_size_t),
                                        POINTER(c_size_t)]),
    "ags_validator_close": (None, [c_void_p]),
    "ags_store_set_strategy": (c_status, [c_void_p, c_uint32]),
    "ags_store_strategy": (c_status, [c_void_p, POINTER(c_uint32)]),
    "ags_store_conflicts": (c_status, [c_void_p, c_uint64, c_uint32, c_out, c_out_len]),
    "ags_store_author": (c_status, [c_void_p, c_uint64, c_out, c_out_len]),
    "ags_store_lock": (c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_uint64]),
    "ags_store_renew_lock": (c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_uint64]),
    "ags_store_unlock": (c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t]),
    "ags_store_locks": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_store_presence_set": (c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_uint64]),
    "ags_store_presence_leave": (c_status, [c_void_p, c_char_p, c_size_t]),
    "ags_store_presence": (c_status, [c_void_p, c_uint32, c_out, c_out_len]),
    "ags_store_expire": (c_status, [c_void_p]),
    "ags_store_watch_locks": (c_status, [c_void_p, c_void_p, c_void_p, POINTER(c_void_p)]),
    "ags_store_watch_presence": (c_status, [c_void_p, c_void_p, c_void_p, POINTER(c_void_p)]),
    "ags_watch_close": (None, [c_void_p]),
}

# int (*ags_watch_fn)(void *user_data, const char *event, size_t event_len)
WATCH_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)

# int (*ags_batch_fn)(void *user_data, uint64_t from_version, uint64_t to_version, const char *event, size_t len)
BATCH_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_uint64, c_uint64, c_void_p, c_size_t)

# int (*ags_change_fn)(void *user_data, uint64_t version, const char *patch, size_t patch_len)
CHANGE_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_uint64, c_void_p, c_size_t)

for _name, (_restype, _argtypes) in _SIGNATURES.items():
    for _library in (lib, fast):
        _function = getattr(_library, _name)
        _function.restype = _restype
        _function.argtypes = _argtypes

# The hot calls (a small Store.patch and get, EventValidator.feed) through a third view of the library with no
# argtypes: ctypes then converts nothing through Python-level from_param calls, which cost more than the rest
# of such a call. Every argument must then be given as its exact C type: handles as c_void_p, lengths as
# c_size_t (see size_arg), int and uint32_t flags as Python ints (passed as C int), out-parameters as byref().
hot = ctypes.PyDLL(_path)
for _name in ("ags_store_patch", "ags_store_get", "ags_validator_feed"):
    getattr(hot, _name).restype = c_status
hot.ags_free.restype = None
# A second no-argtypes view that releases the GIL, for the same calls when they may run Python callbacks.
hot_released = ctypes.CDLL(_path)
hot_released.ags_store_patch.restype = c_status

# bytes from (char *, size_t) without argtypes: the cheapest copy of library output into Python.
bytes_from_output = ctypes.pythonapi.PyBytes_FromStringAndSize
bytes_from_output.restype = ctypes.py_object

_SIZES = tuple(c_size_t(n) for n in range(4096))


def size_arg(n: int) -> c_size_t:
    """A length as the c_size_t a no-argtypes call needs (small ones shared: passed by value, never written)."""
    return _SIZES[n] if n < 4096 else c_size_t(n)


class _Slots(threading.local):
    """Out-parameters reused by the hot calls, one set per thread: the call writes them and the caller reads
    them before any other call of its thread."""

    def __init__(self) -> None:
        version = c_uint64()
        self.version = (version, ctypes.byref(version))
        out, out_len = c_void_p(), c_size_t()
        self.output = (out, ctypes.byref(out), out_len, ctypes.byref(out_len))


slots = _Slots()


def take_output(out: c_void_p, out_len: c_size_t) -> bytes:
    """Copies the output a hot call wrote into the thread's slots, and releases it."""
    try:
        return bytes_from_output(out, out_len)
    finally:
        hot.ags_free(out)


# The C integer types, for the range checks made before a call (ctypes would wrap an out-of-range value).
_BITS = {"size_t": 8 * ctypes.sizeof(c_size_t), "int": 8 * ctypes.sizeof(c_int), "uint64_t": 64, "int64_t": 64}


def check_int(value: int, c_type: str, what: str) -> int:
    """``value`` if it is an int that fits the C type ``c_type``; OverflowError (or TypeError) otherwise."""
    if type(value) is not int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{what} must be an int, not {type(value).__name__}")
        value = int(value)
    bits = _BITS[c_type]
    if c_type in ("int", "int64_t"):
        low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        low, high = 0, (1 << bits) - 1
    if not low <= value <= high:
        raise OverflowError(f"{what} {value} is out of the range of {c_type} ({low} to {high})")
    return value


def take_text(out: c_void_p, length: c_size_t) -> bytes:
    """Copies library-allocated output and releases it."""
    try:
        return ctypes.string_at(out.value, length.value)
    finally:
        fast.ags_free(out)
