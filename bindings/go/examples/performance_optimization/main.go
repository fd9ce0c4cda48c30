// Performance optimization: many conversation stores in one registry under a memory budget, on durable
// SQLite storage (a store is loaded on first use, the least recently used are evicted past the budget and
// come back with their exact state), and the batcher turning many small commits into a few compacted
// STATE_DELTA events; the numbers that matter are printed from the engine's own statistics and metrics.
// Exits 1 if any of it does not hold.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"agstate"
)

var failures int

func check(ok bool, format string, args ...any) {
	mark := "ok    "
	if !ok {
		mark = "FAIL  "
		failures++
	}
	fmt.Printf(mark+format+"\n", args...)
}

func must[T any](value T, err error) T {
	if err != nil {
		fmt.Fprintln(os.Stderr, "performance_optimization:", err)
		os.Exit(1)
	}
	return value
}

const (
	stores  = 400        // conversation threads
	budget  = 256 * 1024 // bytes of resident state and history the registry may keep
	commits = 1000       // small commits seen by the batcher
)

func threadState(n int) []byte {
	return []byte(fmt.Sprintf(`{"thread":%d,"messages":[{"role":"user","text":"question %d: %s"}],"turns":1}`,
		n, n, strings.Repeat("lorem ipsum ", 20)))
}

type latency struct {
	Count      int64    `json:"count"`
	P95Seconds *float64 `json:"p95_seconds"`
}

type metrics struct {
	Statistics  agstate.RegistryStats `json:"statistics"`
	BudgetBytes int64                 `json:"budget_bytes"`
	Latency     map[string]latency    `json:"latency"`
}

