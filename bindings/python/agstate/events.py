"""AG-UI events as Server-Sent Events frames."""
from __future__ import annotations

from typing import Any

from . import _constants as C
from ._convert import document_bytes
from ._handles import text_from
from ._native import lib


def encode_sse(event: Any) -> str:
    """Frames any AG-UI event (a dict, or JSON text) for Server-Sent Events: ``data: <compact JSON>\\n\\n``,
    the framing of the official Python SDK's EventEncoder. The JSON is the engine's, so C, Python and Go
    frame an event with the same bytes."""
    data = document_bytes(event)
    return text_from(lib.ags_event_encode, data, len(data), C.AGS_EVENT_SSE)


def delta_event(ops: Any, *, sse: bool = False) -> str:
    """Wraps an RFC 6902 patch (a list, or JSON text) in a STATE_DELTA event, as JSON or as an SSE frame."""
    data = document_bytes(ops)
    return text_from(lib.ags_delta_event, data, len(data), C.AGS_EVENT_SSE if sse else 0)
