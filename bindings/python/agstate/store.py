"""Store: one JSON state with a version, changed atomically."""
from __future__ import annotations

import threading
from ctypes import byref, c_int64, c_size_t, c_uint64, c_void_p
from typing import Any, Callable, Optional

from . import _constants as C
from ._convert import JSONText, document_bytes, dumps, pointer_bytes, text_bytes
from ._handles import NativeHandle, text_from, value_from
from ._limits import limit_value
from ._native import ags_commit_options, check_int, fast, lib, take_text
from .errors import check, last_error
from .snapshot import Snapshot
from .subscription import ChangeCallback, Subscription
from .transaction import Transaction


_fast_patch = fast.ags_store_patch
_slow_patch = lib.ags_store_patch


def _options(expected_version: Optional[int], lenient: bool, urgent: bool) -> ags_commit_options:
    options = ags_commit_options(*C.AGS_COMMIT_OPTIONS_INIT)
    options.flags = (C.AGS_PATCH_LENIENT if lenient else 0) | (C.AGS_PATCH_URGENT if urgent else 0)
    if expected_version is not None:
        options.expected_version = check_int(expected_version, "uint64_t", "expected_version")
    return options


class Store(NativeHandle):
    """A JSON state and its version: 0 when created, plus one per committed change.

    Every change is atomic: it commits completely as one new version or raises and changes nothing.
    One store may be used from many threads. Use it as a context manager, or call ``close()``.

    >>> with Store({"count": 0}) as s:
    ...     s.set("/count", 1)
    1
    """

    def __init__(self, state: Any = None, *, max_depth: Optional[int] = None) -> None:
        """``state`` is a Python value or JSON text (str/bytes); None means ``{}``."""
        super().__init__(None)
        # Commits go through `fast` (the GIL kept) while no Python callback is attached to the store, and
        # through `lib` (the GIL released) for good once one is: a commit runs the subscribers on the
        # committing thread, and waits for a delivery running on another thread, which may need the GIL.
        # The gate makes "no callback yet" and the fast call one step that attaching a callback waits for.
        self._gate = threading.Lock()
        self._callbacks = False
        handle = c_void_p()
        if state is None:
            check(lib.ags_store_open(None, 0, byref(handle)))
        else:
            data = document_bytes(state)
            check(lib.ags_store_open(data, len(data), byref(handle)))
        self._handle = handle.value
        if max_depth is not None:
            self._limit(C.AGS_LIMIT_DEPTH, max_depth)

    _release = staticmethod(lib.ags_store_close)

    # -- reading --------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        v = c_uint64()
        check(lib.ags_store_version(self._h(), byref(v)))
        return v.value

    def get_json(self, pointer: str = "", *, pretty: bool = False, sort_keys: bool = False) -> str:
        """The value at ``pointer`` ("" for the whole state) as JSON text."""
        ptr = pointer_bytes(pointer)
        flags = (C.AGS_JSON_PRETTY if pretty else 0) | (C.AGS_JSON_SORT_KEYS if sort_keys else 0)
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

    def _commit(self, name: str, *args: Any, options: Optional[ags_commit_options] = None) -> int:
        """Runs the commit function ``name`` (ags_store_set, ...) with ``args`` and the options; returns the
        version committed."""
        handle = self._h()
        v = c_uint64()
        opts = None if options is None else byref(options)
        gate = self._gate
        gate.acquire()
        if self._callbacks:
            gate.release()
            status = getattr(lib, name)(handle, *args, opts, byref(v))
        else:
            try:
                status = getattr(fast, name)(handle, *args, opts, byref(v))
            finally:
                gate.release()
        if status:
            raise last_error(status)
        return v.value

    def _attach_callback(self) -> int:
        """Called before a Python callback is attached (a subscription, a batcher): from then on every commit
        releases the GIL. Returns the handle."""
        with self._gate:
            self._callbacks = True
        return self._h()

    def set(self, pointer: str, value: Any) -> int:
        """Replaces the value at ``pointer``, or adds it when absent (the parent must exist). ``value`` is a
        Python value (a str is a JSON string). Returns the new version."""
        ptr, data = pointer_bytes(pointer), dumps(value)
        return self._commit("ags_store_set", ptr, len(ptr), data, len(data))

    def set_json(self, pointer: str, text: JSONText) -> int:
        """Like ``set``, with the value given as JSON text."""
        ptr, data = pointer_bytes(pointer), text_bytes(text)
        return self._commit("ags_store_set", ptr, len(ptr), data, len(data))

    def add(self, pointer: str, value: Any) -> int:
        """RFC 6902 ``add``: inserts into arrays (``-`` appends). Returns the new version."""
        ptr, data = pointer_bytes(pointer), dumps(value)
        return self._commit("ags_store_add", ptr, len(ptr), data, len(data))

    def remove(self, pointer: str) -> int:
        """RFC 6902 ``remove``; the value must exist. Returns the new version."""
        ptr = pointer_bytes(pointer)
        return self._commit("ags_store_remove", ptr, len(ptr))

    def patch(self, ops: Any, *, expected_version: Optional[int] = None, lenient: bool = False,
              urgent: bool = False) -> int:
        """Applies an RFC 6902 patch (a list of operations, or its JSON text) atomically. Returns the new
        version; on failure raises with ``op_index`` and ``pointer`` and changes nothing.

        ``expected_version``: commit only if the store is at that version, else raise Conflict
        (compare-and-set). ``lenient``: a replace of a missing path becomes an add, a remove of a missing
        path does nothing (for deltas made against a state this store never had). ``urgent``: a batcher sends
        the change at once."""
        data = ops.encode("utf-8", "surrogatepass") if type(ops) is str else document_bytes(ops)
        if expected_version is None and not lenient and not urgent:
            # The common call, written out: the Python around the C call was a quarter of its time.
            handle = self._handle
            if handle is None:
                handle = self._h()  # raises Closed
            version = c_uint64()
            gate = self._gate
            gate.acquire()
            if self._callbacks:
                gate.release()
                status = _slow_patch(handle, data, len(data), None, byref(version))
            else:
                try:
                    status = _fast_patch(handle, data, len(data), None, byref(version))
                finally:
                    gate.release()
            if status:
                raise last_error(status)
            return version.value
        return self._commit("ags_store_patch", data, len(data), options=_options(expected_version, lenient, urgent))

    def merge(self, patch: Any) -> int:
        """Applies an RFC 7386 merge patch (a Python value, or JSON text when str/bytes). Returns the new
        version."""
        data = document_bytes(patch)
        return self._commit("ags_store_merge", data, len(data))

    # -- snapshots, history, time travel ----------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current state and version, in O(1)."""
        handle = c_void_p()
        check(lib.ags_store_snapshot(self._h(), byref(handle)))
        return Snapshot(handle.value)

    def restore(self, snapshot: Snapshot) -> int:
        """Makes ``snapshot``'s state current again: an ordinary change (new version, in history, told to
        subscribers). Returns the new version."""
        return self._commit("ags_store_restore", snapshot._h())

    @property
    def history_range(self) -> tuple:
        """(oldest, newest): the versions whose state can be rebuilt."""
        oldest, newest = c_uint64(), c_uint64()
        check(lib.ags_store_history_range(self._h(), byref(oldest), byref(newest)))
        return oldest.value, newest.value

    def history(self, since: Optional[int] = None) -> list:
        """The kept changes after ``since`` (default: all kept), oldest first, as
        ``[{"version": 5, "patch": [...]}, ...]``."""
        if since is None:
            since = self.history_range[0]
        return value_from(lib.ags_store_history, self._h(), check_int(since, "uint64_t", "since"), 0)

    def state_at(self, version: int) -> Any:
        """The state as it was at ``version``. Raises NotInHistory when the history no longer reaches it."""
        return value_from(lib.ags_store_state_at, self._h(), check_int(version, "uint64_t", "version"), 0)

    def delta_since(self, version: int) -> list:
        """One RFC 6902 patch from the state of ``version`` to the current state. Raises NotInHistory when the
        history no longer reaches ``version`` (send ``snapshot_event()`` instead)."""
        return value_from(lib.ags_store_delta_since, self._h(), check_int(version, "uint64_t", "version"), 0)

    def diff(self, from_version: Any, to_version: Optional[int] = None) -> list:
        """A patch from the state of ``from_version`` to that of ``to_version`` (either may be the older), made
        from the recorded changes and compacted: its cost follows the changes, not the state. Given a
        Snapshot instead (and no ``to_version``), the patch from the snapshot to the current state."""
        if isinstance(from_version, Snapshot):
            return value_from(lib.ags_store_diff_snapshot, self._h(), from_version._h(), 0)
        if to_version is None:
            raise TypeError("diff(from_version, to_version) or diff(snapshot)")
        return value_from(lib.ags_store_diff, self._h(), check_int(from_version, "uint64_t", "from_version"),
                          check_int(to_version, "uint64_t", "to_version"), 0)

    # -- transactions ---------------------------------------------------------------------------

    def transaction(self) -> Transaction:
        """Begins a transaction (O(1)); use it as a context manager."""
        handle = c_void_p()
        check(lib.ags_store_begin(self._h(), byref(handle)))
        return Transaction(handle.value)

    # -- subscriptions --------------------------------------------------------------------------

    def subscribe(self, pointer: str, callback: ChangeCallback) -> Subscription:
        """Calls ``callback(version, ops)`` after every commit that touches ``pointer`` ("" for all).
        Close the returned Subscription to stop."""
        ptr = pointer_bytes(pointer)
        return Subscription(self._attach_callback(), ptr, callback)

    # -- AG-UI state events ---------------------------------------------------------------------

    def snapshot_event(self, *, sse: bool = False) -> str:
        """A STATE_SNAPSHOT event of the current state, as JSON or as an SSE frame."""
        return text_from(lib.ags_store_snapshot_event, self._h(), C.AGS_EVENT_SSE if sse else 0)

    def delta_event(self, since: int, *, sse: bool = False) -> str:
        """A STATE_DELTA event taking a client at version ``since`` to the current state. Raises
        NotInHistory when that version is too old: send ``snapshot_event()`` then."""
        return text_from(lib.ags_store_delta_event, self._h(), check_int(since, "uint64_t", "since"),
                         C.AGS_EVENT_SSE if sse else 0)

    def apply_event(self, event: Any, *, lenient: bool = False) -> int:
        """Applies a STATE_SNAPSHOT or STATE_DELTA event (a dict, or JSON text) as one change and returns the
        new version. A delta that does not apply raises with ``op_index`` and ``pointer``; nothing changes."""
        data = document_bytes(event)
        return self._commit("ags_store_apply_event", data, len(data),
                            options=_options(None, lenient, False) if lenient else None)

    # -- limits ---------------------------------------------------------------------------------

    def _limit(self, limit: int, value: Optional[int]) -> int:
        old = c_int64()
        check(lib.ags_store_limit(self._h(), limit, -1 if value is None else limit_value(value),
                                  byref(old)))
        return old.value

    def max_depth(self, value: Optional[int] = None) -> int:
        """Reads, and with ``value`` sets, this store's nesting limit. Returns the old value. ValueError for a
        negative value, OverflowError past int64_t."""
        return self._limit(C.AGS_LIMIT_DEPTH, value)

    def max_history(self, versions: Optional[int] = None, *, bytes: Optional[int] = None) -> tuple:
        """Reads, and sets, the history bounds (versions kept, bytes held). Returns the old (versions, bytes).
        ValueError for a negative bound."""
        return (self._limit(C.AGS_LIMIT_HISTORY_VERSIONS, versions),
                self._limit(C.AGS_LIMIT_HISTORY_BYTES, bytes))

    def __repr__(self) -> str:
        if self.closed:
            return "<agstate.Store closed>"
        return f"<agstate.Store version={self.version}>"
