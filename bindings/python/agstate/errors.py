"""Exceptions: one class per status code of include/agstate.h, all under AgstateError."""
from __future__ import annotations

from typing import Dict, Optional, Type

from . import _constants as C
from ._native import fast

_errlast = fast.ags_errlast
_status_name = fast.ags_status_name


class AgstateError(Exception):
    """A failed agstate call. ``code`` is the C status code, ``status`` its name; ``pointer`` is the JSON
    Pointer the failure concerns, ``op_index`` the failing patch operation, ``offset`` the byte offset of a
    JSON syntax error (each None when it does not apply)."""

    code: int = 0
    __test__ = False  # not a pytest test class

    def __init__(self, message: str, *, pointer: Optional[str] = None, op_index: Optional[int] = None,
                 offset: Optional[int] = None, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        self.op_index = op_index
        self.offset = offset
        if code is not None:
            self.code = code

    @property
    def status(self) -> str:
        return _status_name(self.code).decode()


class InvalidArgument(AgstateError, ValueError):
    code = C.AGS_ERR_INVALID_ARGUMENT


class InvalidJSON(AgstateError, ValueError):
    code = C.AGS_ERR_INVALID_JSON


class InvalidPointer(AgstateError, ValueError):
    code = C.AGS_ERR_INVALID_POINTER


class InvalidPatch(AgstateError, ValueError):
    code = C.AGS_ERR_INVALID_PATCH


class PathNotFound(AgstateError, LookupError):
    code = C.AGS_ERR_PATH_NOT_FOUND


class TestFailed(AgstateError):
    code = C.AGS_ERR_TEST_FAILED


class Conflict(AgstateError):
    code = C.AGS_ERR_CONFLICT


class LimitExceeded(AgstateError):
    code = C.AGS_ERR_LIMIT_EXCEEDED


class Closed(AgstateError):
    code = C.AGS_ERR_CLOSED


class IOFailure(AgstateError):
    code = C.AGS_ERR_IO


class NoMemory(AgstateError, MemoryError):
    code = C.AGS_ERR_NO_MEMORY


class InternalError(AgstateError):
    code = C.AGS_ERR_INTERNAL


class NotInHistory(AgstateError, LookupError):
    """The version asked for is older than the store's history reaches: send a snapshot instead."""

    code = C.AGS_ERR_NOT_IN_HISTORY


class CorruptData(AgstateError, ValueError):
    """Compressed data is truncated, damaged (bad checksum), followed by trailing bytes, or of another codec."""

    code = C.AGS_ERR_CORRUPT_DATA


class Locked(AgstateError):
    """The location is locked by another owner."""

    code = C.AGS_ERR_LOCKED


class RateLimited(AgstateError):
    """A rate limit refused the call: retry later."""

    code = C.AGS_ERR_RATE_LIMITED


class Unavailable(AgstateError):
    """A backend (a database server) cannot be reached now."""

    code = C.AGS_ERR_UNAVAILABLE


_BY_CODE: Dict[int, Type[AgstateError]] = {
    cls.code: cls
    for cls in (InvalidArgument, InvalidJSON, InvalidPointer, InvalidPatch, PathNotFound, TestFailed, Conflict,
                LimitExceeded, Closed, IOFailure, NoMemory, InternalError, NotInHistory, CorruptData, Locked, RateLimited,
                Unavailable)
}


def last_error(status: int) -> AgstateError:
    """The exception for a failed call, read from the calling thread's last error right after the call."""
    error = _errlast().contents
    message = error.message.decode("utf-8", "replace") if error.message else ""
    pointer = error.pointer.decode("utf-8", "replace") if error.pointer is not None else None
    cls = _BY_CODE.get(status, AgstateError)
    return cls(message or _status_name(status).decode(), pointer=pointer,
               op_index=error.op_index if error.op_index >= 0 else None,
               offset=error.offset if error.offset >= 0 else None, code=status)


def check(status: int) -> None:
    if status != 0:
        raise last_error(status)
