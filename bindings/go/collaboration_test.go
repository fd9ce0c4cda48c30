package agstate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const collabBase = `{"title":"T","items":["a","b","c"]}`

func race(t *testing.T, a, b string, opts PatchOptions) (*Store, error) {
	t.Helper()
	s, err := NewStore([]byte(collabBase))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PatchWith([]byte(a), PatchOptions{Author: "A"}); err != nil {
		t.Fatal(err)
	}
	base := uint64(0)
	opts.BaseVersion = &base
	opts.Author = "B"
	_, err = s.PatchWith([]byte(b), opts)
	return s, err
}

const (
	sameLeafA = `[{"op":"replace","path":"/title","value":"A"}]`
	sameLeafB = `[{"op":"replace","path":"/title","value":"B"}]`
	insertA   = `[{"op":"add","path":"/items/1","value":"A"}]`
	insertB   = `[{"op":"add","path":"/items/1","value":"B"}]`
	removeA   = `[{"op":"remove","path":"/items/1"}]`
	editB     = `[{"op":"replace","path":"/items/1","value":"B"}]`
)

func expectValue(t *testing.T, s *Store, ptr, want string) {
	t.Helper()
	got, err := s.Get(ptr)
	if err != nil || string(got) != want {
		t.Fatalf("%s: got %s (%v), want %s", ptr, got, err, want)
	}
}

func TestCollaborationStrategies(t *testing.T) {
	cases := []struct {
		a, b     string
		strategy Strategy
		ptr      string
		want     string // "" means ErrConflict
	}{
		{sameLeafA, sameLeafB, StrategyReject, "", ""},
		{insertA, insertB, StrategyRebase, "/items", `["a","A","B","b","c"]`},
		{removeA, editB, StrategyRebase, "", ""},
		{removeA, editB, StrategyLastWriteWins, "/items", `["a","B","c"]`},
		{sameLeafA, sameLeafB, StrategyFirstWriteWins, "/title", `"A"`},
		{sameLeafA, sameLeafB, StrategyMerge, "", ""},
		{insertA, insertB, StrategyMerge, "/items", `["a","A","B","b","c"]`},
	}
	for i, c := range cases {
		s, err := race(t, c.a, c.b, PatchOptions{Strategy: c.strategy})
		if c.want == "" {
			if !errors.Is(err, ErrConflict) {
				t.Errorf("case %d: want ErrConflict, got %v", i, err)
			}
		} else if err != nil {
			t.Errorf("case %d: %v", i, err)
		} else {
			expectValue(t, s, c.ptr, c.want)
		}
		s.Close()
	}
}

func TestCollaborationCustomResolver(t *testing.T) {
	var seen []Conflict
	s, err := race(t, sameLeafA, sameLeafB, PatchOptions{Strategy: StrategyCustom, Resolver: func(c Conflict) Resolution {
		seen = append(seen, c)
		return Resolution{Value: []byte(`"AB"`)}
	}})
	if err != nil {
		t.Fatal(err)
	}
	expectValue(t, s, "/title", `"AB"`)
	if len(seen) != 1 || seen[0].Path != "/title" || string(seen[0].Base) != `"T"` || string(seen[0].Current) != `"A"` || string(seen[0].Proposed) != `"B"` {
		t.Fatalf("resolver saw %+v", seen)
	}
	s.Close()
	s, err = race(t, removeA, editB, PatchOptions{Strategy: StrategyCustom, Resolver: func(c Conflict) Resolution {
		if c.Current == nil {
			return Resolution{Refuse: true}
		}
		return Resolution{Value: c.Current}
	}})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("want a refusal, got %v", err)
	}
	s.Close()
	s, err = race(t, sameLeafA, sameLeafB, PatchOptions{Strategy: StrategyCustom, Resolver: func(c Conflict) Resolution { panic("no") }})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("a panicking resolver refuses, got %v", err)
	}
	s.Close()
}

