"""Subscription: a Python callback told of every commit that touches one location."""
from __future__ import annotations

import collections
import ctypes
import logging
from ctypes import byref, c_uint64
from typing import Any, Callable, Deque, List

from . import _convert
from ._handles import NativeHandle
from ._native import CHANGE_FN, lib
from .errors import check

ChangeCallback = Callable[[int, List[dict]], Any]
_log = logging.getLogger("agstate")


class Subscription(NativeHandle):
    """Calls ``callback(version, ops)`` after each commit that touches the subscribed location (the location,
    anything inside it, or an ancestor). ``ops`` are the commit's RFC 6902 operations that concern it.

    The callback runs on the thread that committed, before that commit returns, in commit order; it may
    read the store and commit changes. An exception raised by the callback never reaches the store: it is
    logged on the ``agstate`` logger, kept in ``errors`` (the last 100) and counted in ``failures``.
    """

    MAX_ERRORS = 100
    _release = staticmethod(lib.ags_subscription_close)

    def __init__(self, store_handle: int, pointer: bytes, callback: ChangeCallback) -> None:
        super().__init__(None)
        self._callback = callback
        self.errors: Deque[BaseException] = collections.deque(maxlen=self.MAX_ERRORS)
        # Kept on the object: the library calls it until the subscription is closed.
        self._trampoline = CHANGE_FN(self._deliver)
        handle = ctypes.c_void_p()
        check(lib.ags_store_subscribe(store_handle, pointer, len(pointer), self._trampoline, None, byref(handle)))
        self._set_handle(handle.value)

    def _deliver(self, _user_data: Any, version: int, patch: int, length: int) -> int:
        try:
            self._callback(version, _convert.loads(ctypes.string_at(patch, length)))
            return 0
        except BaseException as error:  # noqa: BLE001 - reported below, never lost
            self.errors.append(error)
            _log.error("agstate subscription callback failed at version %d", version, exc_info=error)
            return 1

    @property
    def failures(self) -> int:
        """How many times the callback raised."""
        handle = self._handle
        if handle is None:
            return len(self.errors)
        count = c_uint64()
        check(lib.ags_subscription_failures(handle, byref(count)))
        return count.value

