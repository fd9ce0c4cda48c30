"""Snapshot: a store's state at one version, taken in O(1)."""
from __future__ import annotations

from ctypes import byref, c_uint64
from typing import Any

from . import _constants as C
from ._convert import pointer_bytes
from ._handles import NativeHandle, text_from, value_from
from ._native import lib
from .errors import check


class Snapshot(NativeHandle):
    """The state of a store at one version. Later changes to the store do not affect it; it stays
    readable after the store closes. Use it as a context manager, or call ``close()``."""

    _release = staticmethod(lib.ags_snapshot_close)

    def __init__(self, handle: int) -> None:
        super().__init__(handle)
        v = c_uint64()
        check(lib.ags_snapshot_version(handle, byref(v)))
        self.version: int = v.value

    def get_json(self, pointer: str = "", *, pretty: bool = False) -> str:
        ptr = pointer_bytes(pointer)
        return text_from(lib.ags_snapshot_get, self._h(), ptr, len(ptr), C.AGS_JSON_PRETTY if pretty else 0)

    def get(self, pointer: str = "") -> Any:
        """The value at ``pointer`` ("" for the whole state). Raises PathNotFound."""
        ptr = pointer_bytes(pointer)
        return value_from(lib.ags_snapshot_get, self._h(), ptr, len(ptr), 0)

    def to_json(self, *, pretty: bool = False) -> str:
        return self.get_json("", pretty=pretty)

    def __repr__(self) -> str:
        return f"<agstate.Snapshot version={self.version}{' closed' if self._handle is None else ''}>"
