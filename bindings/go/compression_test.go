package agstate

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"testing"
)

var codecs = []Codec{Gzip, Zlib, Deflate, Zstd}

func sampleJSON(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"id":%d,"name":"item %d","tags":["a","b"]},`, i, i)
	}
	return b.Bytes()[:n]
}

func TestCompressionRoundTrips(t *testing.T) {
	noise := make([]byte, 30000)
	rand.New(rand.NewSource(3)).Read(noise)
	inputs := map[string][]byte{"empty": {}, "tiny": []byte("x"), "json": sampleJSON(60000), "noise": noise, "large": sampleJSON(20 << 20)}
	for _, codec := range codecs {
		levels := []int{1, 5, 9}
		if codec == Zstd {
			levels = []int{-5, 1, 3, 9}
		}
		for _, level := range levels {
			for name, data := range inputs {
				packed, err := Compress(data, codec, level)
				if err != nil {
					t.Fatal(err)
				}
				back, err := Decompress(packed, codec, len(data))
				if err != nil || !bytes.Equal(back, data) {
					t.Fatalf("%v level %d %s: %v", codec, level, name, err)
				}
			}
		}
	}
}

// Go's own decoders read ours, and we read theirs.
func TestGoLibrariesInteroperate(t *testing.T) {
	data := sampleJSON(100000)
	gz, _ := Compress(data, Gzip, 6)
	r, _ := gzip.NewReader(bytes.NewReader(gz))
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, data) {
		t.Fatal(err)
	}
	zl, _ := Compress(data, Zlib, 6)
	zr, _ := zlib.NewReader(bytes.NewReader(zl))
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, data) {
		t.Fatal(err)
	}
	df, _ := Compress(data, Deflate, 6)
	if got, err := io.ReadAll(flate.NewReader(bytes.NewReader(df))); err != nil || !bytes.Equal(got, data) {
		t.Fatal(err)
	}
	var theirs bytes.Buffer
	w := gzip.NewWriter(&theirs)
	w.Write(data)
	w.Close()
	if got, err := Decompress(theirs.Bytes(), Gzip, len(data)); err != nil || !bytes.Equal(got, data) {
		t.Fatal(err)
	}
}

func TestHostileCompressedInput(t *testing.T) {
	for _, codec := range codecs {
		bomb, _ := Compress(make([]byte, 32<<20), codec, 9)
		if _, err := Decompress(bomb, codec, 1<<20); !errors.Is(err, ErrLimitExceeded) {
			t.Fatalf("%v bomb: %v", codec, err)
		}
		packed, _ := Compress(sampleJSON(2000), codec, 0)
		for cut := 0; cut < len(packed); cut++ {
			if _, err := Decompress(packed[:cut], codec, 1<<20); !errors.Is(err, ErrCorruptData) {
				t.Fatalf("%v cut at %d: %v", codec, cut, err)
			}
		}
	}
	gz, _ := Compress(sampleJSON(5000), Gzip, 0)
	if _, err := Decompress(gz, Zstd, 1<<20); !errors.Is(err, ErrCorruptData) {
		t.Fatal(err)
	}
	if _, err := Decompress(append(gz, 1, 2, 3), Gzip, 1<<20); !errors.Is(err, ErrCorruptData) {
		t.Fatal(err)
	}
	if _, err := Compress([]byte("x"), Gzip, 12); !errors.Is(err, ErrInvalidArgument) {
		t.Fatal(err)
	}
}

// Each flushed SSE event is decodable by a browser-like reader as soon as it arrives.
func TestGzipStreamForSSE(t *testing.T) {
	stream, err := NewGzipStream(6)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	decoder, _ := NewDecompressor(Gzip, 1<<20)
	defer decoder.Close()
	for i := 0; i < 50; i++ {
		frame, _ := EncodeSSE([]byte(fmt.Sprintf(`{"type":"TEXT_MESSAGE_CONTENT","messageId":"m","delta":"token %d"}`, i)))
		chunk, err := stream.Write(frame, true)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decoder.Write(chunk)
		if err != nil || !bytes.Equal(got, frame) {
			t.Fatalf("event %d: %q %v", i, got, err)
		}
	}
	tail, _ := stream.Finish()
	decoder.Write(tail)
	if err := decoder.Finish(); err != nil {
		t.Fatal(err)
	}
}

func TestEnvelopeAndStats(t *testing.T) {
	ResetCodecStats()
	data := sampleJSON(20000)
	for _, codec := range codecs {
		for _, asJSON := range []bool{false, true} {
			env, err := Pack(data, codec, 0, EnvelopeThreshold, asJSON)
			if err != nil {
				t.Fatal(err)
			}
			back, used, err := Unpack(env, len(data))
			if err != nil || used != codec || !bytes.Equal(back, data) {
				t.Fatalf("%v json=%v: %v %v", codec, asJSON, used, err)
			}
		}
	}
	small, _ := Pack([]byte("tiny"), Zstd, 0, EnvelopeThreshold, false)
	if _, used, _ := Unpack(small, 100); used != Identity {
		t.Fatal(used)
	}
	stats, err := CodecStats()
	if err != nil || stats["zstd"]["compress"].In == 0 || stats["gzip"]["decompress"].Out == 0 {
		t.Fatalf("%v %v", stats, err)
	}
}
