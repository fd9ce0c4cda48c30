"""Python values to and from the JSON text that crosses the C boundary."""
from __future__ import annotations

import json
from typing import Any, Union

from .errors import InvalidArgument, InvalidJSON

JSONText = Union[str, bytes, bytearray, memoryview]


def model_value(value: Any) -> Any:
    """``json.dumps``'s ``default``: a pydantic v2 model (anything with ``model_dump``, such as the official
    AG-UI SDK's events and messages) becomes the value it has on the wire: member names by alias
    (camelCase), JSON types, and no member whose value is None."""
    dump = getattr(value, "model_dump", None)
    if dump is None or isinstance(value, type):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return dump(by_alias=True, mode="json", exclude_none=True)


def dumps(value: Any) -> bytes:
    """Python value -> UTF-8 JSON text. NaN and Infinity are not JSON; they are refused, not written.
    Pydantic models, at any depth, are written as ``model_value`` says."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=model_value).encode(
            "utf-8", "surrogatepass")
    except ValueError as error:  # NaN / Infinity / circular reference
        raise InvalidJSON(f"cannot be written as JSON: {error}") from None
    except TypeError as error:
        raise InvalidArgument(f"cannot be written as JSON: {error}") from None


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
    return json.loads(result)
