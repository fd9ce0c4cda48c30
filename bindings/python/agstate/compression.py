"""Compression: gzip, zlib, raw deflate and zstd, bounded decompression, streams and the envelope."""
from __future__ import annotations

from ctypes import byref, c_int, c_size_t, c_void_p
from typing import Any, Tuple, Union

from . import _constants as C
from . import _convert
from ._handles import NativeHandle
from ._native import ags_pack_options, check_int, lib, take_text
from .errors import InvalidArgument, check

Bytes = Union[bytes, bytearray, memoryview, str]
# The bound the bindings use when the caller gives none (256 MiB); AGS_UNBOUNDED (agstate.UNBOUNDED) lifts it.
DEFAULT_MAX_SIZE = C.AGS_DEFAULT_MAX_DECOMPRESSED_SIZE
UNBOUNDED = C.AGS_UNBOUNDED
CODECS = {"identity": C.AGS_CODEC_IDENTITY, "gzip": C.AGS_CODEC_GZIP, "zlib": C.AGS_CODEC_ZLIB,
          "deflate": C.AGS_CODEC_DEFLATE, "zstd": C.AGS_CODEC_ZSTD}
_CODEC_NAMES = {number: name for name, number in CODECS.items()}


def _codec(name: str) -> int:
    try:
        return CODECS[name]
    except (KeyError, TypeError):
        raise InvalidArgument(f"unknown codec {name!r} (gzip, zlib, deflate, zstd)") from None


def _bytes(data: Bytes) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if not isinstance(data, bytes):
        raise InvalidArgument(f"data must be bytes or str, not {type(data).__name__}")
    return data


def _out(call: Any, *args: Any) -> bytes:
    out, n = c_void_p(), c_size_t()
    check(call(*args, byref(out), byref(n)))
    return take_text(out, n)


def compress(data: Bytes, codec: str = "gzip", level: int = 0) -> bytes:
    """Compresses ``data`` (a str is encoded as UTF-8). ``codec``: gzip, zlib, deflate or zstd; ``level`` 1-9
    for the zlib formats, zstd's levels for zstd, 0 for the default (6, or 3 for zstd)."""
    b = _bytes(data)
    return _out(lib.ags_compress, _codec(codec), check_int(level, "int", "level"), b, len(b))


def decompress(data: Bytes, codec: str = "gzip", max_size: int = DEFAULT_MAX_SIZE) -> bytes:
    """Decompresses ``data``, producing at most ``max_size`` bytes (LimitExceeded beyond, with nothing
    allocated past the limit). Truncated or damaged data, trailing bytes and data of another codec raise
    CorruptData."""
    b = _bytes(data)
    return _out(lib.ags_decompress, _codec(codec), b, len(b), check_int(max_size, "size_t", "max_size"))


def pack(data: Bytes, codec: str = "gzip", level: int = 0, threshold: int = C.AGS_ENVELOPE_THRESHOLD, *,
         as_json: bool = False) -> Union[bytes, str]:
    """Packs ``data`` in a self-describing envelope (codec, original size, CRC-32, payload): compressed when it
    is at least ``threshold`` bytes and compression makes it smaller, stored otherwise. With ``as_json``, the
    JSON form (a str) for transports that carry text."""
    b = _bytes(data)
    options = ags_pack_options(*C.AGS_PACK_OPTIONS_INIT)
    options.codec = _codec(codec)
    options.level = check_int(level, "int", "level")
    options.threshold = check_int(threshold, "size_t", "threshold")
    options.flags = C.AGS_ENVELOPE_JSON if as_json else 0
    out = _out(lib.ags_pack, b, len(b), byref(options))
    return out.decode("ascii") if as_json else out


def unpack(envelope: Bytes, max_size: int = DEFAULT_MAX_SIZE) -> bytes:
    """The original bytes of an envelope in either form, checked against its size and checksum."""
    data, _ = unpack_with_codec(envelope, max_size)
    return data


def unpack_with_codec(envelope: Bytes, max_size: int = DEFAULT_MAX_SIZE) -> Tuple[bytes, str]:
    """Like ``unpack``, also naming the codec the envelope used ("identity" when stored)."""
    b = _bytes(envelope)
    codec = c_int()
    data = _out(lib.ags_unpack, b, len(b), check_int(max_size, "size_t", "max_size"), byref(codec))
    return data, _CODEC_NAMES[codec.value]


def codec_stats() -> dict:
    """Bytes in and out per codec since the process started (or ``reset_codec_stats()``), with ratios."""
    return _convert.loads(_out(lib.ags_codec_stats))


def reset_codec_stats() -> None:
    lib.ags_codec_stats_reset()


class Compressor(NativeHandle):
    """Compresses data given in pieces. ``write(data, flush=True)`` makes everything so far decodable now."""

    _release = staticmethod(lib.ags_compressor_close)

    def __init__(self, codec: str = "gzip", level: int = 0) -> None:
        handle = c_void_p()
        check(lib.ags_compressor_open(_codec(codec), check_int(level, "int", "level"), byref(handle)))
        super().__init__(handle.value)

    def write(self, data: Bytes, flush: bool = False) -> bytes:
        b = _bytes(data)
        return _out(lib.ags_compressor_write, self._h(), b, len(b), C.AGS_FLUSH if flush else 0)

    def finish(self) -> bytes:
        """Ends the stream: the rest of the output, trailer and checksum included."""
        return _out(lib.ags_compressor_finish, self._h())


class Decompressor(NativeHandle):
    """Decompresses data given in pieces, producing at most ``max_size`` bytes in all."""

    _release = staticmethod(lib.ags_decompressor_close)

    def __init__(self, codec: str = "gzip", max_size: int = DEFAULT_MAX_SIZE) -> None:
        handle = c_void_p()
        check(lib.ags_decompressor_open(_codec(codec), check_int(max_size, "size_t", "max_size"), byref(handle)))
        super().__init__(handle.value)

    def write(self, data: Bytes) -> bytes:
        b = _bytes(data)
        return _out(lib.ags_decompressor_write, self._h(), b, len(b))

    def finish(self) -> None:
        """Raises CorruptData when the stream was cut short."""
        check(lib.ags_decompressor_finish(self._h()))


class GzipStream(Compressor):
    """A gzip-compressed ``text/event-stream`` body: ``write_event(frame)`` returns bytes to send at once,
    flushed so that a browser (or ``curl --compressed``) decodes the event as soon as it arrives;
    ``finish()`` returns the gzip trailer that ends the response."""

    def __init__(self, level: int = 6) -> None:
        super().__init__("gzip", level)

    def write_event(self, frame: Bytes) -> bytes:
        """Compresses one SSE frame (``data: ...\\n\\n``) and flushes."""
        return self.write(frame, flush=True)
