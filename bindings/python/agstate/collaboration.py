"""Collaboration: strategies for patches made against an older version, custom resolvers, and watches on
section locks and presence. The store's methods (``Store.patch(base_version=...)``, ``Store.lock``, ...)
use these; the engine decides, this module converts."""
from __future__ import annotations

import ctypes
import json
import logging
from ctypes import byref
from typing import Any, Callable, Dict, List, Optional

from . import _constants as C
from ._handles import NativeHandle
from ._native import RESOLVE_FN, WATCH_FN, ags_conflict, lib
from .errors import check

_log = logging.getLogger("agstate")

#: Strategy names, as ``Store.patch(strategy=...)`` and ``Store.strategy`` spell them.
STRATEGIES: Dict[str, int] = {
    "reject": C.AGS_STRATEGY_REJECT,
    "rebase": C.AGS_STRATEGY_REBASE,
    "last-write-wins": C.AGS_STRATEGY_LAST_WRITE_WINS,
    "first-write-wins": C.AGS_STRATEGY_FIRST_WRITE_WINS,
    "merge": C.AGS_STRATEGY_MERGE,
    "custom": C.AGS_STRATEGY_CUSTOM,
}
_NAMES = {value: name for name, value in STRATEGIES.items()}


class _Marker:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"agstate.{self._name}"


#: A resolver returns REMOVE to leave nothing at the location, REFUSE (or raises) to refuse the commit.
REMOVE = _Marker("REMOVE")
REFUSE = _Marker("REFUSE")

#: resolver(path, base, current, proposed) -> the value to keep, REMOVE or REFUSE. A value absent at the
#: location is passed as MISSING.
MISSING = _Marker("MISSING")
Resolver = Callable[[str, Any, Any, Any], Any]


def strategy_value(strategy: Optional[str]) -> int:
    if strategy is None:
        return C.AGS_STRATEGY_DEFAULT
    try:
        return STRATEGIES[strategy]
    except KeyError:
        raise ValueError(f"unknown strategy {strategy!r}; one of {', '.join(STRATEGIES)}") from None


def strategy_name(value: int) -> str:
    return _NAMES.get(value, str(value))


class ResolverCall:
    """Carries a Python resolver into the C callback for one commit, keeping alive what the library reads
    until the commit returns, and the first exception it raised."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self._kept: List[bytes] = []
        self.function = RESOLVE_FN(self._call)

    @staticmethod
    def _value(pointer: Optional[int], length: int) -> Any:
        if not pointer:
            return MISSING
        return json.loads(ctypes.string_at(pointer, length))

    def _call(self, _user_data: Any, conflict: int, value: Any, value_len: Any) -> int:
        try:
            c = ags_conflict.from_address(conflict)
            path = ctypes.string_at(c.path, c.path_len).decode("utf-8")
            answer = self._resolver(path, self._value(c.base, c.base_len), self._value(c.current, c.current_len),
                                    self._value(c.proposed, c.proposed_len))
            if answer is REFUSE:
                return C.AGS_RESOLVE_REFUSE
            if answer is REMOVE:
                return C.AGS_RESOLVE_REMOVE
            text = json.dumps(answer, ensure_ascii=False, allow_nan=False).encode("utf-8")
            buffer = ctypes.create_string_buffer(text)
            self._kept.append(buffer)  # type: ignore[arg-type]
            value[0] = ctypes.addressof(buffer)
            value_len[0] = len(text)
            return C.AGS_RESOLVE_KEEP_VALUE
        except BaseException as error:  # noqa: BLE001 - a failing resolver refuses; logged
            _log.error("agstate resolver failed", exc_info=error)
            return C.AGS_RESOLVE_REFUSE


class Watch(NativeHandle):
    """A watch on a store's section locks or presence: ``callback(event)`` gets each event as a dict
    (``{"kind": "locked", "path": ..., "owner": ...}`` or ``{"kind": "joined", "client": ..., "value": ...}``)
    on the thread whose call made the change. An exception in the callback is logged. ``close()`` ends it."""

    _release = staticmethod(lib.ags_watch_close)

    def __init__(self, function: Callable[..., int], store_handle: int, callback: Callable[[dict], Any]) -> None:
        super().__init__(None)
        self._callback = callback
        # Kept on the object: the library calls it until the watch is closed.
        self._trampoline = WATCH_FN(self._deliver)
        handle = ctypes.c_void_p()
        check(function(store_handle, self._trampoline, None, byref(handle)))
        self._handle = handle.value

    def _deliver(self, _user_data: Any, event: int, length: int) -> int:
        try:
            self._callback(json.loads(ctypes.string_at(event, length)))
        except BaseException as error:  # noqa: BLE001 - logged, never lost silently
            _log.error("agstate watch callback failed", exc_info=error)
        return 0
