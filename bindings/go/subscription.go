package agstate

/*
#include <stdint.h>
#include "agstate.h"
ags_status agstate_go_subscribe(ags_store *store, const char *ptr, size_t ptr_len, uintptr_t handle,
                                ags_subscription **subscription);
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"sync"
)

// ChangeFunc receives the version of a commit and the JSON Patch of its operations that concern the
// subscription. Returning an error (or panicking) reports a failure; the commit stands.
type ChangeFunc func(version uint64, patch []byte) error

// Subscription delivers the commits that touch one location of a store's state.
type Subscription struct {
	fn     ChangeFunc
	mu     sync.Mutex
	handle *C.ags_subscription
	cgoRef cgo.Handle
	errs   []error
}

// maxKeptErrors bounds the failures a subscription remembers.
const maxKeptErrors = 100

// Subscribe calls fn after every commit that touches pointer ("" for every commit): the location itself,
// anything inside it, or an ancestor. fn runs on the goroutine's thread that committed, before that commit
// returns, in commit order; it may read the store and commit changes (delivered after fn returns).
func (s *Store) Subscribe(pointer string, fn ChangeFunc) (*Subscription, error) {
	if fn == nil {
		return nil, &Error{Code: ErrInvalidArgument, Message: "the callback is nil", OpIndex: -1, Offset: -1}
	}
	sub := &Subscription{fn: fn}
	sub.cgoRef = cgo.NewHandle(sub)
	pp, np := text([]byte(pointer))
	var handle *C.ags_subscription
	err := s.with(func(h *C.ags_store) C.ags_status {
		return C.agstate_go_subscribe(h, pp, np, C.uintptr_t(sub.cgoRef), &handle)
	})
	if err != nil {
		sub.cgoRef.Delete()
		return nil, err
	}
	sub.handle = handle
	return sub, nil
}

func (sub *Subscription) deliver(version uint64, patch []byte) (status int) {
	defer func() {
		if r := recover(); r != nil {
			sub.record(fmt.Errorf("agstate: subscription callback panicked at version %d: %v", version, r))
			status = 1
		}
	}()
	if err := sub.fn(version, patch); err != nil {
		sub.record(fmt.Errorf("agstate: subscription callback failed at version %d: %w", version, err))
		return 1
	}
	return 0
}

func (sub *Subscription) record(err error) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if len(sub.errs) == maxKeptErrors {
		sub.errs = sub.errs[1:]
	}
	sub.errs = append(sub.errs, err)
}

// Errors returns the latest failures of the callback (at most 100), oldest first.
func (sub *Subscription) Errors() []error {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return append([]error(nil), sub.errs...)
}

// Failures counts the callback's failures since the subscription began.
func (sub *Subscription) Failures() (uint64, error) {
	sub.mu.Lock()
	handle := sub.handle
	sub.mu.Unlock()
	if handle == nil {
		return 0, &Error{Code: ErrClosed, Message: "the subscription is closed", OpIndex: -1, Offset: -1}
	}
	var count C.uint64_t
	err := call(func() C.ags_status { return C.ags_subscription_failures(handle, &count) })
	return uint64(count), err
}

// Close stops deliveries: when it returns, the callback is not running on another goroutine and will not
// be called again. Closing twice is harmless.
func (sub *Subscription) Close() error {
	sub.mu.Lock()
	handle := sub.handle
	sub.handle = nil
	sub.mu.Unlock()
	if handle != nil {
		C.ags_subscription_close(handle)
		sub.cgoRef.Delete()
	}
	return nil
}
