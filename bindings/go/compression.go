package agstate

/*
#include "agstate.h"
*/
import "C"

import (
	"encoding/json"
	"math"
	"runtime"
	"sync"
)

// Codec is a compression format.
type Codec int

const (
	Identity Codec = C.AGS_CODEC_IDENTITY
	Gzip     Codec = C.AGS_CODEC_GZIP
	Zlib     Codec = C.AGS_CODEC_ZLIB
	Deflate  Codec = C.AGS_CODEC_DEFLATE
	Zstd     Codec = C.AGS_CODEC_ZSTD
)

// ErrCorruptData: compressed data is truncated, damaged, followed by trailing bytes, or of another codec.
const ErrCorruptData Status = C.AGS_ERR_CORRUPT_DATA

// EnvelopeThreshold is the usual size below which Pack stores data as it is.
const EnvelopeThreshold = C.AGS_ENVELOPE_THRESHOLD

// DefaultMaxDecompressedSize is the header's bound for callers that have no better one: 256 MiB.
const DefaultMaxDecompressedSize = C.AGS_DEFAULT_MAX_DECOMPRESSED_SIZE

// Unbounded, given as a maxSize, asks for no bound (the header's AGS_UNBOUNDED): only for trusted data.
const Unbounded = math.MaxInt

// sizeBound converts a maxSize: Unbounded to AGS_UNBOUNDED, a negative size to an error.
func sizeBound(maxSize int) (C.size_t, error) {
	if maxSize == Unbounded {
		return C.AGS_UNBOUNDED, nil
	}
	if maxSize < 0 {
		return 0, &Error{Code: ErrInvalidArgument, Message: "the maximum size must not be negative", OpIndex: -1, Offset: -1}
	}
	return C.size_t(maxSize), nil
}

func (c Codec) String() string {
	return map[Codec]string{Identity: "identity", Gzip: "gzip", Zlib: "zlib", Deflate: "deflate", Zstd: "zstd"}[c]
}

func output(f func(out **C.char, n *C.size_t) C.ags_status) ([]byte, error) {
	var out *C.char
	var n C.size_t
	if err := call(func() C.ags_status { return f(&out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

// codecAndLevel converts a codec and a level to the C ints the library takes (an error when one does not fit).
func codecAndLevel(codec Codec, level int) (C.int, C.int, error) {
	c, err := cInt(int(codec), "the codec")
	if err != nil {
		return 0, 0, err
	}
	l, err := cInt(level, "the level")
	return c, l, err
}

// Compress compresses data with codec at level (0 for the default: 6, or 3 for zstd).
func Compress(data []byte, codec Codec, level int) ([]byte, error) {
	c, l, err := codecAndLevel(codec, level)
	if err != nil {
		return nil, err
	}
	p, n := text(data)
	return output(func(out **C.char, on *C.size_t) C.ags_status {
		return C.ags_compress(c, l, p, n, out, on)
	})
}

// Decompress decompresses data, producing at most maxSize bytes (ErrLimitExceeded beyond). Truncated or
// damaged data, trailing bytes and data of another codec fail with ErrCorruptData.
func Decompress(data []byte, codec Codec, maxSize int) ([]byte, error) {
	bound, err := sizeBound(maxSize)
	if err != nil {
		return nil, err
	}
	c, err := cInt(int(codec), "the codec")
	if err != nil {
		return nil, err
	}
	p, n := text(data)
	return output(func(out **C.char, on *C.size_t) C.ags_status {
		return C.ags_decompress(c, p, n, bound, out, on)
	})
}

// Pack puts data in a self-describing envelope: compressed when it is at least threshold bytes and
// compression makes it smaller, stored otherwise. asJSON chooses the JSON form.
func Pack(data []byte, codec Codec, level int, threshold int, asJSON bool) ([]byte, error) {
	if threshold < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "the threshold must not be negative", OpIndex: -1, Offset: -1}
	}
	c, l, err := codecAndLevel(codec, level)
	if err != nil {
		return nil, err
	}
	p, n := text(data)
	var options C.ags_pack_options
	C.ags_pack_options_init(&options, C.AGS_PACK_OPTIONS_VERSION)
	options.codec, options.level, options.threshold = c, l, C.size_t(threshold)
	if asJSON {
		options.flags = C.AGS_ENVELOPE_JSON
	}
	return output(func(out **C.char, on *C.size_t) C.ags_status { return C.ags_pack(p, n, &options, out, on) })
}

// Unpack returns the original bytes of an envelope (either form) and the codec it used, checking its size
// and checksum and producing at most maxSize bytes.
func Unpack(envelope []byte, maxSize int) ([]byte, Codec, error) {
	bound, err := sizeBound(maxSize)
	if err != nil {
		return nil, Identity, err
	}
	p, n := text(envelope)
	var codec C.int
	data, err := output(func(out **C.char, on *C.size_t) C.ags_status {
		return C.ags_unpack(p, n, bound, &codec, out, on)
	})
	return data, Codec(codec), err
}

// CodecCounters are the bytes in and out of one direction of one codec, and their ratio.
type CodecCounters struct {
	In    int64   `json:"in"`
	Out   int64   `json:"out"`
	Ratio float64 `json:"ratio"`
}

// CodecStats returns the bytes in and out per codec name ("gzip", ...) and direction ("compress",
// "decompress") since the process started or ResetCodecStats.
func CodecStats() (map[string]map[string]CodecCounters, error) {
	data, err := output(func(out **C.char, on *C.size_t) C.ags_status { return C.ags_codec_stats(out, on) })
	if err != nil {
		return nil, err
	}
	var stats map[string]map[string]CodecCounters
	return stats, json.Unmarshal(data, &stats)
}

// ResetCodecStats sets every codec counter back to 0.
func ResetCodecStats() { C.ags_codec_stats_reset() }

// Compressor compresses data given in pieces.
type Compressor struct {
	mu     sync.Mutex
	handle *C.ags_compressor
}

// NewCompressor opens a compression stream.
func NewCompressor(codec Codec, level int) (*Compressor, error) {
	cc, cl, err := codecAndLevel(codec, level)
	if err != nil {
		return nil, err
	}
	var h *C.ags_compressor
	if err := call(func() C.ags_status { return C.ags_compressor_open(cc, cl, &h) }); err != nil {
		return nil, err
	}
	c := &Compressor{handle: h}
	runtime.SetFinalizer(c, (*Compressor).Close)
	return c, nil
}

func closedStream() error {
	return &Error{Code: ErrClosed, Message: "the stream is closed", OpIndex: -1, Offset: -1}
}

// Write compresses data and returns the output that is ready; with flush, everything so far becomes
// decodable by the receiver now (how an SSE response delivers each event at once).
func (c *Compressor) Write(data []byte, flush bool) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle == nil {
		return nil, closedStream()
	}
	p, n := text(data)
	var flags C.ags_compress_flags
	if flush {
		flags = C.AGS_FLUSH
	}
	return output(func(out **C.char, on *C.size_t) C.ags_status {
		return C.ags_compressor_write(c.handle, p, n, flags, out, on)
	})
}

// Finish ends the stream and returns the rest of the output.
func (c *Compressor) Finish() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle == nil {
		return nil, closedStream()
	}
	return output(func(out **C.char, on *C.size_t) C.ags_status { return C.ags_compressor_finish(c.handle, out, on) })
}

