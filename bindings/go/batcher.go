package agstate

/*
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include "agstate.h"
ags_status agstate_go_batcher_open(ags_store *store, const ags_batcher_options *options, uintptr_t handle,
                                   ags_batcher **batcher);
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"unsafe"
)

// BatchFunc receives one STATE_DELTA event (JSON) taking a client from version from to version to.
// Returning an error (or panicking) counts as a failed send.
type BatchFunc func(event []byte, from, to uint64) error

// The header's defaults of BatcherOptions.
const (
	DefaultBatchOperations = C.AGS_BATCHER_DEFAULT_MAX_OPERATIONS
	DefaultBatchBytes      = C.AGS_BATCHER_DEFAULT_MAX_BYTES
	DefaultBatchWindow     = C.AGS_BATCHER_DEFAULT_WINDOW_MS // milliseconds
)

// BatcherOptions bound a batch. Zero values take the header's defaults (DefaultBatchOperations,
// DefaultBatchBytes, DefaultBatchWindow); negative bounds are ErrInvalidArgument.
type BatcherOptions struct {
	Pointer       string
	MaxOperations int
	MaxBytes      int
	WindowMillis  uint64
	// Timer starts the batcher's own thread, which then sends every batch (a slow BatchFunc never holds up
	// writers); TickMillis is its period (0: a quarter of the window).
	Timer      bool
	TickMillis uint64
}

// BatcherStats counts what a batcher did.
type BatcherStats struct {
	Batches       uint64 `json:"batches"`
	Changes       uint64 `json:"changes"`
	OperationsIn  uint64 `json:"operationsIn"`
	OperationsOut uint64 `json:"operationsOut"`
	Coalesced     uint64 `json:"coalesced"`
	Resynced      uint64 `json:"resynced"`
	FailedSends   uint64 `json:"failedSends"`
}

// Batcher gathers a store's commits and sends them as compacted STATE_DELTA events: when a size bound is
// reached, when the window has passed since the first pending change (Poll, or the timer thread), or at once
// for a change committed with PatchOptions{Urgent: true}.
type Batcher struct {
	fn     BatchFunc
	mu     sync.Mutex
	handle *C.ags_batcher
	cgoRef cgo.Handle
	errs   []error
	// The thread running fn (0 when none: the library never sends two batches at once), so that Close can
	// tell that it is called from inside fn; and whether a Close without flush asked that nothing more be sent.
	sendingOn atomic.Uint64
	dropRest  atomic.Bool
}

// NewBatcher opens a batcher on store.
func NewBatcher(store *Store, fn BatchFunc, opts BatcherOptions) (*Batcher, error) {
	if fn == nil {
		return nil, &Error{Code: ErrInvalidArgument, Message: "the callback is nil", OpIndex: -1, Offset: -1}
	}
	if opts.MaxOperations < 0 || opts.MaxBytes < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "the batch bounds must not be negative", OpIndex: -1, Offset: -1}
	}
	var options C.ags_batcher_options
	C.ags_batcher_options_init(&options, C.AGS_BATCHER_OPTIONS_VERSION)
	if opts.MaxOperations != 0 {
		options.max_operations = C.size_t(opts.MaxOperations)
	}
	if opts.MaxBytes != 0 {
		options.max_bytes = C.size_t(opts.MaxBytes)
	}
	if opts.WindowMillis != 0 {
		options.window_ms = C.uint64_t(opts.WindowMillis)
	}
	// The options struct is passed by pointer, so the text it points to must be C memory (cgo's rule).
	pointer := C.CString(opts.Pointer)
	defer C.free(unsafe.Pointer(pointer))
	options.pointer, options.pointer_len = pointer, C.size_t(len(opts.Pointer))
	b := &Batcher{fn: fn}
	b.cgoRef = cgo.NewHandle(b)
	var handle *C.ags_batcher
	err := store.with(func(h *C.ags_store) C.ags_status {
		return C.agstate_go_batcher_open(h, &options, C.uintptr_t(b.cgoRef), &handle)
	})
	if err != nil {
		b.cgoRef.Delete()
		return nil, err
	}
	b.handle = handle
	if opts.Timer {
		if err := call(func() C.ags_status { return C.ags_batcher_start_timer(handle, C.uint64_t(opts.TickMillis)) }); err != nil {
			b.Close(false)
			return nil, err
		}
	}
	return b, nil
}

func (b *Batcher) deliver(from, to uint64, event []byte) (status int) {
	if b.dropRest.Load() {
		return 0 // closed without flush from inside fn: what was pending is dropped
	}
	b.sendingOn.Store(uint64(C.pthread_self()))
	defer b.sendingOn.Store(0)
	defer func() {
		if r := recover(); r != nil {
			b.record(fmt.Errorf("agstate: batch callback panicked: %v", r))
			status = 1
		}
	}()
	if err := b.fn(event, from, to); err != nil {
		b.record(fmt.Errorf("agstate: batch %d..%d not sent: %w", from, to, err))
		return 1
	}
	return 0
}

func (b *Batcher) record(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.errs) == maxKeptErrors {
		b.errs = b.errs[1:]
	}
	b.errs = append(b.errs, err)
}

// Errors returns the latest failures of the callback (at most 100).
func (b *Batcher) Errors() []error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]error(nil), b.errs...)
}

func (b *Batcher) live() (*C.ags_batcher, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.handle == nil {
		return nil, &Error{Code: ErrClosed, Message: "the batcher is closed", OpIndex: -1, Offset: -1}
	}
	return b.handle, nil
}

// Poll tells the batcher the time in milliseconds and sends the pending changes if the window has passed.
func (b *Batcher) Poll(nowMillis uint64) error {
	h, err := b.live()
	if err != nil {
		return err
	}
	return call(func() C.ags_status { return C.ags_batcher_poll(h, C.uint64_t(nowMillis)) })
}

// Flush sends what is pending now.
func (b *Batcher) Flush() error {
	h, err := b.live()
	if err != nil {
		return err
	}
	return call(func() C.ags_status { return C.ags_batcher_flush(h) })
}

// Stats returns the batcher's counts.
func (b *Batcher) Stats() (BatcherStats, error) {
	var stats BatcherStats
	h, err := b.live()
	if err != nil {
		return stats, err
	}
	data, err := output(func(out **C.char, n *C.size_t) C.ags_status { return C.ags_batcher_stats(h, out, n) })
	if err != nil {
		return stats, err
	}
	return stats, json.Unmarshal(data, &stats)
}

// Close stops the batcher; with flush, what is pending is sent first, otherwise it is dropped. When Close
// returns, fn is not running on another goroutine and will not be called again.
//
// Called from inside fn, it returns at once: the batch in hand is the last but one, and with flush what is
// pending is sent once fn has returned (from another goroutine, which finishes closing); without, nothing
// more is sent.
func (b *Batcher) Close(flush bool) error {
	b.mu.Lock()
	handle := b.handle
	b.handle = nil
	b.mu.Unlock()
	if handle == nil {
		return nil
	}
	f := C.int(0)
	if flush {
		f = 1
	}
	finish := func() {
		// The library waits for a send in progress on another thread, sends what is pending (flush) and
		// returns; only then may the cgo handle that carries fn go.
		C.ags_batcher_close(handle, f)
		b.cgoRef.Delete()
	}
	if b.sendingOn.Load() == uint64(C.pthread_self()) {
		// Inside fn: closing here could not wait for fn, and the handle would be gone before the pending
		// batch is sent.
		b.dropRest.Store(!flush)
		go finish()
		return nil
	}
	finish()
	return nil
}