func TestCollaborationAuthorsLogAndDefault(t *testing.T) {
	s, _ := NewStore([]byte(collabBase))
	defer s.Close()
	if st, err := s.Strategy(); err != nil || st != StrategyRebase {
		t.Fatalf("default strategy %v %v", st, err)
	}
	if err := s.SetStrategy(StrategyFirstWriteWins); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStrategy(Strategy(99)); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("unknown strategy: %v", err)
	}
	s.PatchWith([]byte(sameLeafA), PatchOptions{Author: "alice"})
	base := uint64(0)
	if _, err := s.PatchWith([]byte(sameLeafB), PatchOptions{BaseVersion: &base, Author: "bob"}); err != nil {
		t.Fatal(err)
	}
	expectValue(t, s, "/title", `"A"`)
	if a, _ := s.AuthorOf(2); a != "bob" {
		t.Fatalf("author of 2: %q", a)
	}
	h, _ := s.History(0)
	if !strings.Contains(string(h), `"author":"alice"`) {
		t.Fatalf("history %s", h)
	}
	log, _ := s.Conflicts(0)
	want := `[{"sequence":1,"author":"bob","base_version":0,"version":2,"strategy":"first-write-wins","outcome":"applied","conflicts":[{"path":"/title","outcome":"dropped"}]}]`
	if string(log) != want {
		t.Fatalf("conflicts %s", log)
	}
	s.SetLimit(LimitHistoryVersions, 1)
	s.Patch([]byte(sameLeafA))
	s.Patch([]byte(sameLeafA))
	if _, err := s.PatchWith([]byte(sameLeafB), PatchOptions{BaseVersion: &base}); !errors.Is(err, ErrNotInHistory) {
		t.Fatalf("want ErrNotInHistory, got %v", err)
	}
}

func TestCollaborationLocksAndPresence(t *testing.T) {
	s, _ := NewStore([]byte(`{"doc":{"body":1},"x":0}`))
	defer s.Close()
	var events []string
	w, err := s.WatchLocks(func(e []byte) { events = append(events, string(e)) })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Lock("/doc/body", "alice", 60000); err != nil {
		t.Fatal(err)
	}
	_, err = s.PatchWith([]byte(`[{"op":"replace","path":"/doc","value":2}]`), PatchOptions{Author: "bob"})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "alice") {
		t.Fatalf("want ErrLocked naming alice, got %v", err)
	}
	if _, err := s.PatchWith([]byte(`[{"op":"replace","path":"/doc/body","value":2}]`), PatchOptions{Author: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Lock("/doc", "bob", 100); !errors.Is(err, ErrLocked) {
		t.Fatalf("%v", err)
	}
	if err := s.RenewLock("/doc/body", "alice", 1000); err != nil {
		t.Fatal(err)
	}
	if err := s.Unlock("/doc/body", "alice"); err != nil {
		t.Fatal(err)
	}
	s.Lock("/x", "bob", 1)
	time.Sleep(10 * time.Millisecond)
	s.Expire()
	if l, _ := s.Locks(); string(l) != "[]" {
		t.Fatalf("locks %s", l)
	}
	w.Close()
	if len(events) != 5 || !strings.Contains(events[4], `"kind":"expired"`) {
		t.Fatalf("lock events %v", events)
	}

	var seen []string
	pw, _ := s.WatchPresence(func(e []byte) { seen = append(seen, string(e)) })
	defer pw.Close()
	s.SetPresence("alice", []byte(`{"cursor":1}`), 60000)
	s.SetPresence("bob", []byte(`{"cursor":2}`), 1)
	time.Sleep(10 * time.Millisecond)
	if p, _ := s.Presence(); string(p) != `{"alice":{"cursor":1}}` {
		t.Fatalf("presence %s", p)
	}
	if err := s.Leave("alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.Leave("alice"); !errors.Is(err, ErrPathNotFound) {
		t.Fatalf("%v", err)
	}
	if len(seen) != 4 {
		t.Fatalf("presence events %v", seen)
	}
}