// Close releases the stream. Closing twice is harmless.
func (c *Compressor) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle != nil {
		C.ags_compressor_close(c.handle)
		c.handle = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

// NewGzipStream opens a gzip stream for a text/event-stream body: write each SSE frame with
// Write(frame, true) and send the result at once; Finish gives the trailer that ends the response.
func NewGzipStream(level int) (*Compressor, error) { return NewCompressor(Gzip, level) }

// Decompressor decompresses data given in pieces, producing at most maxSize bytes in all.
type Decompressor struct {
	mu     sync.Mutex
	handle *C.ags_decompressor
}

// NewDecompressor opens a decompression stream.
func NewDecompressor(codec Codec, maxSize int) (*Decompressor, error) {
	bound, err := sizeBound(maxSize)
	if err != nil {
		return nil, err
	}
	c, err := cInt(int(codec), "the codec")
	if err != nil {
		return nil, err
	}
	var h *C.ags_decompressor
	if err := call(func() C.ags_status { return C.ags_decompressor_open(c, bound, &h) }); err != nil {
		return nil, err
	}
	d := &Decompressor{handle: h}
	runtime.SetFinalizer(d, (*Decompressor).Close)
	return d, nil
}

// Write decompresses data and returns the output it completes.
func (d *Decompressor) Write(data []byte) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.handle == nil {
		return nil, closedStream()
	}
	p, n := text(data)
	return output(func(out **C.char, on *C.size_t) C.ags_status {
		return C.ags_decompressor_write(d.handle, p, n, out, on)
	})
}

// Finish fails with ErrCorruptData when the stream was cut short.
func (d *Decompressor) Finish() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.handle == nil {
		return closedStream()
	}
	return call(func() C.ags_status { return C.ags_decompressor_finish(d.handle) })
}

// Close releases the stream. Closing twice is harmless.
func (d *Decompressor) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.handle != nil {
		C.ags_decompressor_close(d.handle)
		d.handle = nil
		runtime.SetFinalizer(d, nil)
	}
	return nil
}
