"""Transaction: changes that commit as one version, or not at all."""
from __future__ import annotations

import threading
from ctypes import byref, c_uint64
from typing import Any, Optional

from . import _constants as C
from ._convert import document_bytes, pointer_bytes
from ._handles import text_from, value_from
from ._native import lib
from .errors import Closed, check


class Transaction:
    """Reads see the transaction's own writes. ``commit()`` raises Conflict when a change committed since
    the transaction began wrote a location it read or wrote; changes elsewhere do not conflict.

    As a context manager it commits on a normal exit (raising Conflict if it must) and rolls back when the
    block raises::

        with store.transaction() as tx:
            count = tx.get("/count")
            tx.patch([{"op": "replace", "path": "/count", "value": count + 1}])
        print(tx.version)   # the version it committed
    """

    def __init__(self, handle: int) -> None:
        self._handle: Optional[int] = handle
        self._lock = threading.Lock()
        self.version: Optional[int] = None

    def _h(self) -> int:
        handle = self._handle
        if handle is None:
            raise Closed("the transaction has already committed or rolled back")
        return handle

    def _take(self) -> int:
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is None:
            raise Closed("the transaction has already committed or rolled back")
        return handle

    def get(self, pointer: str = "") -> Any:
        """The value at ``pointer`` as the transaction sees it; the location counts as read."""
        ptr = pointer_bytes(pointer)
        return value_from(lib.ags_txn_get, self._h(), ptr, len(ptr), 0)

    def get_json(self, pointer: str = "") -> str:
        ptr = pointer_bytes(pointer)
        return text_from(lib.ags_txn_get, self._h(), ptr, len(ptr), 0)

    def patch(self, ops: Any, *, lenient: bool = False) -> None:
        """Applies an RFC 6902 patch to the transaction's state, atomically."""
        data = document_bytes(ops)
        check(lib.ags_txn_patch(self._h(), data, len(data), C.AGS_PATCH_LENIENT if lenient else 0))

    def commit(self) -> int:
        """Commits as one version and returns it. The transaction ends either way."""
        v = c_uint64()
        check(lib.ags_txn_commit(self._take(), None, byref(v)))
        self.version = v.value
        return v.value

    def rollback(self) -> None:
        """Ends the transaction without committing. Harmless after the end."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            lib.ags_txn_rollback(handle)

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            if self._handle is not None:
                self.commit()
        else:
            self.rollback()

    def __del__(self) -> None:
        try:
            self.rollback()
        except Exception:
            pass
