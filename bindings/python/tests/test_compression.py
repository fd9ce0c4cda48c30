"""Compression through Python: round trips, interoperation with gzip/zstd tools and Python's own modules,
hostile input, the SSE gzip stream, the envelope."""
import gzip
import random
import shutil
import subprocess
import zlib

import pytest

import agstate

CODECS = ["gzip", "zlib", "deflate", "zstd"]
JSON = b"".join(b'{"id":%d,"name":"item %d","tags":["a","b"],"done":%s},' % (i, i, b"true" if i % 2 else b"false")
                for i in range(2000))
NOISE = random.Random(5).randbytes(50_000)
INPUTS = {"empty": b"", "tiny": b"x", "json": JSON, "incompressible": NOISE}


@pytest.mark.parametrize("codec", CODECS)
def test_round_trip_every_level(codec):
    levels = list(range(1, 10)) if codec != "zstd" else [-100, -5, -1] + list(range(1, 23))
    for level in levels:
        for name, data in INPUTS.items():
            assert agstate.decompress(agstate.compress(data, codec, level), codec) == data, (level, name)


LARGE = JSON * 250  # about 28 MB of JSON-like text


@pytest.mark.parametrize("codec,levels", [("gzip", range(1, 10)), ("zlib", range(1, 10)), ("deflate", range(1, 10)),
                                          # zstd's levels above 12 take many seconds each on 28 MB; every
                                          # level runs on the smaller inputs above.
                                          ("zstd", [-1000, -5, 1, 3, 6, 9, 12])])
def test_tens_of_megabytes(codec, levels):
    for level in levels:
        packed = agstate.compress(LARGE, codec, level)
        assert len(packed) < len(LARGE) // 4, level
        assert agstate.decompress(packed, codec, max_size=len(LARGE)) == LARGE, level
        assert agstate.decompress(agstate.compress(NOISE * 40, codec, level), codec) == NOISE * 40


def test_pythons_modules_read_ours_and_we_read_theirs():
    for data in INPUTS.values():
        assert gzip.decompress(agstate.compress(data, "gzip")) == data
        assert zlib.decompress(agstate.compress(data, "zlib")) == data
        assert zlib.decompress(agstate.compress(data, "deflate"), -15) == data
        assert agstate.decompress(gzip.compress(data), "gzip") == data
        assert agstate.decompress(zlib.compress(data), "zlib") == data
        raw = zlib.compressobj(6, zlib.DEFLATED, -15)
        assert agstate.decompress(raw.compress(data) + raw.flush(), "deflate") == data


@pytest.mark.skipif(not shutil.which("gzip") or not shutil.which("zstd"), reason="the gzip and zstd tools are installed by scripts/setup.sh")
def test_system_tools_read_ours_and_we_read_theirs():
    for data in INPUTS.values():
        for codec, tool in (("gzip", "gzip"), ("zstd", "zstd")):
            ours = subprocess.run([tool, "-d", "-c"], input=agstate.compress(data, codec), capture_output=True, check=True).stdout
            assert ours == data
            theirs = subprocess.run([tool, "-c", "-q"], input=data, capture_output=True, check=True).stdout
            assert agstate.decompress(theirs, codec) == data


@pytest.mark.parametrize("codec", CODECS)
def test_bombs_are_stopped_at_the_limit(codec):
    bomb = agstate.compress(bytes(64 << 20), codec, 9 if codec != "zstd" else 19)
    assert len(bomb) < 80_000
    with pytest.raises(agstate.LimitExceeded):
        agstate.decompress(bomb, codec, max_size=1 << 20)
    with agstate.Decompressor(codec, max_size=1 << 20) as d:
        with pytest.raises(agstate.LimitExceeded):
            for i in range(0, len(bomb), 100):
                d.write(bomb[i:i + 100])


@pytest.mark.parametrize("codec", CODECS)
def test_truncated_at_every_offset(codec):
    packed = agstate.compress(JSON[:3000], codec)
    for cut in range(len(packed)):
        with pytest.raises(agstate.CorruptData):
            agstate.decompress(packed[:cut], codec)


def test_wrong_codec_trailing_data_and_damage():
    gz, zs = agstate.compress(JSON, "gzip"), agstate.compress(JSON, "zstd")
    with pytest.raises(agstate.CorruptData, match="looks like gzip"):
        agstate.decompress(gz, "zstd")
    with pytest.raises(agstate.CorruptData, match="looks like zstd"):
        agstate.decompress(zs, "gzip")
    with pytest.raises(agstate.CorruptData, match="trailing"):
        agstate.decompress(gz + b"junk!", "gzip")
    damaged = bytearray(gz)
    damaged[-6] ^= 1
    with pytest.raises(agstate.CorruptData, match="checksum"):
        agstate.decompress(bytes(damaged), "gzip")
    with pytest.raises(agstate.InvalidArgument):
        agstate.compress(b"x", "brotli")
    with pytest.raises(agstate.InvalidArgument):
        agstate.compress(b"x", "gzip", 10)


def test_sse_gzip_stream_delivers_each_event_at_once():
    """What a browser does: one zlib decoder fed the response as it arrives; after each flushed event it
    yields exactly that event."""
    stream = agstate.GzipStream()
    browser = zlib.decompressobj(16 + zlib.MAX_WBITS)
    received = b""
    for i in range(100):
        frame = agstate.encode_sse({"type": "TEXT_MESSAGE_CONTENT", "messageId": "m1", "delta": f"token {i} " * (i % 7 + 1)})
        chunk = stream.write_event(frame)
        assert browser.decompress(chunk) == frame.encode()
        received += chunk
    received += stream.finish()
    stream.close()
    assert gzip.decompress(received).count(b"data: ") == 100


@pytest.mark.parametrize("codec", CODECS)
def test_envelope(codec):
    data = JSON[:20_000]
    packed = agstate.pack(data, codec)
    assert packed[:4] == b"AGSE" and len(packed) < len(data) // 3
    assert agstate.unpack_with_codec(packed) == (data, codec)
    text = agstate.pack(data, codec, as_json=True)
    assert text.startswith('{"envelope":"agstate/1","codec":"%s","size":20000,"crc32":"' % codec)
    assert agstate.unpack(text) == data
    small = agstate.pack(b"short", codec)
    assert agstate.unpack_with_codec(small) == (b"short", "identity")
    assert agstate.unpack_with_codec(agstate.pack(NOISE, codec))[1] == "identity"  # no saving: stored
    with pytest.raises(agstate.LimitExceeded):
        agstate.unpack(packed, max_size=100)
    damaged = bytearray(packed)
    damaged[17] ^= 1  # the CRC-32
    with pytest.raises(agstate.CorruptData):
        agstate.unpack(bytes(damaged))


def test_statistics():
    agstate.reset_codec_stats()
    agstate.compress(JSON, "zstd")
    agstate.decompress(agstate.compress(JSON, "gzip"), "gzip")
    stats = agstate.codec_stats()
    assert stats["zstd"]["compress"]["in"] == len(JSON) and stats["zstd"]["compress"]["ratio"] > 5
    assert stats["gzip"]["decompress"]["out"] == len(JSON)
    assert stats["zlib"]["compress"]["in"] == 0
