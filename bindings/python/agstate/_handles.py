"""What the classes over native handles share: reading library output, and the handle's lifetime."""
from __future__ import annotations

import threading
from ctypes import byref, c_size_t, c_void_p
from typing import Any, Callable, Optional

from . import _convert
from ._native import take_text
from .errors import Closed, check


def bytes_from(call: Callable[..., int], *args: Any) -> bytes:
    """Runs a C function whose last two parameters are (char **out, size_t *out_len); returns the output."""
    out, n = c_void_p(), c_size_t()
    check(call(*args, byref(out), byref(n)))
    return take_text(out, n)


def text_from(call: Callable[..., int], *args: Any) -> str:
    return bytes_from(call, *args).decode("utf-8")


def value_from(call: Callable[..., int], *args: Any) -> Any:
    return _convert.loads(bytes_from(call, *args))


class NativeHandle:
    """A native handle released once, by ``close()``, on leaving a ``with`` block, or when collected.
    Any call after ``close()`` raises Closed. Subclasses name the C function that releases the handle."""

    _release: Callable[[int], None]
    # The handle as a c_void_p, for the calls made without argtypes (see _native.hot); None once closed.
    _cvp: Optional[c_void_p] = None

    def __init__(self, handle: Optional[int]) -> None:
        self._handle_lock = threading.Lock()
        self._set_handle(handle)

    def _set_handle(self, handle: Optional[int]) -> None:
        self._handle: Optional[int] = handle
        self._cvp = None if handle is None else c_void_p(handle)

    def _h(self) -> int:
        handle = self._handle
        if handle is None:
            raise Closed(f"the {type(self).__name__.lower()} is closed")
        return handle

    def _take(self) -> Optional[int]:
        """Detaches the handle (None when it is already gone)."""
        with self._handle_lock:
            handle, self._handle, self._cvp = self._handle, None, None
        return handle

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        """Releases the handle. Closing twice is harmless."""
        handle = self._take()
        if handle is not None:
            type(self)._release(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
