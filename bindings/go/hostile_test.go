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

// invalid reports whether err is ErrInvalidArgument (an out-of-range integer, from the binding's own check
// or the engine's documented range).
func invalid(err error) bool { return errors.Is(err, ErrInvalidArgument) }

// A Go int past the C int a call takes is an error, never its low 32 bits (another limit, codec, level,
// durability or severity than the one named).
func TestIntsPastTheCInt(t *testing.T) {
	store, err := NewStore([]byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	depth, _ := store.SetLimit(LimitDepth, -1)
	for _, id := range []Limit{Limit(1 << 32), Limit(1<<32 + int(LimitMembers)), Limit(math.MinInt64), Limit(-1)} {
		if _, err := store.SetLimit(id, 5); !invalid(err) {
			t.Fatalf("store limit id %d: %v", id, err)
		}
		if _, err := SetDefaultLimit(id, 5); !invalid(err) {
			t.Fatalf("default limit id %d: %v", id, err)
		}
	}
	if now, _ := store.SetLimit(LimitDepth, -1); now != depth {
		t.Fatalf("the depth limit changed to %d", now)
	}
	for _, c := range []Codec{Codec(1<<32 + int(Gzip)), Codec(-1), Codec(math.MaxInt)} {
		if _, err := Compress([]byte("x"), c, 0); !invalid(err) {
			t.Fatalf("codec %d: %v", c, err)
		}
		if _, err := Decompress([]byte("x"), c, 10); !invalid(err) {
			t.Fatalf("codec %d: %v", c, err)
		}
		if _, err := NewCompressor(c, 0); !invalid(err) {
			t.Fatalf("codec %d: %v", c, err)
		}
		if _, err := NewDecompressor(c, 10); !invalid(err) {
			t.Fatalf("codec %d: %v", c, err)
		}
	}
	for _, level := range []int{1<<32 + 6, math.MinInt, 10} {
		if _, err := Compress([]byte("x"), Gzip, level); !invalid(err) {
			t.Fatalf("level %d: %v", level, err)
		}
		if _, err := Pack([]byte("x"), Gzip, level, 0, false); !invalid(err) {
			t.Fatalf("level %d: %v", level, err)
		}
	}
	if _, err := OpenStorage("sqlite:"+t.TempDir()+"/d.db", &StorageOptions{Durability: Durability(1<<32 + 1)}); !invalid(err) {
		t.Fatalf("durability 2^32+1: %v", err)
	}
	v, err := NewEventValidator("", false)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.SetSeverity("text.empty-delta", Severity(1<<32+int(SeverityError))); !invalid(err) {
		t.Fatalf("severity 2^32+3: %v", err)
	}
}

// A registry's options at and past their documented ranges.
func TestRegistryIntegerEdges(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	refused := []RegistryOptions{
		{Shards: -1}, {Shards: 4097}, {Shards: math.MaxInt}, {MaxClients: -1},
		{BudgetBytes: 1 << 63}, {BudgetBytes: math.MaxUint64 - 1},
		{CommitsPerSecond: -1}, {CommitsPerSecond: nan}, {CommitsPerSecond: inf}, {CommitBurst: -1},
		{BytesPerSecond: nan}, {BytesBurst: inf},
		{AlertErrorRate: -0.5}, {AlertErrorRate: 1.5}, {AlertErrorRate: nan},
		{AlertMemoryShare: -1}, {AlertMemoryShare: nan}, {AlertP95CommitMillis: -1}, {AlertP95CommitMillis: inf},
	}
	for _, o := range refused {
		if r, err := OpenRegistry(o); !invalid(err) {
			if r != nil {
				r.Close()
			}
			t.Fatalf("%+v: %v", o, err)
		}
	}
	r, err := OpenRegistry(RegistryOptions{Shards: 4096, MaxClients: math.MaxInt64, BudgetBytes: math.MaxUint64,
		TTLMillis: math.MaxUint64, CommitsPerSecond: math.SmallestNonzeroFloat64, AlertErrorRate: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := r.Get("a", []byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.PatchWith([]byte(`[{"op":"replace","path":"/n","value":1}]`), PatchOptions{ClientID: "c"}); err != nil {
		t.Fatal(err)
	}
	// The bucket refills at ~5e-324 commits a second: the wait is bounded, not an overflow.
	_, err = s.PatchWith([]byte(`[{"op":"replace","path":"/n","value":2}]`), PatchOptions{ClientID: "c"})
	var e *Error
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &e) || e.RetryAfter <= 0 {
		t.Fatalf("a second commit at a rate near 0: %v", err)
	}
	for _, id := range []Limit{Limit(1 << 32), Limit(-1), Limit(9)} {
		if _, err := r.SetLimit(id, 5); !invalid(err) {
			t.Fatalf("registry limit id %d: %v", id, err)
		}
	}
	if _, err := r.SetLimit(LimitMembers, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Sweep(); err != nil || n != 0 {
		t.Fatalf("sweep with a TTL of 2^64-1 ms: %d %v", n, err)
	}
}

// Collaboration calls' integers at and past their documented ranges.
func TestCollaborationIntegerEdges(t *testing.T) {
	store, err := NewStore([]byte(`{"a":{"b":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.SetWith("/a/b", []byte("2"), PatchOptions{Author: "alice"}); err != nil {
		t.Fatal(err)
	}
	for _, ttl := range []uint64{0, MaxTTLMillis + 1, math.MaxUint64, math.MaxUint64 - 1, 1 << 63} {
		if err := store.Lock("/a", "owner", ttl); !invalid(err) {
			t.Fatalf("lock ttl %d: %v", ttl, err)
		}
		if err := store.SetPresence("client", []byte("1"), ttl); !invalid(err) {
			t.Fatalf("presence ttl %d: %v", ttl, err)
		}
	}
	for _, s := range []Strategy{StrategyDefault, StrategyCustom + 1, math.MaxUint32, math.MaxUint32 - 1} {
		if err := store.SetStrategy(s); !invalid(err) {
			t.Fatalf("strategy %d: %v", s, err)
		}
	}
	patch := []byte(`[{"op":"replace","path":"/a/b","value":3}]`)
	zero := uint64(0)
	if _, err := store.PatchWith(patch, PatchOptions{BaseVersion: &zero, Strategy: StrategyCustom + 1}); !invalid(err) {
		t.Fatalf("commit strategy 7: %v", err)
	}
	for _, base := range []uint64{math.MaxUint64 - 1, 1 << 63, 2} {
		b := base
		if _, err := store.PatchWith(patch, PatchOptions{BaseVersion: &b}); !invalid(err) {
			t.Fatalf("base version %d: %v", base, err)
		}
	}
	for _, version := range []uint64{0, 2, math.MaxUint64, math.MaxUint64 - 1} {
		if _, err := store.AuthorOf(version); !invalid(err) {
			t.Fatalf("author of %d: %v", version, err)
		}
	}
	if log, err := store.Conflicts(math.MaxUint64); err != nil || string(log) != "[]" {
		t.Fatalf("conflicts after 2^64-1: %s %v", log, err)
	}
	if err := store.Lock("/a", "owner", MaxTTLMillis); err != nil {
		t.Fatal(err)
	}
	if err := store.SetPresence("client", []byte("1"), MaxTTLMillis); err != nil {
		t.Fatal(err)
	}
	if v, _ := store.Version(); v != 1 {
		t.Fatalf("version %d after refused calls", v)
	}
	if a, err := store.AuthorOf(1); err != nil || a != "alice" {
		t.Fatalf("author of 1: %q %v", a, err)
	}
}
