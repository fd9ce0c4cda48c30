"""agstate: the state engine for AG-UI, from Python.

JSON state with versions, changed by JSON Pointer (RFC 6901), JSON Patch (RFC 6902) and JSON Merge Patch
(RFC 7386): strict, atomic, and the same engine as the C and Go interfaces.
"""
from ._functions import apply_patch, format_json, json_equal, merge_patch, resolve_pointer, validate_json
from ._limits import max_depth, max_input_bytes
from ._native import lib as _lib
from .errors import (AgstateError, Closed, Conflict, InternalError, InvalidArgument, InvalidJSON, InvalidPatch,
                     InvalidPointer, IOFailure, LimitExceeded, NoMemory, NotInHistory, PathNotFound, TestFailed,
                     CorruptData)
from .compression import (Compressor, Decompressor, GzipStream, codec_stats, compress, decompress, pack,
                          reset_codec_stats, unpack, unpack_with_codec)
from .batcher import Batcher
from .diff import compact, make_merge_patch, make_patch
from .events import delta_event, encode_sse
from .snapshot import Snapshot
from .store import Store
from .subscription import Subscription
from .transaction import Transaction
from .validation import EventValidator
from .registry import Registry

__version__ = "0.1.0"


def library_version() -> str:
    """The version of the loaded native library."""
    return _lib.ags_libversion().decode()


if _lib.ags_libversion_number() // 1000 != 1:  # major 0, minor 1
    raise ImportError(f"agstate {__version__} needs libagstate 0.1.x, found {library_version()}")

__all__ = [
    "apply_patch", "merge_patch", "resolve_pointer", "format_json", "validate_json", "json_equal",
    "max_depth", "max_input_bytes", "library_version", "Store", "Snapshot", "Transaction", "Subscription",
    "encode_sse", "delta_event", "compress", "decompress", "pack", "unpack", "unpack_with_codec", "codec_stats",
    "reset_codec_stats", "Compressor", "Decompressor", "GzipStream", "make_patch", "make_merge_patch", "compact",
    "Batcher", "EventValidator", "Registry",
    "AgstateError", "InvalidArgument", "InvalidJSON", "InvalidPointer", "InvalidPatch", "PathNotFound",
    "TestFailed", "Conflict", "LimitExceeded", "Closed", "IOFailure", "NoMemory", "InternalError", "NotInHistory", "CorruptData",
]
