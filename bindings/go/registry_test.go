package agstate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestRegistryEvictsAndReloadsExactly(t *testing.T) {
	r, err := OpenRegistry(RegistryOptions{MemoryStorage: true, BudgetBytes: 30000})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	type kept struct {
		state   string
		version uint64
	}
	expected := map[string]kept{}
	for i := 0; i < 200; i++ {
		id := fmt.Sprintf("t%d", i)
		s, err := r.Get(id, []byte(`{"n":0}`))
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < i%4; k++ {
			if _, err := s.Set("/n", []byte(fmt.Sprint(k+1))); err != nil {
				t.Fatal(err)
			}
		}
		state, _ := s.Export(0)
		v, _ := s.Version()
		expected[id] = kept{string(state), v}
		s.Close()
		if st, _ := r.Stats(); st.ResidentBytes > 30000 {
			t.Fatalf("resident %d over the budget", st.ResidentBytes)
		}
	}
	st, _ := r.Stats()
	if st.Evictions < 100 || st.Misses != 200 || st.EvictionsByCause["budget"] != st.Evictions {
		t.Fatalf("%+v", st)
	}
	for id, want := range expected {
		s, err := r.Get(id, nil)
		if err != nil {
			t.Fatal(err)
		}
		state, _ := s.Export(0)
		v, _ := s.Version()
		if string(state) != want.state || v != want.version {
			t.Fatalf("%s: %s v%d, want %s v%d", id, state, v, want.state, want.version)
		}
		s.Close()
	}
	if _, err := r.Get("nobody", nil); !errors.Is(err, ErrPathNotFound) {
		t.Fatal(err)
	}
}

func TestRegistryBudgetWithoutStorage(t *testing.T) {
	r, err := OpenRegistry(RegistryOptions{BudgetBytes: 2000})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var held []*Store
	var refused error
	for i := 0; i < 20 && refused == nil; i++ {
		var s *Store
		if s, refused = r.Get(fmt.Sprintf("s%d", i), []byte(`{"t":"0123456789012345678901234567890123456789"}`)); refused == nil {
			held = append(held, s)
		}
	}
	if !errors.Is(refused, ErrLimitExceeded) {
		t.Fatalf("not refused: %v", refused)
	}
	for _, s := range held {
		s.Close()
	}
}

// refused checks one refused change: the limit named, the location and operation, the state unchanged.
func refused(t *testing.T, s *Store, limit, pointer string, op int, change func() error) {
	t.Helper()
	before, _ := s.Export(0)
	version, _ := s.Version()
	err := change()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrLimitExceeded) || !strings.Contains(e.Message, limit) {
		t.Fatalf("%s: %v", limit, err)
	}
	if pointer != "-" && (!e.HasPointer || e.Pointer != pointer) {
		t.Fatalf("%s: pointer %q, want %q", limit, e.Pointer, pointer)
	}
	if op >= 0 && e.OpIndex != op {
		t.Fatalf("%s: operation %d, want %d", limit, e.OpIndex, op)
	}
	after, _ := s.Export(0)
	v, _ := s.Version()
	if !bytes.Equal(before, after) || v != version {
		t.Fatalf("%s: the state changed: %s v%d", limit, after, v)
	}
}

