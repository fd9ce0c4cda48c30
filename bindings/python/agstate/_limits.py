"""Process-wide default limits (ags_limit)."""
from __future__ import annotations

from ctypes import byref, c_int64
from typing import Optional

from . import _constants as C
from ._native import check_int, lib
from .errors import check


def limit_value(value: int) -> int:
    """A limit to set: an int64_t that is not negative (the library reads a negative value as "only read",
    which would silently ignore the call)."""
    value = check_int(value, "int64_t", "limit")
    if value < 0:
        raise ValueError(f"a limit cannot be negative: {value}")
    return value


def _exchange(limit: int, value: Optional[int]) -> int:
    old = c_int64()
    check(lib.ags_limit(limit, -1 if value is None else limit_value(value), byref(old)))
    return old.value


def max_depth(value: Optional[int] = None) -> int:
    """Reads, and with ``value`` sets, the default nesting limit (512; 1 to 4000; see the header on the stack each level needs). Returns the old value. ValueError for a negative value."""
    return _exchange(C.AGS_LIMIT_DEPTH, value)


def max_input_bytes(value: Optional[int] = None) -> int:
    """Reads, and with ``value`` sets, the default input size limit in bytes. Returns the old value. ValueError for a negative value."""
    return _exchange(C.AGS_LIMIT_INPUT_BYTES, value)
