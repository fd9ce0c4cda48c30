"""The stateless functions: patch, merge patch, pointer, formatting, equality."""
from __future__ import annotations

from ctypes import byref, c_int, c_size_t, c_void_p
from typing import Any

from . import _constants as C
from ._convert import JSONText, document_bytes, like, pointer_bytes, text_bytes
from ._native import lib, take_text
from .errors import check


def _flags(pretty: bool, sort_keys: bool) -> int:
    return (C.AGS_JSON_PRETTY if pretty else 0) | (C.AGS_JSON_SORT_KEYS if sort_keys else 0)


def apply_patch(doc: Any, patch: Any) -> Any:
    """Applies an RFC 6902 JSON Patch to ``doc`` atomically and returns the new document.

    ``doc`` and ``patch`` may be Python values or JSON text (str or bytes); the result is of the same kind
    as ``doc``. ``doc`` itself is never changed. Raises a subclass of AgstateError naming the failing
    operation (``op_index``) and path (``pointer``).
    """
    d, p = document_bytes(doc), document_bytes(patch)
    out, n = c_void_p(), c_size_t()
    check(lib.ags_patch_apply(d, len(d), p, len(p), 0, byref(out), byref(n)))
    return like(take_text(out, n), doc)


def merge_patch(doc: Any, patch: Any) -> Any:
    """Applies an RFC 7386 JSON Merge Patch to ``doc`` and returns the new document (same kind as ``doc``).
    A str or bytes ``patch`` is read as JSON text."""
    d, p = document_bytes(doc), document_bytes(patch)
    out, n = c_void_p(), c_size_t()
    check(lib.ags_merge_patch_apply(d, len(d), p, len(p), 0, byref(out), byref(n)))
    return like(take_text(out, n), doc)


def resolve_pointer(doc: Any, pointer: str) -> Any:
    """The value at the RFC 6901 ``pointer`` in ``doc`` (JSON text when ``doc`` is text). Raises
    PathNotFound when there is none, InvalidPointer when the pointer is malformed."""
    d, ptr = document_bytes(doc), pointer_bytes(pointer)
    out, n = c_void_p(), c_size_t()
    check(lib.ags_pointer_get(d, len(d), ptr, len(ptr), 0, byref(out), byref(n)))
    return like(take_text(out, n), doc)


def format_json(text: JSONText, *, pretty: bool = False, sort_keys: bool = False,
                allow_duplicates: bool = False) -> str:
    """Validates strict JSON text and writes it again: compact, or pretty, or with sorted keys."""
    t = text_bytes(text)
    flags = _flags(pretty, sort_keys) | (C.AGS_JSON_ALLOW_DUPLICATES if allow_duplicates else 0)
    out, n = c_void_p(), c_size_t()
    check(lib.ags_json_format(t, len(t), flags, byref(out), byref(n)))
    return take_text(out, n).decode("utf-8")


def validate_json(text: JSONText) -> None:
    """Raises InvalidJSON (with ``offset``) unless ``text`` is strict JSON."""
    t = text_bytes(text)
    check(lib.ags_json_validate(t, len(t)))


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: member order ignored, numbers by value (1 == 1.0). Values or JSON text."""
    x, y = document_bytes(a), document_bytes(b)
    equal = c_int()
    check(lib.ags_json_equal(x, len(x), y, len(y), byref(equal)))
    return bool(equal.value)
