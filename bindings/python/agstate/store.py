"""Store: one JSON state with a version, changed atomically."""
from __future__ import annotations

import ctypes
import threading
from ctypes import byref, c_int64, c_uint32, c_uint64, c_void_p
from typing import Any, Callable, Optional

from . import _constants as C
from . import _convert
from ._convert import JSONText, document_bytes, pointer_bytes, text_bytes
from ._handles import NativeHandle, text_from, value_from
from ._limits import limit_value
from ._native import ags_commit_options, check_int, fast, hot, hot_released, lib, size_arg, slots, take_output
from .errors import check, last_error
from .snapshot import Snapshot
from .collaboration import ResolverCall, Resolver, Watch, strategy_name, strategy_value
from .subscription import ChangeCallback, Subscription
from .transaction import Transaction


# The hot calls, without argtypes (see _native.hot): the GIL kept, or released when callbacks may run.
_hot_patch = hot.ags_store_patch
_released_patch = hot_released.ags_store_patch
_hot_get = hot.ags_store_get


def _options(expected_version: Optional[int], lenient: bool = False, urgent: bool = False, *,
             base_version: Optional[int] = None, strategy: Optional[str] = None, author: Optional[str] = None,
             resolver: Optional[ResolverCall] = None, client_id: Optional[str] = None) -> ags_commit_options:
    options = ags_commit_options(*C.AGS_COMMIT_OPTIONS_INIT)
    options.flags = (C.AGS_PATCH_LENIENT if lenient else 0) | (C.AGS_PATCH_URGENT if urgent else 0)
    if expected_version is not None:
        options.expected_version = check_int(expected_version, "uint64_t", "expected_version")
    if base_version is not None:
        options.base_version = check_int(base_version, "uint64_t", "base_version")
    options.strategy = strategy_value(strategy)
    if author is not None:
        data = text_bytes(author)
        options.author, options.author_len = data, len(data)
    if resolver is not None:
        options.resolver = ctypes.cast(resolver.function, c_void_p).value
    if client_id is not None:
        client = text_bytes(client_id)
        options.client_id = client  # the struct keeps the bytes alive
        options.client_id_len = len(client)
    return options


def _named(author: Optional[str], client_id: Optional[str]) -> Optional[ags_commit_options]:
    """Commit options naming the author and the client (for a registry's rate limits), or None for the
    defaults."""
    if author is None and client_id is None:
        return None
    return _options(None, author=author, client_id=client_id)


