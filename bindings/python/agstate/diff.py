"""Diff, merge-patch diff and compaction."""
from __future__ import annotations

from ctypes import byref
from typing import Any

from . import _constants as C
from ._convert import document_bytes, like
from ._handles import bytes_from
from ._native import ags_diff_options, lib


def make_patch(a: Any, b: Any, *, fewest_bytes: bool = False, test_guards: bool = False, verify: bool = False) -> Any:
    """The RFC 6902 patch that turns ``a`` into ``b`` (the name Python's jsonpatch uses). Applying it to ``a``
    gives ``b`` exactly, always. ``a``/``b`` are Python values or JSON text; the patch is a list, or JSON text
    when ``a`` is text. ``fewest_bytes`` replaces a whole container where that is shorter; ``test_guards``
    puts a ``test`` of the old value before every ``replace`` and ``remove``; ``verify`` re-applies the patch
    and compares before returning it."""
    x, y = document_bytes(a), document_bytes(b)
    options = ags_diff_options(*C.AGS_DIFF_OPTIONS_INIT)
    options.flags = ((C.AGS_DIFF_FEWEST_BYTES if fewest_bytes else 0) | (C.AGS_DIFF_TEST_GUARDS if test_guards else 0)
                     | (C.AGS_DIFF_VERIFY if verify else 0))
    return like(bytes_from(lib.ags_diff, x, len(x), y, len(y), byref(options)), a)


def make_merge_patch(a: Any, b: Any) -> Any:
    """The RFC 7386 merge patch that turns ``a`` into ``b``; raises InvalidArgument when none exists (a
    merge patch cannot set a member to null)."""
    x, y = document_bytes(a), document_bytes(b)
    return like(bytes_from(lib.ags_merge_diff, x, len(x), y, len(y), 0), a)


def compact(patches: Any) -> Any:
    """One patch equivalent to a sequence of patches, usually shorter: for every document the sequence applies
    to, it gives the same result. ``patches``: a list of patches (lists of operations), one patch, or JSON
    text of either; the result is a list, or JSON text when given text."""
    data = document_bytes(patches)
    return like(bytes_from(lib.ags_compact, data, len(data), 0), patches)
