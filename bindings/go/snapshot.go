package agstate

/*
#include "agstate.h"
*/
import "C"

import (
	"runtime"
	"sync/atomic"
)

// Snapshot is a store's state at one version, taken in O(1). Later changes to the store do not affect it.
// As with Store, no lock is held during a call into the library (Restore runs callbacks, which may close
// the snapshot): a call that races with Close fails with ErrClosed.
type Snapshot struct {
	handle  atomic.Pointer[C.ags_snapshot]
	Version uint64
}

// live is the snapshot's handle, or ErrClosed.
func (snap *Snapshot) live() (*C.ags_snapshot, error) {
	if h := snap.handle.Load(); h != nil {
		return h, nil
	}
	return nil, &Error{Code: ErrClosed, Message: "the snapshot is closed", OpIndex: -1, Offset: -1}
}

// Snapshot takes a snapshot of the current state.
func (s *Store) Snapshot() (*Snapshot, error) {
	var handle *C.ags_snapshot
	if err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_snapshot(h, &handle) }); err != nil {
		return nil, err
	}
	var v C.uint64_t
	if err := call(func() C.ags_status { return C.ags_snapshot_version(handle, &v) }); err != nil {
		C.ags_snapshot_close(handle)
		return nil, err
	}
	snap := &Snapshot{Version: uint64(v)}
	snap.handle.Store(handle)
	runtime.SetFinalizer(snap, (*Snapshot).Close)
	return snap, nil
}

// Get returns the value at pointer ("" for the whole state) in the snapshot.
func (snap *Snapshot) Get(pointer string) ([]byte, error) {
	h, err := snap.live()
	if err != nil {
		return nil, err
	}
	pp, np := text([]byte(pointer))
	var out *C.char
	var n C.size_t
	if err := call(func() C.ags_status { return C.ags_snapshot_get(h, pp, np, 0, &out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

// Close releases the snapshot. Closing twice is harmless.
func (snap *Snapshot) Close() error {
	if handle := snap.handle.Swap(nil); handle != nil {
		C.ags_snapshot_close(handle)
		runtime.SetFinalizer(snap, nil)
	}
	return nil
}

// Restore makes the snapshot's state current again, as an ordinary change. Returns the new version.
func (s *Store) Restore(snap *Snapshot) (uint64, error) {
	sh, err := snap.live()
	if err != nil {
		return 0, err
	}
	var v C.uint64_t
	err = s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_restore(h, sh, nil, &v) })
	return uint64(v), err
}
