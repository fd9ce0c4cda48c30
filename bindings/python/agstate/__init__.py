"""agstate: the state engine for AG-UI, from Python.

JSON state with versions, changed by JSON Pointer (RFC 6901), JSON Patch (RFC 6902) and JSON Merge Patch
(RFC 7386): strict, atomic, and the same engine as the C and Go interfaces.
"""
from ._functions import apply_patch, format_json, json_equal, merge_patch, resolve_pointer, validate_json
from ._limits import max_depth, max_input_bytes
from . import _constants
from ._native import lib as _lib
from .errors import (AgstateError, Closed, Conflict, InternalError, InvalidArgument, InvalidJSON, InvalidPatch,
                     InvalidPointer, IOFailure, LimitExceeded, Locked, NoMemory, NotInHistory, PathNotFound,
                     RateLimited, TestFailed, CorruptData, Unavailable)
from .compression import (UNBOUNDED, Compressor, Decompressor, GzipStream, codec_stats, compress, decompress, pack,
                          reset_codec_stats, unpack, unpack_with_codec)
from .batcher import Batcher
from .collaboration import MISSING, REFUSE, REMOVE, STRATEGIES, Watch
from .diff import compact, make_merge_patch, make_patch
from .events import delta_event, encode_sse
from .snapshot import Snapshot
from .store import Store
from .storage import Storage
from .subscription import Subscription
from .transaction import Transaction
from .validation import EventValidator

__version__ = _constants.AGS_VERSION


def library_version() -> str:
    """The version of the loaded native library."""
    return _lib.ags_libversion().decode()


# The package is generated from the header of one major.minor version: the library must be of the same one.
if _lib.ags_libversion_number() // 1000 != _constants.AGS_VERSION_NUMBER // 1000:
    raise ImportError(f"agstate {__version__} needs libagstate {_constants.AGS_VERSION_MAJOR}."
                      f"{_constants.AGS_VERSION_MINOR}.x, found {library_version()}")

__all__ = [
    "apply_patch", "merge_patch", "resolve_pointer", "format_json", "validate_json", "json_equal",
    "max_depth", "max_input_bytes", "library_version", "Store", "Snapshot", "Transaction", "Subscription",
    "encode_sse", "delta_event", "compress", "decompress", "UNBOUNDED", "pack", "unpack", "unpack_with_codec", "codec_stats",
    "reset_codec_stats", "Compressor", "Decompressor", "GzipStream", "make_patch", "make_merge_patch", "compact",
    "Batcher", "EventValidator", "Storage", "Watch", "STRATEGIES", "MISSING", "REMOVE", "REFUSE",
    "AgstateError", "InvalidArgument", "InvalidJSON", "InvalidPointer", "InvalidPatch", "PathNotFound",
    "TestFailed", "Conflict", "LimitExceeded", "Closed", "IOFailure", "NoMemory", "InternalError", "NotInHistory", "CorruptData",
    "Locked", "RateLimited", "Unavailable",
]
