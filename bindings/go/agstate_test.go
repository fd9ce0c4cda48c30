package agstate

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestVersionsMatch(t *testing.T) {
	if LibVersion() != HeaderVersion {
		t.Fatalf("library %s, header %s", LibVersion(), HeaderVersion)
	}
}

func TestStatelessFunctions(t *testing.T) {
	out, err := MergePatch([]byte(`{"a":1,"b":2}`), []byte(`{"a":null,"c":{"d":3}}`))
	if err != nil || string(out) != `{"b":2,"c":{"d":3}}` {
		t.Fatalf("%s %v", out, err)
	}
	out, err = ResolvePointer([]byte(`{"a/b":[0,{"~":7}]}`), "/a~1b/1/~0")
	if err != nil || string(out) != "7" {
		t.Fatalf("%s %v", out, err)
	}
	if _, err = ResolvePointer([]byte(`{}`), "nope"); !errors.Is(err, ErrInvalidPointer) {
		t.Fatalf("%v", err)
	}
	out, err = FormatJSON([]byte(`{"b":[1.0, 2e0],"a":1}`), SortKeys)
	if err != nil || string(out) != `{"a":1,"b":[1.0,2.0]}` {
		t.Fatalf("%s %v", out, err)
	}
	if _, err = FormatJSON([]byte(`{"a":1,"a":2}`), 0); !errors.Is(err, ErrInvalidJSON) {
		t.Fatalf("%v", err)
	}
	if out, err = FormatJSON([]byte(`{"a":1,"a":2}`), AllowDuplicates); err != nil || string(out) != `{"a":2}` {
		t.Fatalf("%s %v", out, err)
	}
	if err = ValidateJSON(nil); !errors.Is(err, ErrInvalidJSON) {
		t.Fatalf("%v", err)
	}
	if eq, err := Equal([]byte(`{"x":1,"y":[1]}`), []byte(`{"y":[1.0],"x":1}`)); err != nil || !eq {
		t.Fatalf("%v %v", eq, err)
	}
}

func TestPatchErrorDetails(t *testing.T) {
	_, err := ApplyPatch([]byte(`{"a":1}`), []byte(`[{"op":"test","path":"/a","value":1},{"op":"test","path":"/a","value":2}]`))
	var e *Error
	if !errors.Is(err, ErrTestFailed) || !errors.As(err, &e) {
		t.Fatalf("%v", err)
	}
	if e.OpIndex != 1 || !e.HasPointer || e.Pointer != "/a" || !strings.Contains(e.Error(), "AGS_ERR_TEST_FAILED") {
		t.Fatalf("%+v", e)
	}
}

func TestStore(t *testing.T) {
	s, err := NewStore([]byte(`{"todos":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	steps := []func() (uint64, error){
		func() (uint64, error) { return s.Add("/todos/-", []byte(`{"title":"plan","done":false}`)) },
		func() (uint64, error) { return s.Set("/todos/0/done", []byte(`true`)) },
		func() (uint64, error) { return s.Patch([]byte(`[{"op":"copy","from":"/todos/0","path":"/todos/-"}]`)) },
		func() (uint64, error) { return s.Merge([]byte(`{"owner":"ana"}`)) },
		func() (uint64, error) { return s.Remove("/todos/1") },
	}
	for i, step := range steps {
		if v, err := step(); err != nil || v != uint64(i+1) {
			t.Fatalf("step %d: version %d, %v", i, v, err)
		}
	}
	got, _ := s.Export(0)
	if string(got) != `{"todos":[{"title":"plan","done":true}],"owner":"ana"}` {
		t.Fatalf("%s", got)
	}
	// A failed patch changes nothing.
	_, err = s.Patch([]byte(`[{"op":"remove","path":"/owner"},{"op":"replace","path":"/missing","value":1}]`))
	if !errors.Is(err, ErrPathNotFound) {
		t.Fatalf("%v", err)
	}
	if v, _ := s.Version(); v != 5 {
		t.Fatalf("version %d", v)
	}
	if after, _ := s.Export(0); string(after) != string(got) {
		t.Fatalf("state changed: %s", after)
	}
	if _, err := s.Get("/nope"); !errors.Is(err, ErrPathNotFound) {
		t.Fatalf("%v", err)
	}
	if _, err := s.Set("/a", []byte("[1,")); !errors.Is(err, ErrInvalidJSON) {
		t.Fatalf("%v", err)
	}
}

// Member names compare byte for byte, as Go's maps compare keys: "\u00e9" and "e\u0301" are two names.
func TestMemberNamesCompareByteForByte(t *testing.T) {
	s, err := NewStore([]byte(`{"\u00e9":1,"e\u0301":2,"K":3,"\u212a":4}`))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for pointer, want := range map[string]string{"/\u00e9": "1", "/e\u0301": "2", "/K": "3", "/\u212a": "4"} {
		if got, err := s.Get(pointer); err != nil || string(got) != want {
			t.Fatalf("%q: %s, %v", pointer, got, err)
		}
	}
	// String values too, as RFC 6902 test compares them.
	if same, err := Equal([]byte(`"\u00e9"`), []byte(`"e\u0301"`)); err != nil || same {
		t.Fatalf("composed and decomposed strings compared equal (%v)", err)
	}
}

func TestClosedStore(t *testing.T) {
	s, err := NewStore(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
	if _, err := s.Version(); !errors.Is(err, ErrClosed) {
		t.Fatalf("%v", err)
	}
	if _, err := s.Patch([]byte(`[]`)); !errors.Is(err, ErrClosed) {
		t.Fatalf("%v", err)
	}
	if _, err := NewStore([]byte{}); !errors.Is(err, ErrInvalidJSON) {
		t.Fatalf("%v", err)
	}
}

func TestStoreLimits(t *testing.T) {
	s, _ := NewStore([]byte(`{"a":{}}`))
	defer s.Close()
	if old, err := s.SetLimit(LimitDepth, 3); err != nil || old != 512 {
		t.Fatalf("%d %v", old, err)
	}
	if _, err := s.Set("/a/b", []byte(`[[1]]`)); !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("%v", err)
	}
	if _, err := s.SetLimit(LimitDepth, 0); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("%v", err)
	}
}

func TestGoroutinesLoseNothing(t *testing.T) {
	s, _ := NewStore([]byte(`{"log":[]}`))
	defer s.Close()
	const writers, writes = 8, 250
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < writes; i++ {
				if _, err := s.Add("/log/-", []byte(fmt.Sprint(w*1000+i))); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Get("/log/0"); err != nil {
					t.Error(err)
					return
				}
				// A failing call on a shared goroutine pool still reports its own error.
				if _, err := s.Get("/missing"); !errors.Is(err, ErrPathNotFound) {
					t.Errorf("wrong error %v", err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	if v, _ := s.Version(); v != writers*writes {
		t.Fatalf("version %d", v)
	}
	last, err := s.Get(fmt.Sprintf("/log/%d", writers*writes-1))
	if err != nil || len(last) == 0 {
		t.Fatalf("%v", err)
	}
}
