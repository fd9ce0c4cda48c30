package agstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestMakePatchConformance(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(conformanceDir(), "jsonp-test-suite", "json-patch-diff.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Description    string
		Source, Target json.RawMessage
	}
	json.Unmarshal(data, &cases)
	for _, c := range cases {
		for _, opts := range []DiffOptions{{}, {FewestBytes: true}, {TestGuards: true}, {Verify: true}} {
			patch, err := MakePatch(c.Source, c.Target, opts)
			if err != nil {
				t.Fatalf("%s: %v", c.Description, err)
			}
			got, err := ApplyPatch(c.Source, patch)
			if err != nil {
				t.Fatalf("%s: %v", c.Description, err)
			}
			mustEqual(t, got, string(c.Target))
		}
	}
	if len(cases) != 30 {
		t.Fatal(len(cases))
	}
}

func TestMergeDiffCompactAndStoreDiff(t *testing.T) {
	mp, err := MakeMergePatch([]byte(`{"a":1,"b":{"c":2}}`), []byte(`{"b":{"c":3}}`))
	if err != nil || string(mp) != `{"a":null,"b":{"c":3}}` {
		t.Fatalf("%s %v", mp, err)
	}
	if _, err := MakeMergePatch([]byte(`{"a":1}`), []byte(`{"a":null}`)); !errors.Is(err, ErrInvalidArgument) {
		t.Fatal(err)
	}
	c, _ := Compact([]byte(`[[{"op":"replace","path":"/a","value":1}],[{"op":"replace","path":"/a","value":2}]]`))
	if string(c) != `[{"op":"replace","path":"/a","value":2}]` {
		t.Fatalf("%s", c)
	}
	s, _ := NewStore([]byte(`{"n":0}`))
	defer s.Close()
	for i := 1; i <= 5; i++ {
		s.Set("/n", []byte(fmt.Sprint(i)))
	}
	d, _ := s.Diff(2, 5)
	if string(d) != `[{"op":"replace","path":"/n","value":5}]` {
		t.Fatalf("%s", d)
	}
	snap, _ := s.Snapshot()
	defer snap.Close()
	s.Set("/n", []byte("6"))
	if d, err := s.DiffSnapshot(snap); err != nil || string(d) != `[{"op":"replace","path":"/n","value":6}]` {
		t.Fatalf("%s %v", d, err)
	}
}

func TestBatcher(t *testing.T) {
	s, _ := NewStore([]byte(`{"s":"","n":0}`))
	defer s.Close()
	var events []string
	b, err := NewBatcher(s, func(event []byte, from, to uint64) error {
		events = append(events, fmt.Sprintf("%d-%d %s", from, to, event))
		return nil
	}, BatcherOptions{MaxOperations: 3, WindowMillis: 100})
	if err != nil {
		t.Fatal(err)
	}
	b.Poll(1000)
	for _, v := range []string{`"a"`, `"b"`, `"c"`} {
		s.Set("/s", []byte(v))
	}
	if len(events) != 1 || events[0] != `0-3 {"type":"STATE_DELTA","delta":[{"op":"replace","path":"/s","value":"c"}]}` {
		t.Fatal(events)
	}
	s.Set("/n", []byte("1"))
	b.Poll(1100)
	s.PatchWith([]byte(`[{"op":"replace","path":"/n","value":2}]`), PatchOptions{Urgent: true})
	if len(events) != 3 {
		t.Fatal(events)
	}
	s.Set("/n", []byte("3"))
	b.Close(true)
	if len(events) != 4 {
		t.Fatal(events)
	}
	if err := b.Flush(); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

func TestBatcherStalledConsumerWithTimer(t *testing.T) {
	s, _ := NewStore([]byte(`{"log":[]}`))
	defer s.Close()
	gate := make(chan struct{})
	var mu sync.Mutex
	var deltas [][]byte
	b, _ := NewBatcher(s, func(event []byte, from, to uint64) error {
		<-gate
		var ev struct{ Delta json.RawMessage }
		json.Unmarshal(event, &ev)
		mu.Lock()
		deltas = append(deltas, ev.Delta)
		mu.Unlock()
		return nil
	}, BatcherOptions{MaxOperations: 10, WindowMillis: 1000, Timer: true, TickMillis: 5})
	for i := 0; i < 10; i++ {
		s.Add("/log/-", []byte(fmt.Sprint(i)))
	}
	for st, _ := b.Stats(); st.Batches < 1; st, _ = b.Stats() {
		time.Sleep(time.Millisecond)
	}
	for i := 10; i < 1000; i++ {
		s.Add("/log/-", []byte(fmt.Sprint(i)))
	}
	st, _ := b.Stats()
	if st.Coalesced == 0 || st.Resynced == 0 {
		t.Fatalf("%+v", st)
	}
	close(gate)
	b.Close(true)
	state := []byte(`{"log":[]}`)
	for _, d := range deltas {
		var err error
		if state, err = ApplyPatch(state, d); err != nil {
			t.Fatal(err)
		}
	}
	final, _ := s.Export(0)
	mustEqual(t, state, string(final))
}