func main() {
	folder := must(os.MkdirTemp("", "agstate-perf-"))
	defer os.RemoveAll(folder)
	storage := must(agstate.OpenStorage("sqlite:"+filepath.Join(folder, "threads.db"),
		&agstate.StorageOptions{Durability: agstate.DurabilityNormal}))
	defer storage.Close()

	fmt.Printf("== %d threads through a registry with a budget of %d KiB\n", stores, budget/1024)
	registry := must(agstate.OpenRegistry(agstate.RegistryOptions{Storage: storage, BudgetBytes: budget}))
	for n := 0; n < stores; n++ {
		store := must(registry.Get(fmt.Sprintf("thread-%03d", n), threadState(n)))
		must(store.Patch([]byte(fmt.Sprintf(`[{"op":"add","path":"/messages/-","value":{"role":"assistant","text":"answer %d"}},`+
			`{"op":"replace","path":"/turns","value":2}]`, n))))
		store.Close()
	}
	stats := must(registry.Stats())
	fmt.Printf("      resident %d stores, %d bytes; evicted %d (by cause %v); opened %d\n", stats.Resident,
		stats.ResidentBytes, stats.Evictions, stats.EvictionsByCause, stats.Misses)
	check(stats.ResidentBytes <= budget && stats.Resident < stores,
		"the resident stores stay within the budget (%d <= %d bytes)", stats.ResidentBytes, budget)
	check(stats.EvictionsByCause["budget"] > 0, "the least recently used stores were evicted for the budget")

	// An evicted store comes back from storage with its exact state and version; a resident one is a hit.
	before := must(registry.Stats())
	first := must(registry.Get("thread-000", nil))
	check(must(first.Version()) == 1 && string(must(first.Get("/turns"))) == "2" &&
		string(must(first.Get("/messages/1/text"))) == `"answer 0"`,
		"thread-000, evicted long ago, is loaded again at v1 with its state")
	first.Close()
	last := must(registry.Get(fmt.Sprintf("thread-%03d", stores-1), nil))
	check(must(last.Version()) == 1, "thread-%03d, used last, is still resident", stores-1)
	last.Close()
	after := must(registry.Stats())
	check(after.Misses == before.Misses+1 && after.Hits == before.Hits+1, "one load and one hit, as the engine counts them")
	registry.Close()

	// Lazy loading: a registry over the same storage loads only what is asked for.
	registry = must(agstate.OpenRegistry(agstate.RegistryOptions{Storage: storage, BudgetBytes: budget}))
	defer registry.Close()
	store := must(registry.Get("thread-123", nil))
	stats = must(registry.Stats())
	check(stats.Resident == 1 && stats.Misses == 1 && string(must(store.Get("/thread"))) == "123",
		"a new registry loads one thread of %d when one is asked for", len(must(storage.List())))
	store.Close()

	fmt.Printf("== the batcher: %d small commits sent as compacted STATE_DELTA events\n", commits)
	live := must(registry.Get("live", []byte(`{"progress":0,"log":[]}`)))
	client := must(agstate.NewStore(must(live.Export(0)))) // what a browser holding the batched events would have
	defer client.Close()
	// The same commits through two batchers: one sends each commit on its own (raw), one batches them.
	var raw, batched [][]byte
	rawBatcher := must(agstate.NewBatcher(live, func(event []byte, from, to uint64) error {
		raw = append(raw, append([]byte(nil), event...))
		return nil
	}, agstate.BatcherOptions{MaxOperations: 1}))
	batcher := must(agstate.NewBatcher(live, func(event []byte, from, to uint64) error {
		batched = append(batched, append([]byte(nil), event...))
		return nil
	}, agstate.BatcherOptions{MaxOperations: 200, WindowMillis: 50}))
	for i := 0; i < commits; i++ {
		must(0, batcher.Poll(uint64(i))) // a clock in milliseconds: one commit per millisecond
		ops := fmt.Sprintf(`{"op":"replace","path":"/progress","value":%d}`, i+1)
		if i%100 == 99 {
			ops += fmt.Sprintf(`,{"op":"add","path":"/log/-","value":"step %d done"}`, i+1)
		}
		must(live.Patch([]byte("[" + ops + "]")))
	}
	must(0, batcher.Flush())
	s := must(batcher.Stats())
	must(0, batcher.Close(true))
	must(0, rawBatcher.Close(true))
	for _, event := range batched {
		must(client.ApplyEvent(event, false))
	}
	rawBytes, batchedBytes := 0, 0
	for _, e := range raw {
		rawBytes += len(e)
	}
	for _, e := range batched {
		batchedBytes += len(e)
	}
	fmt.Printf("      %d commits (%d operations) -> %d events (%d operations after compaction)\n", s.Changes,
		s.OperationsIn, s.Batches, s.OperationsOut)
	fmt.Printf("      %d bytes as one event per commit, %d bytes batched: %d bytes saved (%.1f%%)\n", rawBytes,
		batchedBytes, rawBytes-batchedBytes, 100*(1-float64(batchedBytes)/float64(rawBytes)))
	check(s.Changes == commits && len(raw) == commits && s.Batches == uint64(len(batched)) && len(batched) < commits/10,
		"%d commits became %d events (one per commit unbatched)", commits, len(batched))
	check(s.OperationsOut < s.OperationsIn && batchedBytes < rawBytes/10, "compaction keeps only the last replace of each location")
	check(must(agstate.Equal(must(client.Export(0)), must(live.Export(0)))), "a client applying the batched events has the store's state")

	live.Close() // released: the registry measures the store again (state and its 1000 versions of history)

	fmt.Println("== the engine's metrics")
	var m metrics
	must(0, json.Unmarshal(must(registry.MetricsJSON()), &m))
	for _, name := range []string{"commit", "load"} {
		p95 := "-"
		if l := m.Latency[name]; l.P95Seconds != nil {
			p95 = fmt.Sprintf("%.3f ms", *l.P95Seconds*1e3)
		}
		fmt.Printf("      %-8s%6d timed, p95 %s\n", name, m.Latency[name].Count, p95)
	}
	fmt.Printf("      resident %d of %d bytes, %d commits, %d evictions\n", m.Statistics.ResidentBytes, m.BudgetBytes,
		m.Statistics.Commits, m.Statistics.Evictions)
	check(m.Latency["commit"].Count == m.Statistics.Commits && m.Statistics.Commits == commits, "every commit is timed")

	if failures > 0 {
		fmt.Printf("performance_optimization: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("performance_optimization: all checks passed")
}
