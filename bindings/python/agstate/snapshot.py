"""Snapshot: a store's state at one version, taken in O(1)."""
from __future__ import annotations

import threading
from ctypes import byref, c_uint64
from typing import Any, Optional

from . import _native
from ._convert import pointer_bytes
from ._handles import text_from, value_from
from ._native import lib
from .errors import Closed, check


class Snapshot:
    """The state of a store at one version. Later changes to the store do not affect it; it stays
    readable after the store closes. Use it as a context manager, or call ``close()``."""

    def __init__(self, handle: int) -> None:
        self._handle: Optional[int] = handle
        self._lock = threading.Lock()
        v = c_uint64()
        check(lib.ags_snapshot_version(handle, byref(v)))
        self.version: int = v.value

    def _h(self) -> int:
        handle = self._handle
        if handle is None:
            raise Closed("the snapshot is closed")
        return handle

    def get_json(self, pointer: str = "", *, pretty: bool = False) -> str:
        ptr = pointer_bytes(pointer)
        return text_from(lib.ags_snapshot_get, self._h(), ptr, len(ptr), _native.JSON_PRETTY if pretty else 0)

    def get(self, pointer: str = "") -> Any:
        """The value at ``pointer`` ("" for the whole state). Raises PathNotFound."""
        ptr = pointer_bytes(pointer)
        return value_from(lib.ags_snapshot_get, self._h(), ptr, len(ptr), 0)

    def to_json(self, *, pretty: bool = False) -> str:
        return self.get_json("", pretty=pretty)

    def close(self) -> None:
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            lib.ags_snapshot_close(handle)

    def __enter__(self) -> "Snapshot":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<agstate.Snapshot version={self.version}{' closed' if self._handle is None else ''}>"
