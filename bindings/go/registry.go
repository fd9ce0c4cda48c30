package agstate

/*
#include <stdlib.h>
#include "agstate.h"
*/
import "C"

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"runtime/cgo"
	"sync"
)

// Content limits of a store (SetLimit, Registry.SetLimit), each LimitUnbounded by default.
const (
	LimitStateBytes  Limit = C.AGS_LIMIT_STATE_BYTES
	LimitOperations  Limit = C.AGS_LIMIT_OPERATIONS
	LimitStringBytes Limit = C.AGS_LIMIT_STRING_BYTES
	LimitMembers     Limit = C.AGS_LIMIT_MEMBERS
	LimitElements    Limit = C.AGS_LIMIT_ELEMENTS
	// LimitUnbounded is the value of a content limit that is not bounded.
	LimitUnbounded int64 = C.AGS_LIMIT_UNBOUNDED
)

// RegistryOptions configure a registry; the zero value of a field means its default.
type RegistryOptions struct {
	// Storage keeps the registry's stores durably (evicted stores come back from it with their exact state
	// and version); nil for none. It must stay open while the registry is.
	Storage *Storage
	// BudgetBytes bounds the engine's byte estimate of the resident stores (0: no budget).
	BudgetBytes uint64
	// TTLMillis evicts a store unused and unheld this long (0: no TTL).
	TTLMillis uint64
	// Shards of the id table (0: 16).
	Shards int
	// EvictWithoutStorage evicts even without durable storage: evicted states are dropped.
	EvictWithoutStorage bool
	// MemoryStorage keeps evicted stores in process memory and reloads them exactly (a stand-in for storage).
	MemoryStorage bool
	// PerStoreMetrics adds series labelled by store id for the resident stores.
	PerStoreMetrics bool
	// Token buckets per client id (CommitOptions.ClientID); 0: no limit; bursts 0: one second's worth.
	CommitsPerSecond, CommitBurst, BytesPerSecond, BytesBurst float64
	// MaxClients bounds the client buckets kept (0: 100000).
	MaxClients int
	// Health thresholds: 0 turns each off (the default); a share outside 0..1, a negative latency or NaN is
	// ErrInvalidArgument.
	AlertErrorRate, AlertP95CommitMillis, AlertMemoryShare float64
}

// Registry hands out stores by id, opening each on first use and evicting idle ones (after a TTL, and
// least recently used first over the memory budget). A store from Get is the caller's hold: it stays
// resident until that Store is closed. Safe for use from many goroutines.
type Registry struct {
	mu      sync.RWMutex
	handle  *C.ags_registry
	hooks   []cgo.Handle // log and span hooks, released on Close
	storage *Storage     // kept reachable while the registry may load from it
}

// OpenRegistry opens a registry, over RegistryOptions.Storage when given.
func OpenRegistry(opts RegistryOptions) (*Registry, error) {
	var o C.ags_registry_options
	if err := call(func() C.ags_status { return C.ags_registry_options_init(&o, C.AGS_REGISTRY_OPTIONS_VERSION) }); err != nil {
		return nil, err
	}
	if opts.EvictWithoutStorage {
		o.flags |= C.AGS_REGISTRY_EVICT_WITHOUT_STORAGE
	}
	if opts.MemoryStorage {
		o.flags |= C.AGS_REGISTRY_MEMORY_STORAGE
	}
	if opts.PerStoreMetrics {
		o.flags |= C.AGS_REGISTRY_PER_STORE_METRICS
	}
	if opts.BudgetBytes > 0 {
		if uint64(C.size_t(opts.BudgetBytes)) != opts.BudgetBytes {
			return nil, &Error{Code: ErrInvalidArgument, Message: "BudgetBytes is out of range", OpIndex: -1, Offset: -1}
		}
		o.budget_bytes = C.size_t(opts.BudgetBytes)
	}
	o.ttl_ms = C.uint64_t(opts.TTLMillis)
	if opts.Shards < 0 || opts.MaxClients < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "Shards and MaxClients must be at least 0", OpIndex: -1, Offset: -1}
	}
	if opts.Shards > 0 {
		o.shards = C.size_t(opts.Shards)
	}
	if opts.MaxClients > 0 {
		o.max_clients = C.size_t(opts.MaxClients)
	}
	o.commits_per_second = C.double(opts.CommitsPerSecond)
	o.commit_burst = C.double(opts.CommitBurst)
	o.bytes_per_second = C.double(opts.BytesPerSecond)
	o.bytes_burst = C.double(opts.BytesBurst)
	// Only 0 means the default: a negative or NaN threshold reaches the engine, which refuses it.
	if opts.AlertErrorRate != 0 {
		o.alert_error_rate = C.double(opts.AlertErrorRate)
	}
	o.alert_p95_commit_ms = C.double(opts.AlertP95CommitMillis)
	if opts.AlertMemoryShare != 0 {
		o.alert_memory_share = C.double(opts.AlertMemoryShare)
	}
	var storage *C.ags_storage
	if opts.Storage != nil {
		opts.Storage.mu.RLock()
		defer opts.Storage.mu.RUnlock()
		if storage = opts.Storage.handle; storage == nil {
			return nil, &Error{Code: ErrClosed, Message: "the storage is closed", OpIndex: -1, Offset: -1}
		}
	}
	var handle *C.ags_registry
	if err := call(func() C.ags_status { return C.ags_registry_open(storage, &o, &handle) }); err != nil {
		return nil, err
	}
	r := &Registry{handle: handle, storage: opts.Storage}
	runtime.SetFinalizer(r, (*Registry).Close)
	return r, nil
}

