"""Storage: durable stores in one database file (SQLite), every acknowledged commit kept across a crash."""
from __future__ import annotations

import ctypes
import json
from ctypes import POINTER, Structure, byref, c_char_p, c_int, c_size_t, c_ubyte, c_uint, c_uint32, c_uint64, c_void_p
from typing import Any, List, Mapping, Optional

from . import _constants as k
from ._convert import document_bytes
from ._handles import NativeHandle, text_from
from ._native import c_out, c_out_len, c_status, lib
from .errors import check
from .store import Store

_DURABILITIES = {"full": k.AGS_DURABILITY_FULL, "normal": k.AGS_DURABILITY_NORMAL}
_UINT32_MAX = 2**32 - 1
_UINT64_MAX = 2**64 - 1


class _Key(Structure):
    """ags_storage_key."""
    _fields_ = [("id", c_uint32), ("key", c_ubyte * 32)]


class _Options(Structure):
    """ags_storage_options, laid out as the header's."""
    _fields_ = [
        ("version", c_uint),
        ("durability", c_int),
        ("key", c_void_p),
        ("key_id", c_uint32),
        ("old_keys", c_void_p),
        ("old_key_count", c_size_t),
        ("busy_timeout_ms", c_uint32),
        ("checkpoint_changes", c_uint64),
        ("checkpoint_bytes", c_uint64),
    ]


for _name, _restype, _argtypes in [
    ("ags_storage_options_init", c_status, [POINTER(_Options), c_uint]),
    ("ags_storage_open", c_status, [c_char_p, c_size_t, POINTER(_Options), POINTER(c_void_p)]),
    ("ags_storage_open_store", c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, POINTER(c_void_p)]),
    ("ags_storage_list", c_status, [c_void_p, c_out, c_out_len]),
    ("ags_storage_stats", c_status, [c_void_p, c_out, c_out_len]),
    ("ags_storage_delete", c_status, [c_void_p, c_char_p, c_size_t]),
    ("ags_storage_export", c_status, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t]),
    ("ags_storage_import", c_status, [c_void_p, c_char_p, c_size_t, c_out, c_out_len]),
    ("ags_storage_close", None, [c_void_p]),
]:
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes


def _key_bytes(key: Any, what: str) -> bytes:
    if not isinstance(key, (bytes, bytearray, memoryview)) or len(key) != 32:
        raise ValueError(f"{what} must be 32 bytes")
    return bytes(key)


def _uint(value: Optional[int], maximum: int, name: str) -> Optional[int]:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int")
    if value < 0 or value > maximum:
        raise OverflowError(f"{name} must be between 0 and {maximum}")
    return value