func TestRegistryLimitsEverywhere(t *testing.T) {
	r, err := OpenRegistry(RegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for limit, value := range map[Limit]int64{LimitStringBytes: 8, LimitMembers: 3, LimitElements: 2, LimitOperations: 2,
		LimitStateBytes: 250, LimitDepth: 4} {
		if _, err := r.SetLimit(limit, value); err != nil {
			t.Fatal(err)
		}
	}
	if old, err := r.SetLimit(LimitElements, -1); err != nil || old != 2 {
		t.Fatal(old, err)
	}
	s, err := r.Get("a", []byte(`{"a":[1],"b":"ok"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	refused(t, s, "AGS_LIMIT_STRING_BYTES", "/b", 0, func() error { _, err := s.Set("/b", []byte(`"far too long"`)); return err })
	refused(t, s, "AGS_LIMIT_STRING_BYTES", "/a/-", 0, func() error { _, err := s.Add("/a/-", []byte(`"far too long"`)); return err })
	refused(t, s, "AGS_LIMIT_ELEMENTS", "/a", -1, func() error {
		_, err := s.Patch([]byte(`[{"op":"add","path":"/a/-","value":2},{"op":"add","path":"/a/-","value":3}]`))
		return err
	})
	refused(t, s, "AGS_LIMIT_MEMBERS", "", -1, func() error { _, err := s.Merge([]byte(`{"c":1,"d":2}`)); return err })
	refused(t, s, "AGS_LIMIT_OPERATIONS", "/b", 2, func() error {
		_, err := s.Patch([]byte(`[{"op":"test","path":"/b","value":"ok"},{"op":"test","path":"/b","value":"ok"},{"op":"test","path":"/b","value":"ok"}]`))
		return err
	})
	refused(t, s, "AGS_LIMIT_DEPTH", "/b", 0, func() error { _, err := s.Set("/b", []byte(`{"x":{"y":{"z":{}}}}`)); return err })
	refused(t, s, "AGS_LIMIT_STATE_BYTES", "-", -1, func() error {
		_, err := s.Set("/c", []byte(`{"x":{"y":"1234567","z":"1234567"},"w":["1234567","1234567"]}`))
		return err
	})
	refused(t, s, "AGS_LIMIT_STRING_BYTES", "/b", 0, func() error {
		txn, err := s.Begin()
		if err != nil {
			return err
		}
		defer txn.Rollback()
		if err := txn.Patch([]byte(`[{"op":"replace","path":"/b","value":"much too long"}]`)); err != nil {
			return err
		}
		_, err = txn.Commit()
		return err
	})
	refused(t, s, "AGS_LIMIT_ELEMENTS", "/a", 0, func() error {
		_, err := s.ApplyEvent([]byte(`{"type":"STATE_SNAPSHOT","snapshot":{"a":[1,2,3]}}`), false)
		return err
	})
	other, _ := NewStore([]byte(`{"a":"a string longer than 8"}`))
	defer other.Close()
	snap, _ := other.Snapshot()
	defer snap.Close()
	refused(t, s, "AGS_LIMIT_STRING_BYTES", "/a", 0, func() error { _, err := s.Restore(snap); return err })
	if _, err := r.Get("big", []byte(`[1,2,3]`)); !errors.Is(err, ErrLimitExceeded) {
		t.Fatal(err)
	}
}

type recordingHandler struct {
	mu      sync.Mutex
	records []string
}

func (h *recordingHandler) Enabled(l LogLevel) bool { return l >= LogDebug }
func (h *recordingHandler) Handle(l LogLevel, message string, attrs map[string]any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, fmt.Sprintf("%d %s %v", l, message, attrs["pointer"]))
}

func TestRegistryMetricsLogsSpansHealth(t *testing.T) {
	r, err := OpenRegistry(RegistryOptions{PerStoreMetrics: true, BudgetBytes: 1000, AlertMemoryShare: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	logs := &recordingHandler{}
	if err := r.SetLogHandler(logs); err != nil {
		t.Fatal(err)
	}
	var spans []Span
	if err := r.SetSpanHandler(func(s Span) { spans = append(spans, s) }); err != nil {
		t.Fatal(err)
	}
	r.SetLimit(LimitElements, 0)
	health, _ := r.Health()
	if !bytes.Contains(health, []byte(`"status":"ok"`)) {
		t.Fatalf("%s", health)
	}
	s, err := r.Get("m", []byte(`{"x":"0123456789012345678901234567890123456789012345678901234567890123456789"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set("/y", []byte(`1`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set("/z", []byte(`[1]`)); !errors.Is(err, ErrLimitExceeded) {
		t.Fatal(err)
	}
	s.Close()
	if len(spans) != 3 || spans[0].Operation != "load" || spans[1].Version != 1 || spans[2].Status != ErrLimitExceeded || spans[1].StoreID != "m" {
		t.Fatalf("%+v", spans)
	}
	if len(logs.records) == 0 || !strings.Contains(strings.Join(logs.records, "\n"), "4 commit refused by a limit /z") {
		t.Fatalf("%v", logs.records)
	}
	health, _ = r.Health()
	if !bytes.Contains(health, []byte(`"status":"degraded"`)) || !bytes.Contains(health, []byte(`"crossed":["memory_share"]`)) {
		t.Fatalf("%s", health)
	}
	// The metrics through a real HTTP server.
	server := httptest.NewServer(r.MetricsHandler())
	defer server.Close()
	resp, err := http.Get(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") ||
		!bytes.Contains(body, []byte(`agstate_store_commits_total{store="m"} 1`)) ||
		!bytes.Contains(body, []byte("# TYPE agstate_commit_duration_seconds histogram")) {
		t.Fatalf("%s\n%s", resp.Header, body)
	}
	var buf bytes.Buffer
	if err := r.WriteMetrics(&buf); err != nil || buf.Len() == 0 {
		t.Fatal(err)
	}
	r.Close()
	if err := r.WriteMetrics(&buf); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

func TestRegistryRateLimits(t *testing.T) {
	r, err := OpenRegistry(RegistryOptions{CommitsPerSecond: 1, CommitBurst: 2, BytesPerSecond: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := r.Get("r", []byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	alice := PatchOptions{ClientID: "alice"}
	if _, err := s.SetWith("/n", []byte(`1`), alice); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PatchWith([]byte(`[{"op":"replace","path":"/n","value":2}]`), alice); err != nil {
		t.Fatal(err)
	}
	_, err = s.SetWith("/n", []byte(`3`), alice)
	var e *Error
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &e) || e.RetryAfter <= 0 || e.RetryAfter > 1e9 {
		t.Fatalf("%v", err)
	}
	if state, _ := s.Export(0); string(state) != `{"n":2}` {
		t.Fatalf("%s", state)
	}
	// Another client has its own buckets; no client is not limited.
	if _, err := s.PatchWith([]byte(`[{"op":"replace","path":"/n","value":4}]`), PatchOptions{ClientID: "bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set("/n", []byte(`5`)); err != nil {
		t.Fatal(err)
	}
	// Bytes per second: bob spent 41 of 100 bytes; a 97-byte value waits.
	if _, err := s.SetWith("/s", []byte(`"`+strings.Repeat("0", 95)+`"`), PatchOptions{ClientID: "bob"}); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("%v", err)
	}
	if state, _ := s.Export(0); string(state) != `{"n":5}` {
		t.Fatalf("%s", state)
	}
	if st, _ := r.Stats(); st.RateRefusals != 2 {
		t.Fatalf("%+v", st)
	}
}

func TestRegistryOverDurableStorage(t *testing.T) {
	st, err := OpenStorage("sqlite:"+t.TempDir()+"/stores.db", &StorageOptions{Durability: DurabilityNormal})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := OpenRegistry(RegistryOptions{Storage: st, BudgetBytes: 20000})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		s, err := r.Get(fmt.Sprintf("t%d", i), []byte(`{"n":0}`))
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < i%4; k++ {
			s.Set("/n", []byte(fmt.Sprint(k+1)))
		}
		s.Close()
	}
	if st, _ := r.Stats(); st.Evictions < 50 {
		t.Fatalf("%+v", st)
	}
	r.Close()
	again, err := OpenRegistry(RegistryOptions{Storage: st})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for i := 0; i < 100; i++ {
		s, err := again.Get(fmt.Sprintf("t%d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		state, _ := s.Export(0)
		v, _ := s.Version()
		if string(state) != fmt.Sprintf(`{"n":%d}`, i%4) || v != uint64(i%4) {
			t.Fatalf("t%d: %s v%d", i, state, v)
		}
		s.Close()
	}
	if _, err := again.Get("never", nil); !errors.Is(err, ErrPathNotFound) {
		t.Fatal(err)
	}
}
