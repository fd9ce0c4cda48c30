package agstate

/*
#include "agstate.h"
*/
import "C"

import (
	"runtime"
	"sync/atomic"
)

// Store holds one JSON state and its version: 0 when opened, plus one per committed change. Every change
// is atomic. A Store may be used from many goroutines; Close releases it.
//
// No lock of the binding is held during a call into the library, so that Close never waits for a
// subscription or batcher callback (which may itself read the store, or call Close): a call that races
// with Close fails with ErrClosed, because the library checks every handle and never hands one out twice.
type Store struct {
	handle atomic.Pointer[C.ags_store]
}

// NewStore opens a store holding the JSON document state, or {} when state is nil.
func NewStore(state []byte) (*Store, error) {
	var handle *C.ags_store
	var err error
	if state == nil {
		err = call(func() C.ags_status { return C.ags_store_open(nil, 0, &handle) })
	} else {
		p, n := text(state)
		if n == 0 {
			return nil, &Error{Code: ErrInvalidJSON, Message: "the initial state is empty", OpIndex: -1, Offset: 0}
		}
		err = call(func() C.ags_status { return C.ags_store_open(p, n, &handle) })
	}
	if err != nil {
		return nil, err
	}
	return newStore(handle), nil
}

// newStore wraps a handle the library gave, and closes it when the Store is collected unclosed.
func newStore(handle *C.ags_store) *Store {
	s := &Store{}
	s.handle.Store(handle)
	runtime.SetFinalizer(s, (*Store).Close)
	return s
}

// Close releases the store. Closing twice is harmless; other calls afterwards return ErrClosed, and so do
// later commits of transactions begun before. Close waits only for a commit running on another goroutine,
// never for a callback: it may be called while callbacks run, and from inside one.
func (s *Store) Close() error {
	if handle := s.handle.Swap(nil); handle != nil {
		C.ags_store_close(handle)
		runtime.SetFinalizer(s, nil)
	}
	return nil
}

// with runs f with the handle, or fails with ErrClosed. The handle may be closed meanwhile: the library
// then answers ErrClosed.
func (s *Store) with(f func(h *C.ags_store) C.ags_status) error {
	h := s.handle.Load()
	if h == nil {
		return &Error{Code: ErrClosed, Message: "the store is closed", OpIndex: -1, Offset: -1}
	}
	return call(func() C.ags_status { return f(h) })
}

// Version is the number of committed changes.
func (s *Store) Version() (uint64, error) {
	var v C.uint64_t
	err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_version(h, &v) })
	return uint64(v), err
}

// Get returns the value at the JSON Pointer ("" for the whole state) as JSON text.
func (s *Store) Get(pointer string) ([]byte, error) {
	pp, np := text([]byte(pointer))
	var out *C.char
	var n C.size_t
	if err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_get(h, pp, np, 0, &out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

// Export returns the whole state as JSON text, formatted as the flags say.
func (s *Store) Export(flags Flag) ([]byte, error) {
	var out *C.char
	var n C.size_t
	if err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_export(h, C.ags_json_flags(flags), &out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

// Set replaces the value at pointer, or adds it when absent (the parent must exist). Returns the new version.
func (s *Store) Set(pointer string, value []byte) (uint64, error) {
	pp, np := text([]byte(pointer))
	pv, nv := text(value)
	var v C.uint64_t
	err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_set(h, pp, np, pv, nv, nil, &v) })
	return uint64(v), err
}

// Add is RFC 6902 "add" at pointer ("-" appends to an array). Returns the new version.
func (s *Store) Add(pointer string, value []byte) (uint64, error) {
	pp, np := text([]byte(pointer))
	pv, nv := text(value)
	var v C.uint64_t
	err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_add(h, pp, np, pv, nv, nil, &v) })
	return uint64(v), err
}

// Remove is RFC 6902 "remove" at pointer. Returns the new version.
func (s *Store) Remove(pointer string) (uint64, error) {
	pp, np := text([]byte(pointer))
	var v C.uint64_t
	err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_remove(h, pp, np, nil, &v) })
	return uint64(v), err
}

// Patch applies an RFC 6902 patch atomically. Returns the new version; on failure nothing changes.
func (s *Store) Patch(patch []byte) (uint64, error) {
	pp, np := text(patch)
	var v C.uint64_t
	err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_patch(h, pp, np, nil, &v) })
	return uint64(v), err
}

// Merge applies an RFC 7386 merge patch. Returns the new version.
func (s *Store) Merge(patch []byte) (uint64, error) {
	pp, np := text(patch)
	var v C.uint64_t
	err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_merge(h, pp, np, nil, &v) })
	return uint64(v), err
}

// SetLimit sets one of this store's limits and returns the value before; a negative value only reads it.
func (s *Store) SetLimit(limit Limit, value int64) (int64, error) {
	id, err := cInt(int(limit), "the limit id")
	if err != nil {
		return 0, err
	}
	var old C.int64_t
	err = s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_limit(h, id, C.int64_t(value), &old) })
	return int64(old), err
}
