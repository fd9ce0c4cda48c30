"""Exceptions: one class per status code of include/agstate.h, all under AgstateError."""
from __future__ import annotations

import ctypes
from typing import Dict, Optional, Type

from ._native import lib


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
        return lib.ags_status_name(self.code).decode()


class InvalidArgument(AgstateError, ValueError):
    code = 1


class InvalidJSON(AgstateError, ValueError):
    code = 2


class InvalidPointer(AgstateError, ValueError):
    code = 3


class InvalidPatch(AgstateError, ValueError):
    code = 4


class PathNotFound(AgstateError, LookupError):
    code = 5


class TestFailed(AgstateError):
    code = 6


class Conflict(AgstateError):
    code = 7


class LimitExceeded(AgstateError):
    code = 8


class Closed(AgstateError):
    code = 9


class IOFailure(AgstateError):
    code = 10


class NoMemory(AgstateError, MemoryError):
    code = 11


class InternalError(AgstateError):
    code = 12


class NotInHistory(AgstateError, LookupError):
    """The version asked for is older than the store's history reaches: send a snapshot instead."""

    code = 13


class CorruptData(AgstateError, ValueError):
    """Compressed data is truncated, damaged (bad checksum), followed by trailing bytes, or of another codec."""

    code = 14


_BY_CODE: Dict[int, Type[AgstateError]] = {
    cls.code: cls
    for cls in (InvalidArgument, InvalidJSON, InvalidPointer, InvalidPatch, PathNotFound, TestFailed, Conflict,
                LimitExceeded, Closed, IOFailure, NoMemory, InternalError, NotInHistory, CorruptData)
}


def last_error(status: int) -> AgstateError:
    """The exception for a failed call, read from the calling thread's last error right after the call."""
    message_ptr = lib.ags_errmsg()
    message = ctypes.string_at(message_ptr).decode("utf-8", "replace") if message_ptr else ""
    pointer_ptr = lib.ags_errpointer()
    pointer = ctypes.string_at(pointer_ptr).decode("utf-8", "replace") if pointer_ptr else None
    op_index = lib.ags_errop()
    offset = lib.ags_erroffset()
    cls = _BY_CODE.get(status, AgstateError)
    return cls(message or lib.ags_status_name(status).decode(), pointer=pointer,
               op_index=op_index if op_index >= 0 else None, offset=offset if offset >= 0 else None,
               code=status)


def check(status: int) -> None:
    if status != 0:
        raise last_error(status)