def _client(client_id: Optional[str]) -> Optional[ags_commit_options]:
    """Commit options naming the client (for a registry's rate limits), or None for the defaults."""
    return _named(None, client_id)


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
        # Commits keep the GIL (PyDLL) while no Python callback is attached to the store, and release it
        # (CDLL) for good once one is: a commit runs the subscribers on the committing thread, and waits for
        # a delivery running on another thread, which needs the GIL to run Python. The gate makes "no
        # callback yet" and the call that keeps the GIL one step, which attaching a callback waits for.
        self._gate = threading.Lock()
        self._callbacks = False
        handle = c_void_p()
        if state is None:
            check(lib.ags_store_open(None, 0, byref(handle)))
        else:
            data = document_bytes(state)
            check(lib.ags_store_open(data, len(data), byref(handle)))
        self._set_handle(handle.value)
        if max_depth is not None:
            self._limit(C.AGS_LIMIT_DEPTH, max_depth)

    @classmethod
    def _adopt(cls, handle: int, *, blocking: bool = False) -> "Store":
        """A Store over a store handle the library opened elsewhere (a durable store of a Storage).
        ``blocking``: its commits may wait for a disk or a lock, so they always release the GIL."""
        store = cls.__new__(cls)
        NativeHandle.__init__(store, handle)
        store._gate = threading.Lock()
        store._callbacks = blocking
        return store

    _release = staticmethod(lib.ags_store_close)

    @classmethod
    def _from_handle(cls, handle: int) -> "Store":
        """A Store over a handle the library gave (a registry's hold: closing it releases the hold)."""
        store = cls.__new__(cls)
        NativeHandle.__init__(store, handle)
        store._gate = threading.Lock()
        store._callbacks = False
        return store

    # -- reading --------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        v = c_uint64()
        check(lib.ags_store_version(self._h(), byref(v)))
        return v.value

    def get_json(self, pointer: str = "", *, pretty: bool = False, sort_keys: bool = False) -> str:
        """The value at ``pointer`` ("" for the whole state) as JSON text."""
        flags = (C.AGS_JSON_PRETTY if pretty else 0) | (C.AGS_JSON_SORT_KEYS if sort_keys else 0)
        return self._get(pointer, flags).decode("utf-8")

    def get(self, pointer: str = "") -> Any:
        """The value at ``pointer`` ("" for the whole state) as a Python value. Raises PathNotFound."""
        return _convert.loads(self._get(pointer, 0))

    def _get(self, pointer: Any, flags: int) -> bytes:
        # A read waits for no Python callback (readers wait at most for one change being applied), so it
        # keeps the GIL.
        ptr = pointer.encode("utf-8", "surrogatepass") if type(pointer) is str else pointer_bytes(pointer)
        handle = self._cvp
        if handle is None:
            self._h()  # raises Closed
        out, out_ref, out_len, out_len_ref = slots.output
        status = _hot_get(handle, ptr, size_arg(len(ptr)), flags, out_ref, out_len_ref)
        if status:
            raise last_error(status)
        return take_output(out, out_len)

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

    def set(self, pointer: str, value: Any, *, author: Optional[str] = None, client_id: Optional[str] = None) -> int:
        """Replaces the value at ``pointer``, or adds it when absent (the parent must exist). ``value`` is a
        Python value (a str is a JSON string). ``author``: who commits (history, subscribers, section
        locks). ``client_id`` (on every commit): the client a registry's rate limits count the commit
        against (RateLimited when over). Returns the new version."""
        ptr, data = pointer_bytes(pointer), _convert.dumps(value)
        return self._commit("ags_store_set", ptr, len(ptr), data, len(data), options=_named(author, client_id))

    def set_json(self, pointer: str, text: JSONText, *, client_id: Optional[str] = None) -> int:
        """Like ``set``, with the value given as JSON text."""
        ptr, data = pointer_bytes(pointer), text_bytes(text)
        return self._commit("ags_store_set", ptr, len(ptr), data, len(data), options=_client(client_id))

    def add(self, pointer: str, value: Any, *, author: Optional[str] = None, client_id: Optional[str] = None) -> int:
        """RFC 6902 ``add``: inserts into arrays (``-`` appends). Returns the new version."""
        ptr, data = pointer_bytes(pointer), _convert.dumps(value)
        return self._commit("ags_store_add", ptr, len(ptr), data, len(data), options=_named(author, client_id))

    def remove(self, pointer: str, *, author: Optional[str] = None, client_id: Optional[str] = None) -> int:
        """RFC 6902 ``remove``; the value must exist. Returns the new version."""
        ptr = pointer_bytes(pointer)
        return self._commit("ags_store_remove", ptr, len(ptr), options=_named(author, client_id))

    def patch(self, ops: Any, *, expected_version: Optional[int] = None, lenient: bool = False,
              urgent: bool = False, base_version: Optional[int] = None, strategy: Optional[str] = None,
              author: Optional[str] = None, resolver: Optional[Resolver] = None, client_id: Optional[str] = None) -> int:
        """Applies an RFC 6902 patch (a list of operations, or its JSON text) atomically. Returns the new
        version; on failure raises with ``op_index`` and ``pointer`` and changes nothing.

        ``expected_version``: commit only if the store is at that version, else raise Conflict
        (compare-and-set). ``lenient``: a replace of a missing path becomes an add, a remove of a missing
        path does nothing (for deltas made against a state this store never had). ``urgent``: a batcher sends
        the change at once.

        Collaboration: ``base_version`` is the version the patch was made against; when the store has moved
        on, ``strategy`` ("reject", "rebase", "last-write-wins", "first-write-wins", "merge", "custom";
        default: the store's, see ``strategy``) says how it is applied (raises Conflict where it refuses,
        NotInHistory when the base left the history). ``resolver(path, base, current, proposed)`` decides
        each conflict under "custom": it returns the value to keep, ``agstate.REMOVE`` or
        ``agstate.REFUSE`` (values absent are ``agstate.MISSING``); it runs during the commit and must not
        commit to this store. ``author``: who commits (history, subscribers, conflict log, locks)."""
        kind = type(ops)
        if kind is list:
            data = _convert.dumps(ops)
        elif kind is str:
            data = ops.encode("utf-8", "surrogatepass")
        else:
            data = ops if kind is bytes else document_bytes(ops)
        if resolver is not None:
            call = ResolverCall(resolver)
            options = _options(expected_version, lenient, urgent, base_version=base_version, strategy=strategy,
                               author=author, resolver=call, client_id=client_id)
            v = c_uint64()
            status = lib.ags_store_patch(self._h(), data, len(data), byref(options), byref(v))
            if status:
                raise last_error(status)
            return v.value
        if base_version is not None or strategy is not None or author is not None or client_id is not None:
            return self._commit("ags_store_patch", data, len(data),
                                options=_options(expected_version, lenient, urgent, base_version=base_version,
                                                 strategy=strategy, author=author, client_id=client_id))
        if expected_version is None and not lenient and not urgent:
            # The common call, written out: the Python around the C call is most of its overhead.
            handle = self._cvp
            if handle is None:
                self._h()  # raises Closed
            size = size_arg(len(data))
            if not self._callbacks:  # never false again once true
                version, version_ref = slots.version
                gate = self._gate
                gate.acquire()
                if not self._callbacks:
                    try:
                        status = _hot_patch(handle, data, size, None, version_ref)
                    finally:
                        gate.release()
                    if status:
                        raise last_error(status)
                    return version.value
                gate.release()
            # Callbacks may run during this call and commit on this thread: a version of its own, not the
            # thread's slot, which a nested call would overwrite.
            version = c_uint64()
            status = _released_patch(handle, data, size, None, byref(version))
            if status:
                raise last_error(status)
            return version.value
        return self._commit("ags_store_patch", data, len(data),
                            options=_options(expected_version, lenient, urgent, client_id=client_id))

    def merge(self, patch: Any, *, author: Optional[str] = None, client_id: Optional[str] = None) -> int:
        """Applies an RFC 7386 merge patch (a Python value, or JSON text when str/bytes). Returns the new
        version."""
        data = document_bytes(patch)
        return self._commit("ags_store_merge", data, len(data), options=_named(author, client_id))

    # -- collaboration ----------------------------------------------------------------------------

    @property
    def strategy(self) -> str:
        """The strategy for patches made against an older version when a call names none ("rebase"
        unless set)."""
        value = c_uint32()
        check(lib.ags_store_strategy(self._h(), byref(value)))
        return strategy_name(value.value)

    @strategy.setter
    def strategy(self, name: str) -> None:
        if name is None:
            raise ValueError("the store's strategy cannot be None")
        check(lib.ags_store_set_strategy(self._h(), strategy_value(name)))

    def conflicts(self, after: int = 0) -> list:
        """The conflict log after sequence ``after``, oldest first: ``[{"sequence", "author",
        "base_version", "version", "strategy", "outcome", "conflicts": [{"path", "outcome"}]}]``; a conflict
        met when a hybrid storage replayed its fallback's changes adds ``"kind": "replay"``,
        ``"primary_version"``, ``"theirs"`` (the primary's changes, one JSON Patch) and ``"mine"``
        (``[{"version", "author", "patch"}]``)."""
        return value_from(lib.ags_store_conflicts, self._h(), check_int(after, "uint64_t", "after"), 0)

    def author_of(self, version: int) -> Optional[str]:
        """Who committed ``version`` (None when nobody was named): a subscriber learns a change's author."""
        name = text_from(lib.ags_store_author, self._h(), check_int(version, "uint64_t", "version"))
        return name or None

    def lock(self, pointer: str, owner: str, ttl_ms: int) -> None:
        """Takes (or renews, for its owner) a lease on ``pointer`` for ``ttl_ms``. While it holds, commits
        by other authors at, inside or above it raise Locked; raises Locked when another owner holds one
        there."""
        ptr, who = pointer_bytes(pointer), text_bytes(owner)
        check(lib.ags_store_lock(self._h(), ptr, len(ptr), who, len(who), check_int(ttl_ms, "uint64_t", "ttl_ms")))

    def renew_lock(self, pointer: str, owner: str, ttl_ms: int) -> None:
        """Extends the owner's lease; PathNotFound when it has none (it expired)."""
        ptr, who = pointer_bytes(pointer), text_bytes(owner)
        check(lib.ags_store_renew_lock(self._h(), ptr, len(ptr), who, len(who), check_int(ttl_ms, "uint64_t", "ttl_ms")))

    def unlock(self, pointer: str, owner: str) -> None:
        """Releases the owner's lease on ``pointer``."""
        ptr, who = pointer_bytes(pointer), text_bytes(owner)
        check(lib.ags_store_unlock(self._h(), ptr, len(ptr), who, len(who)))

    def locks(self) -> list:
        """The leases in force: ``[{"path", "owner", "expires_in_ms"}]``."""
        return value_from(lib.ags_store_locks, self._h(), 0)

    def set_presence(self, client: str, value: Any, ttl_ms: int) -> None:
        """Sets, or renews with a heartbeat, ``client``'s presence (a small JSON value) for ``ttl_ms``."""
        who, data = text_bytes(client), _convert.dumps(value)
        check(lib.ags_store_presence_set(self._h(), who, len(who), data, len(data), check_int(ttl_ms, "uint64_t", "ttl_ms")))

    def leave(self, client: str) -> None:
        """Removes ``client``'s presence; PathNotFound when it had none."""
        who = text_bytes(client)
        check(lib.ags_store_presence_leave(self._h(), who, len(who)))

    def presence(self) -> dict:
        """Who is present: ``{client: value}``."""
        return value_from(lib.ags_store_presence, self._h(), 0)

    def expire(self) -> None:
        """Drops the leases and presence entries whose time is up, telling their watchers."""
        check(lib.ags_store_expire(self._h()))

    def watch_locks(self, callback: Callable[[dict], Any]) -> Watch:
        """Calls ``callback(event)`` for every lease taken, renewed, released or expired."""
        return Watch(lib.ags_store_watch_locks, self._attach_callback(), callback)

    def watch_presence(self, callback: Callable[[dict], Any]) -> Watch:
        """Calls ``callback(event)`` when a client joins, updates, leaves or expires."""
        return Watch(lib.ags_store_watch_presence, self._attach_callback(), callback)

    # -- snapshots, history, time travel ----------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current state and version, in O(1)."""
        handle = c_void_p()
        check(lib.ags_store_snapshot(self._h(), byref(handle)))
        return Snapshot(handle.value)

    def restore(self, snapshot: Snapshot, *, client_id: Optional[str] = None) -> int:
        """Makes ``snapshot``'s state current again: an ordinary change (new version, in history, told to
        subscribers). Returns the new version."""
        return self._commit("ags_store_restore", snapshot._h(), options=_client(client_id))

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

    def apply_event(self, event: Any, *, lenient: bool = False, client_id: Optional[str] = None) -> int:
        """Applies a STATE_SNAPSHOT or STATE_DELTA event (a dict, or JSON text) as one change and returns the
        new version. A delta that does not apply raises with ``op_index`` and ``pointer``; nothing changes."""
        data = document_bytes(event)
        return self._commit("ags_store_apply_event", data, len(data),
                            options=_options(None, lenient, client_id=client_id) if lenient or client_id is not None else None)

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
