"""Python values to and from the JSON text that crosses the C boundary.

The standard library's json writes and reads the text; orjson does when it is installed (an optional
dependency, several times faster), under rules that keep every result and every error the same as with json:

- writing: a value orjson refuses (an integer beyond 64 bits, a non-str key, a lone surrogate, nesting past
  its limit, a subclass of a JSON type) is written by json instead, which writes it or raises as it always
  did; NaN and Infinity, which orjson writes as null, are noticed (any "null" in orjson's output sends the
  value to json, which refuses them). Number spelling may differ ("1e16" / "1e+16") but never the value, and
  the engine writes every number back in its own one spelling.
- reading: orjson reads an integer beyond 64 bits as a float, so text with a run of 19 or more digits is read
  by json, which keeps such integers exact.

Set AGSTATE_JSON=json in the environment to use json only.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any, Callable, Union

from .errors import InvalidArgument, InvalidJSON

JSONText = Union[str, bytes, bytearray, memoryview]


# Made once: json.dumps with arguments builds a new encoder on every call.
_json_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_json_encode_event = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json_dumps(value: Any) -> bytes:
    try:
        return _json_encode(value).encode("utf-8", "surrogatepass")
    except ValueError as error:  # NaN / Infinity / circular reference
        raise InvalidJSON(f"cannot be written as JSON: {error}") from None
    except TypeError as error:
        raise InvalidArgument(f"cannot be written as JSON: {error}") from None


_json_loads = json.loads

try:
    import orjson as _orjson
except ImportError:  # optional
    _orjson = None


if _orjson is not None:
    _orjson_encode = _orjson.dumps
    _orjson_decode = _orjson.loads
    # Values orjson would write differently from json make it raise (no `default` is given), then go to json.
    _OPTIONS = _orjson.OPT_PASSTHROUGH_SUBCLASS | _orjson.OPT_PASSTHROUGH_DATACLASS | _orjson.OPT_PASSTHROUGH_DATETIME
    _long_integer = re.compile(rb"[0-9]{19}").search
    _long_integer_text = re.compile(r"[0-9]{19}").search

    def _orjson_dumps(value: Any) -> bytes:
        try:
            text = _orjson_encode(value, option=_OPTIONS)
        except TypeError:
            return _json_dumps(value)
        if text.find(b"null") >= 0:  # None, or NaN / Infinity, which json refuses
            return _json_dumps(value)
        return text

    def _orjson_loads(text: Any) -> Any:
        if len(text) >= 19 and (_long_integer(text) if type(text) is bytes else _long_integer_text(text)):
            return _json_loads(text)
        return _orjson_decode(text)


def _json_dumps_event(value: Any) -> bytes:
    # As json.dumps writes it by default: NaN stays NaN, for the validator to report as a finding.
    return _json_encode_event(value).encode()


if _orjson is not None:
    def _orjson_dumps_event(value: Any) -> bytes:
        try:
            text = _orjson_encode(value, option=_OPTIONS)
        except TypeError:
            return _json_dumps_event(value)
        if text.find(b"null") >= 0:
            return _json_dumps_event(value)
        return text


def use_orjson(enabled: bool) -> bool:
    """Chooses the JSON writer and reader: orjson (when installed and ``enabled``) or the standard library's
    json. Returns whether orjson is in use."""
    global dumps, dumps_event, loads
    if enabled and _orjson is not None:
        dumps, dumps_event, loads = _orjson_dumps, _orjson_dumps_event, _orjson_loads
        return True
    dumps, dumps_event, loads = _json_dumps, _json_dumps_event, _json_loads
    return False


# dumps: Python value -> UTF-8 JSON text; NaN and Infinity are refused (InvalidJSON), not written, and a value
# of no JSON type is InvalidArgument. dumps_event: the same for an AG-UI event, NaN written as NaN for the
# validator to report. loads: JSON text written by the engine -> Python value.
dumps: Callable[[Any], bytes] = _json_dumps
dumps_event: Callable[[Any], bytes] = _json_dumps_event
loads: Callable[[Any], Any] = _json_loads
use_orjson(os.environ.get("AGSTATE_JSON", "") != "json")


def text_bytes(text: JSONText) -> bytes:
    """JSON text given as str or bytes -> the bytes to pass (str is encoded as UTF-8)."""
    if isinstance(text, bytes):
        return text
    if isinstance(text, (bytearray, memoryview)):
        return bytes(text)
    if not isinstance(text, str):
        raise InvalidArgument(f"JSON text must be str or bytes, not {type(text).__name__}")
    # surrogatepass keeps lone surrogates as bytes the engine then rejects as invalid UTF-8.
    return text.encode("utf-8", "surrogatepass")


def document_bytes(value: Any) -> bytes:
    """A document given as JSON text (str/bytes) or as a Python value."""
    kind = type(value)
    if kind is str:
        return value.encode("utf-8", "surrogatepass")
    if kind is bytes:
        return value
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return text_bytes(value)
    return dumps(value)


def pointer_bytes(pointer: Any) -> bytes:
    if isinstance(pointer, bytes):
        return pointer
    if not isinstance(pointer, str):
        raise InvalidArgument(f"a JSON Pointer must be a str, not {type(pointer).__name__}")
    return pointer.encode("utf-8", "surrogatepass")


def like(result: bytes, template: Any) -> Any:
    """Returns engine output in the kind of `template`: bytes, str, or a Python value."""
    if isinstance(template, (bytes, bytearray, memoryview)):
        return result
    if isinstance(template, str):
        return result.decode("utf-8")
    return loads(result)
