package agstate

/*
#include <stdlib.h>
#include <string.h>
#include "agstate.h"
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// Durability says how far a commit's write goes before the commit returns.
type Durability int

const (
	// DurabilityFull syncs every commit to disk: it survives a killed process and a power loss.
	DurabilityFull Durability = C.AGS_DURABILITY_FULL
	// DurabilityNormal survives a killed process, not a power loss (the operating system holds the write).
	DurabilityNormal Durability = C.AGS_DURABILITY_NORMAL
)

// StorageOptions configures OpenStorage. The zero value of a field means its default.
type StorageOptions struct {
	Durability Durability
	// Key (32 bytes) encrypts every stored row; nil stores them in the clear. KeyID is recorded with each row.
	Key   []byte
	KeyID uint32
	// OldKeys maps earlier key ids to their keys, still accepted for reading (key rotation).
	OldKeys map[uint32][]byte
	// BusyTimeoutMs is how long a write waits for another connection's lock (0: the default, 5000).
	BusyTimeoutMs uint32
	// A checkpoint is written every CheckpointChanges changes or CheckpointBytes bytes of changes (0: defaults).
	CheckpointChanges uint64
	CheckpointBytes   uint64
}

// Storage is a database file holding any number of durable stores, keyed by store id. A commit to a store
// opened from it returns only once its change is in the database; a failed write returns an error for
// which errors.Is(err, ErrIO) holds, and leaves the store's state and version as they were.
type Storage struct {
	mu     sync.RWMutex
	handle *C.ags_storage
}

// OpenStorage opens (creating when missing) the storage at url: "sqlite:PATH" or "file:PATH", or
// "postgres://..." for a PostgreSQL database or "redis://host:port/db" ("redis+unix:///path/to/socket") for
// a Redis server, either shared by many processes (a commit another process beat to its
// version is ErrConflict, after which the store has caught up; one made while the server is down is
// ErrUnavailable; other processes' commits arrive by themselves), or "hybrid:postgres://...|sqlite:PATH", a
// PostgreSQL primary with a local SQLite fallback that takes the commits while the primary is unreachable and
// replays them to it when it answers again (conflicts met on replay are in the store's Conflicts, with
// "kind":"replay").
func OpenStorage(url string, options *StorageOptions) (*Storage, error) {
	var o C.ags_storage_options
	if err := call(func() C.ags_status { return C.ags_storage_options_init(&o, C.AGS_STORAGE_OPTIONS_VERSION) }); err != nil {
		return nil, err
	}
	// Keys are copied to C memory: a struct passed to C may not point into Go memory.
	var allocated []unsafe.Pointer
	defer func() {
		for _, p := range allocated {
			C.free(p)
		}
	}()
	if options != nil {
		durability, err := cInt(int(options.Durability), "the durability")
		if err != nil {
			return nil, err
		}
		o.durability = C.ags_durability(durability)
		if options.Key != nil {
			if len(options.Key) != 32 {
				return nil, &Error{Code: ErrInvalidArgument, Message: "the key must be 32 bytes", OpIndex: -1, Offset: -1}
			}
			key := C.CBytes(options.Key)
			allocated = append(allocated, key)
			o.key = (*C.uchar)(key)
			o.key_id = C.uint32_t(options.KeyID)
		}
		if n := len(options.OldKeys); n > 0 {
			array := C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.ags_storage_key{})))
			allocated = append(allocated, array)
			entries := unsafe.Slice((*C.ags_storage_key)(array), n)
			i := 0
			for id, key := range options.OldKeys {
				if len(key) != 32 {
					return nil, &Error{Code: ErrInvalidArgument, Message: fmt.Sprintf("old key %d must be 32 bytes", id), OpIndex: -1, Offset: -1}
				}
				entries[i].id = C.uint32_t(id)
				C.memcpy(unsafe.Pointer(&entries[i].key[0]), unsafe.Pointer(&key[0]), 32)
				i++
			}
			o.old_keys = (*C.ags_storage_key)(array)
			o.old_key_count = C.size_t(n)
		}
		if options.BusyTimeoutMs != 0 {
			o.busy_timeout_ms = C.uint32_t(options.BusyTimeoutMs)
		}
		if options.CheckpointChanges != 0 {
			o.checkpoint_changes = C.uint64_t(options.CheckpointChanges)
		}
		if options.CheckpointBytes != 0 {
			o.checkpoint_bytes = C.uint64_t(options.CheckpointBytes)
		}
	}
	pu, nu := text([]byte(url))
	var handle *C.ags_storage
	if err := call(func() C.ags_status { return C.ags_storage_open(pu, nu, &o, &handle) }); err != nil {
		return nil, err
	}
	s := &Storage{handle: handle}
	runtime.SetFinalizer(s, (*Storage).Close)
	return s, nil
}

// Close closes the database. Stores opened from it stay readable; their commits then fail with ErrClosed.
func (s *Storage) Close() error {
	s.mu.Lock()
	handle := s.handle
	s.handle = nil
	s.mu.Unlock()
	if handle != nil {
		C.ags_storage_close(handle)
		runtime.SetFinalizer(s, nil)
	}
	return nil
}

func (s *Storage) with(f func(h *C.ags_storage) C.ags_status) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.handle == nil {
		return &Error{Code: ErrClosed, Message: "the storage is closed", OpIndex: -1, Offset: -1}
	}
	return call(func() C.ags_status { return f(s.handle) })
}

// OpenStore returns the durable store id: loaded when it exists (initial is then ignored), otherwise
// created with the JSON document initial ({} when nil). The result is an ordinary *Store.
func (s *Storage) OpenStore(id string, initial []byte) (*Store, error) {
	pid, nid := text([]byte(id))
	pi, ni := text(initial)
	var handle *C.ags_store
	if err := s.with(func(h *C.ags_storage) C.ags_status {
		return C.ags_storage_open_store(h, pid, nid, pi, ni, &handle)
	}); err != nil {
		return nil, err
	}
	return newStore(handle), nil
}

// List returns the ids of the stores in the database, sorted.
func (s *Storage) List() ([]string, error) {
	var out *C.char
	var n C.size_t
	if err := s.with(func(h *C.ags_storage) C.ags_status { return C.ags_storage_list(h, &out, &n) }); err != nil {
		return nil, err
	}
	var ids []string
	err := json.Unmarshal(take(out, n), &ids)
	return ids, err
}

// Stats returns the storage's counters as JSON: for PostgreSQL and Redis the pool, the circuit breaker
// (state "closed", "open" or "half_open", and how often it entered each), retries, the listener, conflicts
// and changes applied from other processes (for Redis also "server": its appendonly, appendfsync and
// maxmemory_policy); for a hybrid storage "active" ("primary" or "fallback"), "breaker", "pending_replay",
// "stores_on_fallback", "failovers", "replays", "replayed_changes", "replay_conflicts" and "primary" (its
// PostgreSQL counters).
func (s *Storage) Stats() ([]byte, error) {
	var out *C.char
	var n C.size_t
	if err := s.with(func(h *C.ags_storage) C.ags_status { return C.ags_storage_stats(h, &out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

// Delete deletes store id and its rows (ErrPathNotFound when there is none).
func (s *Storage) Delete(id string) error {
	pid, nid := text([]byte(id))
	return s.with(func(h *C.ags_storage) C.ags_status { return C.ags_storage_delete(h, pid, nid) })
}

// Export backs up store id (every store when id is "") to one file at path, replaced atomically.
func (s *Storage) Export(path, id string) error {
	pp, np := text([]byte(path))
	pid, nid := text([]byte(id))
	return s.with(func(h *C.ags_storage) C.ags_status { return C.ags_storage_export(h, pid, nid, pp, np) })
}

// Import creates the stores of a backup file, all or none (ErrConflict when one exists); it returns their ids.
func (s *Storage) Import(path string) ([]string, error) {
	pp, np := text([]byte(path))
	var out *C.char
	var n C.size_t
	if err := s.with(func(h *C.ags_storage) C.ags_status { return C.ags_storage_import(h, pp, np, &out, &n) }); err != nil {
		return nil, err
	}
	var ids []string
	err := json.Unmarshal(take(out, n), &ids)
	return ids, err
}
