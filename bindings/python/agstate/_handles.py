"""Helpers shared by the handle classes: reading library output into Python."""
from __future__ import annotations

import json
from ctypes import byref, c_size_t, c_void_p
from typing import Any, Callable

from ._native import take_text
from .errors import check


def text_from(call: Callable[..., int], *args: Any) -> str:
    """Runs a C function whose last two parameters are (char **out, size_t *out_len); returns the text."""
    out, n = c_void_p(), c_size_t()
    check(call(*args, byref(out), byref(n)))
    return take_text(out, n).decode("utf-8")


def value_from(call: Callable[..., int], *args: Any) -> Any:
    return json.loads(text_from(call, *args))
