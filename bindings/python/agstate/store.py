"""Store: one JSON state with a version, changed atomically."""
from __future__ import annotations

import threading
from ctypes import byref, c_int64, c_size_t, c_uint64, c_void_p
from typing import Any, Optional

from . import _native
from ._convert import JSONText, document_bytes, dumps, pointer_bytes, text_bytes
from ._native import lib, take_text
from .errors import Closed, check


class Store:
    """A JSON state and its version: 0 when created, plus one per committed change.

    Every change is atomic: it commits completely as one new version or raises and changes nothing.
    One store may be used from many threads. Use it as a context manager, or call ``close()``.

    >>> with Store({"count": 0}) as s:
    ...     s.set("/count", 1)
    1
    """

    def __init__(self, state: Any = None, *, max_depth: Optional[int] = None) -> None:
        """``state`` is a Python value or JSON text (str/bytes); None means ``{}``."""
        self._lock = threading.Lock()
        handle = c_void_p()
        if state is None:
            check(lib.ags_store_open(None, 0, byref(handle)))
        else:
            data = document_bytes(state)
            check(lib.ags_store_open(data, len(data), byref(handle)))
        self._handle: Optional[int] = handle.value
        if max_depth is not None:
            self._limit(_native.LIMIT_DEPTH, max_depth)

    # -- lifetime -------------------------------------------------------------------------------

    def close(self) -> None:
        """Releases the store. Closing twice is harmless; any other call afterwards raises Closed."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            lib.ags_store_close(handle)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def _h(self) -> int:
        handle = self._handle
        if handle is None:
            raise Closed("the store is closed")
        return handle

    # -- reading --------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        v = c_uint64()
        check(lib.ags_store_version(self._h(), byref(v)))
        return v.value

    def get_json(self, pointer: str = "", *, pretty: bool = False, sort_keys: bool = False) -> str:
        """The value at ``pointer`` ("" for the whole state) as JSON text."""
        ptr = pointer_bytes(pointer)
        flags = (_native.JSON_PRETTY if pretty else 0) | (_native.JSON_SORT_KEYS if sort_keys else 0)
        out, n = c_void_p(), c_size_t()
        check(lib.ags_store_get(self._h(), ptr, len(ptr), flags, byref(out), byref(n)))
        return take_text(out, n).decode("utf-8")

    def get(self, pointer: str = "") -> Any:
        """The value at ``pointer`` ("" for the whole state) as a Python value. Raises PathNotFound."""
        import json

        return json.loads(self.get_json(pointer))

    def to_json(self, *, pretty: bool = False, sort_keys: bool = False) -> str:
        """The whole state as JSON text."""
        return self.get_json("", pretty=pretty, sort_keys=sort_keys)

    # -- changing -------------------------------------------------------------------------------

    def _commit(self, function: Any, *args: Any) -> int:
        v = c_uint64()
        check(function(self._h(), *args, byref(v)))
        return v.value

    def set(self, pointer: str, value: Any) -> int:
        """Replaces the value at ``pointer``, or adds it when absent (the parent must exist). ``value`` is a
        Python value (a str is a JSON string). Returns the new version."""
        ptr, data = pointer_bytes(pointer), dumps(value)
        return self._commit(lib.ags_store_set, ptr, len(ptr), data, len(data))

    def set_json(self, pointer: str, text: JSONText) -> int:
        """Like ``set``, with the value given as JSON text."""
        ptr, data = pointer_bytes(pointer), text_bytes(text)
        return self._commit(lib.ags_store_set, ptr, len(ptr), data, len(data))

    def add(self, pointer: str, value: Any) -> int:
        """RFC 6902 ``add``: inserts into arrays (``-`` appends). Returns the new version."""
        ptr, data = pointer_bytes(pointer), dumps(value)
        return self._commit(lib.ags_store_add, ptr, len(ptr), data, len(data))

    def remove(self, pointer: str) -> int:
        """RFC 6902 ``remove``; the value must exist. Returns the new version."""
        ptr = pointer_bytes(pointer)
        return self._commit(lib.ags_store_remove, ptr, len(ptr))

    def patch(self, ops: Any) -> int:
        """Applies an RFC 6902 patch (a list of operations, or its JSON text) atomically. Returns the new
        version; on failure raises with ``op_index`` and ``pointer`` and changes nothing."""
        data = document_bytes(ops)
        return self._commit(lib.ags_store_patch, data, len(data))

    def merge(self, patch: Any) -> int:
        """Applies an RFC 7386 merge patch (a Python value, or JSON text when str/bytes). Returns the new
        version."""
        data = document_bytes(patch)
        return self._commit(lib.ags_store_merge, data, len(data))

    # -- limits ---------------------------------------------------------------------------------

    def _limit(self, limit: int, value: Optional[int]) -> int:
        old = c_int64()
        check(lib.ags_store_limit(self._h(), limit, -1 if value is None else value, byref(old)))
        return old.value

    def max_depth(self, value: Optional[int] = None) -> int:
        """Reads, and with ``value`` sets, this store's nesting limit. Returns the old value."""
        return self._limit(_native.LIMIT_DEPTH, value)

    def __repr__(self) -> str:
        if self.closed:
            return "<agstate.Store closed>"
        return f"<agstate.Store version={self.version}>"
