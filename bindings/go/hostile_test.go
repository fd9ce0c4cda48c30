package agstate

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"
)

// Objects past 2^16 members outside stores: every member found, equal to itself, a repeated name refused,
// sorted output equal, an add replacing the member named, a merge patch's null removing it.
func TestWideObjectsOutsideStores(t *testing.T) {
	const width = 70000
	var b bytes.Buffer
	b.WriteString("{")
	for i := 0; i < width; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	doc := append(b.Bytes(), '}')
	if err := ValidateJSON(doc); err != nil {
		t.Fatal(err)
	}
	repeated := append(append([]byte{}, doc[:len(doc)-1]...), []byte(`,"k65540":0}`)...)
	if err := ValidateJSON(repeated); !errors.Is(err, ErrInvalidJSON) {
		t.Fatalf("a repeated name past 2^16 members: %v", err)
	}
	if eq, err := Equal(doc, doc); err != nil || !eq {
		t.Fatalf("a wide object differs from itself: %v %v", eq, err)
	}
	for _, i := range []int{0, 65535, 65536, width - 1} {
		if v, err := ResolvePointer(doc, fmt.Sprintf("/k%d", i)); err != nil || string(v) != fmt.Sprint(i) {
			t.Fatalf("member %d: %s %v", i, v, err)
		}
	}
	sorted, err := FormatJSON(doc, SortKeys)
	if eq, err2 := Equal(sorted, doc); err != nil || err2 != nil || !eq {
		t.Fatalf("sorted keys: %v %v %v", eq, err, err2)
	}
	patched, err := ApplyPatch(doc, []byte(`[{"op":"add","path":"/k65536","value":"x"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ResolvePointer(patched, "/k65536"); err != nil || string(v) != `"x"` {
		t.Fatalf("add to an existing member: %s %v", v, err)
	}
	merged, err := MergePatch(doc, []byte(`{"k65537":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ResolvePointer(merged, "/k65537"); !errors.Is(err, ErrPathNotFound) {
		t.Fatalf("a merge patch's null left the member: %v", err)
	}
	if mp, err := MakeMergePatch(doc, patched); err != nil || string(mp) != `{"k65536":"x"}` {
		t.Fatalf("merge diff: %s %v", mp, err)
	}
}

// Decompression with no bound (math.MaxInt, Unbounded), one-shot and streaming, for every codec; an
// envelope whose size field claims 2^63-1 bytes is damaged.
func TestDecompressionWithNoBound(t *testing.T) {
	data := bytes.Repeat([]byte("state delta "), 1000)
	for _, codec := range []Codec{Gzip, Zlib, Deflate, Zstd} {
		packed, err := Compress(data, codec, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, max := range []int{math.MaxInt, Unbounded, math.MaxInt - 1} {
			out, err := Decompress(packed, codec, max)
			if err != nil || !bytes.Equal(out, data) {
				t.Fatalf("%v with max %d: %v", codec, max, err)
			}
		}
		d, err := NewDecompressor(codec, Unbounded)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := d.Write(packed); err != nil || !bytes.Equal(out, data) {
			t.Fatalf("%v streaming: %v", codec, err)
		}
		d.Close()
	}
	if _, err := Decompress([]byte("x"), Gzip, -1); err == nil {
		t.Fatal("a negative bound was accepted")
	}
	envelope, err := Pack(data, Gzip, 0, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		envelope[8+i] = byte(uint64(math.MaxInt64) >> (8 * i))
	}
	if _, _, err := Unpack(envelope, Unbounded); !errors.Is(err, ErrCorruptData) {
		t.Fatalf("an envelope claiming 2^63-1 bytes: %v", err)
	}
}
