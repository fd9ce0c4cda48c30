"""EventValidator: AG-UI event streams checked against the AG-UI 1.0 schema and the sequence rules."""
from __future__ import annotations

from ctypes import byref, c_size_t, c_void_p
from typing import Any, Dict, List, Optional, Union

from . import _convert
from ._handles import NativeHandle, value_from
from . import _constants as C
from ._native import ags_validator_options, hot, lib, size_arg, slots, take_output, take_text
from .errors import check, last_error

Finding = Dict[str, Any]
EventInput = Union[Dict[str, Any], str, bytes, bytearray, memoryview]

# One event is a short call that waits for no Python callback: it keeps the GIL (see _native).
_feed = hot.ags_validator_feed
SEVERITIES = {"off": C.AGS_SEVERITY_OFF, "info": C.AGS_SEVERITY_INFO, "warning": C.AGS_SEVERITY_WARNING,
              "error": C.AGS_SEVERITY_ERROR}
_FORMATS = {"auto": C.AGS_STREAM_AUTO, "ndjson": C.AGS_STREAM_NDJSON, "sse": C.AGS_STREAM_SSE}


class EventValidator(NativeHandle):
    """Validates a stream of AG-UI events in one pass, with the same verdicts as the C and Go interfaces.

    ``profile`` is "client" (exactly the official TypeScript client's checks), "strict" (client plus the
    conformance rules it lacks) or "compat" (strict, accepting the deprecated THINKING_* events).
    ``rules`` overrides severities by rule id, e.g. ``{"text.empty-delta": "error", "message.parent-unknown":
    "off"}``. With ``messages=True`` the messages are rebuilt from the message events (see ``messages``).

    Each finding is a dict: ``rule``, ``severity`` ("error", "warning", "info"), ``message``,
    ``eventIndex`` (0-based; -1 for the end of the stream) and ``pointer`` (a JSON Pointer into the event,
    or None). Bad input is a finding, never an exception.
    """

    _release = staticmethod(lib.ags_validator_close)

    def __init__(self, profile: str = "client", *, rules: Optional[Dict[str, str]] = None,
                 messages: bool = False) -> None:
        super().__init__(None)
        name = profile.encode()
        options = ags_validator_options(*C.AGS_VALIDATOR_OPTIONS_INIT)
        options.profile, options.profile_len = name, len(name)
        options.flags = C.AGS_VALIDATE_MESSAGES if messages else 0
        handle = c_void_p()
        check(lib.ags_validator_open(byref(options), byref(handle)))
        self._set_handle(handle.value)
        self.profile = profile
        for rule, severity in (rules or {}).items():
            self.set_severity(rule, severity)

    def set_severity(self, rule: str, severity: str) -> None:
        """Sets a rule's severity: "error", "warning", "info" or "off"."""
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}: use one of {', '.join(SEVERITIES)}")
        name = rule.encode()
        check(lib.ags_validator_set_severity(self._h(), name, len(name), SEVERITIES[severity]))

    @staticmethod
    def _findings(out: c_void_p, n: c_size_t) -> List[Finding]:
        """The findings a call wrote: none when it wrote NULL."""
        return _convert.loads(take_text(out, n)) if out.value else []

    def feed(self, event: EventInput) -> List[Finding]:
        """Validates one event (a dict, or its JSON text as str or bytes); returns the findings it produced."""
        kind = type(event)
        if kind is str:
            data = event.encode()
        elif kind is bytes:
            data = event
        elif isinstance(event, dict):
            data = _convert.dumps_event(event)
        else:
            data = bytes(event)
        handle = self._cvp
        if handle is None:
            self._h()  # raises Closed
        out, out_ref, out_len, out_len_ref = slots.output
        status = _feed(handle, data, size_arg(len(data)), out_ref, out_len_ref)
        if status:
            raise last_error(status)
        if not out.value:  # NULL: no finding, nothing allocated (the usual case)
            return []
        return _convert.loads(take_output(out, out_len))

    def feed_stream(self, data: Union[str, bytes, bytearray, memoryview], format: str = "auto") -> List[Finding]:
        """Validates the events in a piece of an NDJSON or SSE stream (``format`` "auto", "ndjson" or "sse");
        a frame cut at the end waits for the next call. Returns the findings of the events it completed."""
        if format not in _FORMATS:
            raise ValueError(f"unknown format {format!r}: use auto, ndjson or sse")
        raw = data.encode() if isinstance(data, str) else bytes(data)
        out, n = c_void_p(), c_size_t()
        check(lib.ags_validator_feed_stream(self._h(), raw, len(raw), _FORMATS[format], byref(out), byref(n)))
        return self._findings(out, n)

    def finalize(self) -> List[Finding]:
        """Ends the stream and returns the end-of-stream findings (a run left open, a cut SSE event, ...)."""
        out, n = c_void_p(), c_size_t()
        check(lib.ags_validator_finish(self._h(), byref(out), byref(n)))
        return self._findings(out, n)

    @property
    def findings(self) -> List[Finding]:
        """Every finding so far (the first 10,000; ``counts`` has them all)."""
        return value_from(lib.ags_validator_findings, self._h())

    @property
    def state(self) -> Any:
        """The tracked state: the last STATE_SNAPSHOT with every later STATE_DELTA that applied."""
        return value_from(lib.ags_validator_state, self._h(), 0)

    @property
    def activities(self) -> Dict[str, Any]:
        """The tracked activities by message id: ``{"activityType": ..., "content": ...}``."""
        return value_from(lib.ags_validator_activities, self._h(), 0)

    @property
    def messages(self) -> List[Dict[str, Any]]:
        """The messages rebuilt from the message events (only with ``messages=True``)."""
        return value_from(lib.ags_validator_messages, self._h(), 0)

    @property
    def counts(self) -> Dict[str, int]:
        """``{"events": N, "error": N, "warning": N, "info": N}`` so far."""
        events, errors, warnings, infos = c_size_t(), c_size_t(), c_size_t(), c_size_t()
        check(lib.ags_validator_counts(self._h(), byref(events), byref(errors), byref(warnings), byref(infos)))
        return {"events": events.value, "error": errors.value, "warning": warnings.value, "info": infos.value}

    @property
    def ok(self) -> bool:
        """No error so far."""
        return self.counts["error"] == 0