def _text(value: str, what: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str")
    return value.encode("utf-8")


class Storage(NativeHandle):
    """A database file holding any number of durable stores, keyed by store id.

    ``url`` is ``"sqlite:PATH"`` (or ``"file:PATH"``), or ``"postgres://..."`` for a PostgreSQL database
    or ``"redis://host:port/db"`` (``"redis+unix:///path/to/socket"``) for a Redis server, either
    shared by many processes: a commit that another process beat to its version raises ``Conflict`` (the
    store has caught up; retry), one made while the server cannot be reached raises ``Unavailable``, and
    other processes' commits arrive by themselves (see the header's "Durable storage"); or
    ``"hybrid:postgres://...|sqlite:PATH"``, a PostgreSQL primary with a local SQLite fallback that takes the
    commits while the primary is unreachable and replays them to it when it answers again (conflicts met
    on replay go to the store's ``conflicts()`` with ``"kind": "replay"``). ``durability="full"`` syncs every commit to disk;
    ``"normal"`` survives a killed process but not a power loss. ``key`` (32 bytes) encrypts every row at
    rest, recorded under ``key_id``; ``old_keys`` maps earlier key ids to keys still needed for reading.
    A commit to a store opened here returns only once it is in the database; a failed write raises
    ``IOFailure`` and leaves the store's state and version as they were.

    >>> with Storage("sqlite:/tmp/example.db") as storage:  # doctest: +SKIP
    ...     store = storage.open_store("thread-1", {"count": 0})
    ...     store.set("/count", 1)
    """

    def __init__(self, url: str, key: Optional[bytes] = None, durability: str = "full", *, key_id: int = 0,
                 old_keys: Optional[Mapping[int, bytes]] = None, busy_timeout_ms: Optional[int] = None,
                 checkpoint_changes: Optional[int] = None, checkpoint_bytes: Optional[int] = None) -> None:
        super().__init__(None)
        options = _Options()
        check(lib.ags_storage_options_init(byref(options), k.AGS_STORAGE_OPTIONS_VERSION))
        if durability not in _DURABILITIES:
            raise ValueError(f"durability must be 'full' or 'normal', not {durability!r}")
        options.durability = _DURABILITIES[durability]
        keep = []  # buffers that must live until the call returns
        if key is not None:
            buffer = ctypes.create_string_buffer(_key_bytes(key, "key"), 32)
            keep.append(buffer)
            options.key = ctypes.cast(buffer, c_void_p)
            options.key_id = _uint(key_id, _UINT32_MAX, "key_id")
        if old_keys:
            array = (_Key * len(old_keys))()
            for i, (kid, value) in enumerate(old_keys.items()):
                array[i].id = _uint(kid, _UINT32_MAX, "an old key id")
                ctypes.memmove(array[i].key, _key_bytes(value, "an old key"), 32)
            keep.append(array)
            options.old_keys = ctypes.cast(array, c_void_p)
            options.old_key_count = len(old_keys)
        for name, maximum in (("busy_timeout_ms", _UINT32_MAX), ("checkpoint_changes", _UINT64_MAX),
                              ("checkpoint_bytes", _UINT64_MAX)):
            value = _uint(locals()[name], maximum, name)
            if value is not None:
                setattr(options, name, value)
        data = _text(url, "url")
        handle = c_void_p()
        check(lib.ags_storage_open(data, len(data), byref(options), byref(handle)))
        self._handle = handle.value

    _release = staticmethod(lib.ags_storage_close)

    def open_store(self, id: str, initial: Any = None) -> Store:
        """The durable store ``id``: loaded when it exists (``initial`` is then ignored), otherwise created
        with ``initial`` (a Python value or JSON text; None means ``{}``). Returns an ordinary ``Store``."""
        name = _text(id, "id")
        handle = c_void_p()
        if initial is None:
            check(lib.ags_storage_open_store(self._h(), name, len(name), None, 0, byref(handle)))
        else:
            data = document_bytes(initial)
            check(lib.ags_storage_open_store(self._h(), name, len(name), data, len(data), byref(handle)))
        # Its commits write to the database (a sync, maybe a wait for another process's lock): they
        # release the GIL.
        return Store._adopt(handle.value, blocking=True)

    def list(self) -> List[str]:
        """The ids of the stores in the database, sorted."""
        return json.loads(text_from(lib.ags_storage_list, self._h()))

    def stats(self) -> dict:
        """The storage's counters: for PostgreSQL and Redis the pool, the circuit breaker (``state`` is
        ``"closed"``, ``"open"`` or ``"half_open"``, with how often it entered each), retries, the
        listener, conflicts and changes applied from other processes (for Redis also ``server``: its
        ``appendonly``, ``appendfsync`` and ``maxmemory_policy`` settings); for a hybrid storage ``active``
        (``"primary"`` or ``"fallback"``), ``breaker``, ``pending_replay``, ``stores_on_fallback``,
        ``failovers``, ``replays``, ``replayed_changes``, ``replay_conflicts`` and ``primary`` (its
        PostgreSQL counters)."""
        return json.loads(text_from(lib.ags_storage_stats, self._h()))

    def delete(self, id: str) -> None:
        """Deletes store ``id`` and its rows (``PathNotFound`` when there is none). A ``Store`` still open
        on it keeps reading; its commits raise ``Closed``."""
        name = _text(id, "id")
        check(lib.ags_storage_delete(self._h(), name, len(name)))

    def export(self, path: str, id: Optional[str] = None) -> None:
        """Backs up store ``id`` (every store when None) to one file at ``path``, replaced atomically:
        compressed, and encrypted with the storage's key when it has one."""
        target = _text(str(path), "path")
        if id is None:
            check(lib.ags_storage_export(self._h(), None, 0, target, len(target)))
        else:
            name = _text(id, "id")
            check(lib.ags_storage_export(self._h(), name, len(name), target, len(target)))

    def import_backup(self, path: str) -> List[str]:
        """Creates the stores of a backup file, all or none (``Conflict`` when one exists already);
        returns their ids."""
        source = _text(str(path), "path")
        return json.loads(text_from(lib.ags_storage_import, self._h(), source, len(source)))
