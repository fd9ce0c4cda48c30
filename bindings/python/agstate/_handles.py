"""What the classes over native handles share: reading library output, and the handle's lifetime."""
from __future__ import annotations

import json
import threading
from ctypes import byref, c_size_t, c_void_p
from typing import Any, Callable, Optional

from ._native import take_text
from .errors import Closed, check


def text_from(call: Callable[..., int], *args: Any) -> str:
    """Runs a C function whose last two parameters are (char **out, size_t *out_len); returns the text."""
    out, n = c_void_p(), c_size_t()
    check(call(*args, byref(out), byref(n)))
    return take_text(out, n).decode("utf-8")


def value_from(call: Callable[..., int], *args: Any) -> Any:
    return json.loads(text_from(call, *args))


class NativeHandle:
    """A native handle released once, by ``close()``, on leaving a ``with`` block, or when collected.
    Any call after ``close()`` raises Closed. Subclasses name the C function that releases the handle."""

    _release: Callable[[int], None]

    def __init__(self, handle: Optional[int]) -> None:
        self._handle: Optional[int] = handle
        self._handle_lock = threading.Lock()

    def _h(self) -> int:
        handle = self._handle
        if handle is None:
            raise Closed(f"the {type(self).__name__.lower()} is closed")
        return handle

    def _take(self) -> Optional[int]:
        """Detaches the handle (None when it is already gone)."""
        with self._handle_lock:
            handle, self._handle = self._handle, None
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
