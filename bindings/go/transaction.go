package agstate

/*
#include <stdlib.h>
#include "agstate.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Transaction groups changes that commit as one version, or not at all. Reads see its own writes. Commit
// fails with ErrConflict when a change committed since Begin wrote a location it read or wrote.
type Transaction struct {
	mu     sync.Mutex
	handle *C.ags_txn
}

// Begin starts a transaction on the current state, in O(1).
func (s *Store) Begin() (*Transaction, error) {
	var handle *C.ags_txn
	if err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_begin(h, &handle) }); err != nil {
		return nil, err
	}
	tx := &Transaction{handle: handle}
	runtime.SetFinalizer(tx, (*Transaction).Rollback)
	return tx, nil
}

func (tx *Transaction) live() (*C.ags_txn, error) {
	if tx.handle == nil {
		return nil, &Error{Code: ErrClosed, Message: "the transaction has already committed or rolled back", OpIndex: -1, Offset: -1}
	}
	return tx.handle, nil
}

// Get returns the value at pointer as the transaction sees it; the location counts as read.
func (tx *Transaction) Get(pointer string) ([]byte, error) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	h, err := tx.live()
	if err != nil {
		return nil, err
	}
	pp, np := text([]byte(pointer))
	var out *C.char
	var n C.size_t
	if err := call(func() C.ags_status { return C.ags_txn_get(h, pp, np, 0, &out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

// Patch applies a JSON Patch to the transaction's state, atomically.
func (tx *Transaction) Patch(patch []byte) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	h, err := tx.live()
	if err != nil {
		return err
	}
	pp, np := text(patch)
	return call(func() C.ags_status { return C.ags_txn_patch(h, pp, np, 0) })
}

// Commit commits the transaction as one version and returns it. The transaction ends either way. The commit
// runs the store's callbacks with no lock of the transaction held, so a callback may use it (and finds it
// ended).
func (tx *Transaction) Commit() (uint64, error) {
	tx.mu.Lock()
	h, err := tx.live()
	if err != nil {
		tx.mu.Unlock()
		return 0, err
	}
	tx.handle = nil
	tx.mu.Unlock()
	runtime.SetFinalizer(tx, nil)
	var v C.uint64_t
	err = call(func() C.ags_status { return C.ags_txn_commit(h, nil, &v) })
	return uint64(v), err
}

// Rollback ends the transaction without committing. Harmless after the end.
func (tx *Transaction) Rollback() error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.handle != nil {
		C.ags_txn_rollback(tx.handle)
		tx.handle = nil
		runtime.SetFinalizer(tx, nil)
	}
	return nil
}

// PatchOptions adjust Store.PatchWith.
type PatchOptions struct {
	// Lenient turns a replace of a missing path into an add and a remove of a missing path into nothing.
	Lenient bool
	// IfVersion, when set, commits only if the store is at that version (compare-and-set); ErrConflict otherwise.
	IfVersion *uint64
	// Urgent makes a batcher send the change at once.
	Urgent bool
	// BaseVersion, when set, is the version the patch was made against: when the store moved on, Strategy
	// says how it is applied (ErrConflict where it refuses, ErrNotInHistory when the base left the history).
	BaseVersion *uint64
	// Strategy for a patch made against an older version; StrategyDefault takes the store's.
	Strategy Strategy
	// Author names who commits: recorded in history, in the conflict log, checked against section locks.
	Author string
	// Resolver decides each conflict under StrategyCustom.
	Resolver Resolver
	// ClientID names the committing client for a registry's rate limits ("" for none); a refusal is
	// ErrRateLimited with Error.RetryAfter.
	ClientID string
}

// PatchWith applies a JSON Patch like Patch, with options. Returns the new version.
func (s *Store) PatchWith(patch []byte, opts PatchOptions) (uint64, error) {
	pp, np := text(patch)
	options, free := opts.native()
	defer free()
	var v C.uint64_t
	err := withCollaboration(&options, opts, func() error {
		return s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_patch(h, pp, np, &options, &v) })
	})
	return uint64(v), err
}

// SetWith is Set with options (Lenient, BaseVersion and Strategy do not apply to it). Returns the new version.
func (s *Store) SetWith(pointer string, value []byte, opts PatchOptions) (uint64, error) {
	pp, np := text([]byte(pointer))
	pv, nv := text(value)
	options, free := opts.native()
	defer free()
	var v C.uint64_t
	err := withCollaboration(&options, opts, func() error {
		return s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_set(h, pp, np, pv, nv, &options, &v) })
	})
	return uint64(v), err
}

// native gives the flags, compare-and-set version and client id as C takes them; the client id is copied
// into C memory (cgo forbids a Go pointer inside memory passed to C), released by the function returned.
func (opts PatchOptions) native() (C.ags_commit_options, func()) {
	options := commitOptions(opts.Lenient, opts.Urgent)
	if opts.IfVersion != nil {
		options.expected_version = C.uint64_t(*opts.IfVersion)
	}
	if opts.ClientID == "" {
		return options, func() {}
	}
	client := C.CString(opts.ClientID)
	options.client_id = client
	options.client_id_len = C.size_t(len(opts.ClientID))
	return options, func() { C.free(unsafe.Pointer(client)) }
}

// commitOptions are the header's defaults (AGS_COMMIT_OPTIONS_INIT) with the flags asked for.
func commitOptions(lenient, urgent bool) C.ags_commit_options {
	var options C.ags_commit_options
	C.ags_commit_options_init(&options, C.AGS_COMMIT_OPTIONS_VERSION)
	options.flags = lenientFlag(lenient)
	if urgent {
		options.flags |= C.AGS_PATCH_URGENT
	}
	return options
}