// Close lets go of every store (stores still held stay usable) and closes the registry.
func (r *Registry) Close() error {
	r.mu.Lock()
	handle := r.handle
	r.handle = nil
	hooks := r.hooks
	r.hooks = nil
	r.mu.Unlock()
	if handle != nil {
		C.ags_registry_close(handle)
		runtime.SetFinalizer(r, nil)
	}
	for _, h := range hooks {
		h.Delete()
	}
	return nil
}

func (r *Registry) with(f func(h *C.ags_registry) C.ags_status) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.handle == nil {
		return &Error{Code: ErrClosed, Message: "the registry is closed", OpIndex: -1, Offset: -1}
	}
	return call(func() C.ags_status { return f(r.handle) })
}

// Get returns the store id, held until the returned Store is closed: resident already, or opened (loaded,
// or created holding the JSON document initial). With initial nil the store must exist (ErrPathNotFound).
// ErrLimitExceeded: over the budget with no eviction allowed, or initial passes a limit.
func (r *Registry) Get(id string, initial []byte) (*Store, error) {
	idBytes := []byte(id)
	pi, ni := text(idBytes)
	var handle *C.ags_store
	var err error
	if initial == nil {
		err = r.with(func(h *C.ags_registry) C.ags_status { return C.ags_registry_get(h, pi, ni, nil, 0, &handle) })
	} else {
		if len(initial) == 0 {
			return nil, &Error{Code: ErrInvalidJSON, Message: "the initial state is empty", OpIndex: -1, Offset: 0}
		}
		p, n := text(initial)
		err = r.with(func(h *C.ags_registry) C.ags_status { return C.ags_registry_get(h, pi, ni, p, n, &handle) })
	}
	runtime.KeepAlive(idBytes)
	if err != nil {
		return nil, err
	}
	return newStore(handle), nil
}

// Sweep evicts the stores unused past the TTL (and unheld) and returns how many.
func (r *Registry) Sweep() (int, error) {
	var n C.size_t
	err := r.with(func(h *C.ags_registry) C.ags_status { return C.ags_registry_sweep(h, &n) })
	return int(n), err
}

// SetLimit sets a limit of the registry's stores (resident and later ones) and returns the value before;
// a negative value only reads it.
func (r *Registry) SetLimit(limit Limit, value int64) (int64, error) {
	id, err := cInt(int(limit), "the limit id")
	if err != nil {
		return 0, err
	}
	var old C.int64_t
	err = r.with(func(h *C.ags_registry) C.ags_status {
		return C.ags_registry_limit(h, id, C.int64_t(value), &old)
	})
	return int64(old), err
}

// RegistryStats are a registry's counts.
type RegistryStats struct {
	Hits               int64            `json:"hits"`
	Misses             int64            `json:"misses"`
	LoadFailures       int64            `json:"load_failures"`
	Evictions          int64            `json:"evictions"`
	EvictionsByCause   map[string]int64 `json:"evictions_by_cause"`
	Resident           int64            `json:"resident"`
	ResidentBytes      int64            `json:"resident_bytes"`
	Held               int64            `json:"held"`
	Commits            int64            `json:"commits"`
	CommitFailures     int64            `json:"commit_failures"`
	LimitRefusals      int64            `json:"limit_refusals"`
	RateRefusals       int64            `json:"rate_refusals"`
	RefusedOverBudget  int64            `json:"refused_over_budget"`
	SubscriberFailures int64            `json:"subscriber_failures"`
}

func (r *Registry) output(f func(h *C.ags_registry, out **C.char, n *C.size_t) C.ags_status) ([]byte, error) {
	var out *C.char
	var n C.size_t
	if err := r.with(func(h *C.ags_registry) C.ags_status { return f(h, &out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

// Stats returns the registry's statistics.
func (r *Registry) Stats() (RegistryStats, error) {
	var s RegistryStats
	b, err := r.output(func(h *C.ags_registry, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_registry_stats(h, out, n)
	})
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	return s, err
}

// Health returns the health report as JSON: status ok/degraded/failing, the thresholds crossed, readings.
func (r *Registry) Health() ([]byte, error) {
	return r.output(func(h *C.ags_registry, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_registry_health(h, out, n)
	})
}

// MetricsJSON returns the metrics as JSON.
func (r *Registry) MetricsJSON() ([]byte, error) {
	return r.output(func(h *C.ags_registry, out **C.char, n *C.size_t) C.ags_status { return C.ags_metrics_json(h, out, n) })
}

// WriteMetrics writes the metrics in the Prometheus text exposition format.
func (r *Registry) WriteMetrics(w io.Writer) error {
	b, err := r.output(func(h *C.ags_registry, out **C.char, n *C.size_t) C.ags_status { return C.ags_metrics_text(h, out, n) })
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// MetricsHandler serves the metrics for a Prometheus scrape (text format 0.0.4).
func (r *Registry) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if err := r.WriteMetrics(w); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	})
}
