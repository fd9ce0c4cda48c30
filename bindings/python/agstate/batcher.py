"""Batcher: a store's commits, sent as compacted STATE_DELTA events."""
from __future__ import annotations

import collections
import ctypes
import logging
from ctypes import byref, c_void_p
from typing import Any, Callable, Deque

from ._convert import pointer_bytes
from ._handles import NativeHandle, value_from
from . import _constants as C
from ._native import BATCH_FN, ags_batcher_options, check_int, lib
from .errors import check

BatchCallback = Callable[[str, int, int], Any]
_log = logging.getLogger("agstate")


class Batcher(NativeHandle):
    """Gathers the commits of ``store`` (at ``pointer``, "" for all) and calls ``send(event, from_version,
    to_version)`` with one compacted STATE_DELTA event (JSON text): when ``max_operations`` operations or
    ``max_bytes`` bytes are pending, when ``window_ms`` has passed since the first pending change, or at once for
    a change committed with ``urgent=True``.

    Time comes from ``poll(now_ms)``, or, with ``timer=True``, from the batcher's own thread, which then sends
    every batch so that a slow ``send`` never holds up writers (their changes coalesce into the next batch;
    see ``stats``). ``close()`` (or leaving the ``with`` block) sends what is pending; ``close(flush=False)``
    drops it. An exception raised by ``send`` is logged and kept in ``errors`` (the last 100).
    """

    def __init__(self, store: Any, send: BatchCallback, *, pointer: str = "",
                 max_operations: int = C.AGS_BATCHER_DEFAULT_MAX_OPERATIONS,
                 max_bytes: int = C.AGS_BATCHER_DEFAULT_MAX_BYTES, window_ms: int = C.AGS_BATCHER_DEFAULT_WINDOW_MS,
                 timer: bool = False, tick_ms: int = 0) -> None:
        super().__init__(None)
        self._send = send
        self.errors: Deque[BaseException] = collections.deque(maxlen=100)
        self._trampoline = BATCH_FN(self._deliver)  # kept alive while the library may call it
        ptr = pointer_bytes(pointer)
        options = ags_batcher_options(*C.AGS_BATCHER_OPTIONS_INIT)
        options.pointer, options.pointer_len = ptr, len(ptr)
        options.max_operations = check_int(max_operations, "size_t", "max_operations")
        options.max_bytes = check_int(max_bytes, "size_t", "max_bytes")
        options.window_ms = check_int(window_ms, "uint64_t", "window_ms")
        tick = check_int(tick_ms, "uint64_t", "tick_ms")
        handle = c_void_p()
        check(lib.ags_batcher_open(store._attach_callback(), byref(options), self._trampoline, None, byref(handle)))
        self._set_handle(handle.value)
        if timer:
            check(lib.ags_batcher_start_timer(self._handle, tick))

    def _deliver(self, _user: Any, from_version: int, to_version: int, event: int, length: int) -> int:
        try:
            self._send(ctypes.string_at(event, length).decode("utf-8"), from_version, to_version)
            return 0
        except BaseException as error:  # noqa: BLE001 - reported, never lost
            self.errors.append(error)
            _log.error("agstate batcher send failed for versions %d..%d", from_version, to_version, exc_info=error)
            return 1

    def poll(self, now_ms: int) -> None:
        """Tells the batcher the time (milliseconds, any clock that only goes forward) and sends the pending
        changes if the window has passed."""
        check(lib.ags_batcher_poll(self._h(), check_int(now_ms, "uint64_t", "now_ms")))

    def flush(self) -> None:
        """Sends what is pending now."""
        check(lib.ags_batcher_flush(self._h()))

    @property
    def stats(self) -> dict:
        """Counts: batches, changes, operationsIn, operationsOut, coalesced, resynced, failedSends."""
        return value_from(lib.ags_batcher_stats, self._h())

    def close(self, flush: bool = True) -> None:
        """Stops the batcher; with ``flush`` what is pending is sent first, otherwise it is dropped."""
        handle = self._take()
        if handle is not None:
            lib.ags_batcher_close(handle, 1 if flush else 0)

    def __del__(self) -> None:
        try:
            self.close(flush=False)
        except Exception:
            pass
