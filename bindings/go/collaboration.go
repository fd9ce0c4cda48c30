package agstate

/*
#include <stdint.h>
#include <stdlib.h>
#include "agstate.h"
void agstate_go_set_resolver(ags_commit_options *options, uintptr_t handle);
ags_status agstate_go_watch_locks(ags_store *store, uintptr_t handle, ags_watch **watch);
ags_status agstate_go_watch_presence(ags_store *store, uintptr_t handle, ags_watch **watch);
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// Strategy says how a patch made against an older version (PatchOptions.BaseVersion) is applied when
// changes were committed since (see the header's ags_strategy and the README's table).
type Strategy uint32

const (
	StrategyDefault        Strategy = C.AGS_STRATEGY_DEFAULT // the store's (SetStrategy; rebase unless set)
	StrategyReject         Strategy = C.AGS_STRATEGY_REJECT
	StrategyRebase         Strategy = C.AGS_STRATEGY_REBASE
	StrategyLastWriteWins  Strategy = C.AGS_STRATEGY_LAST_WRITE_WINS
	StrategyFirstWriteWins Strategy = C.AGS_STRATEGY_FIRST_WRITE_WINS
	StrategyMerge          Strategy = C.AGS_STRATEGY_MERGE
	StrategyCustom         Strategy = C.AGS_STRATEGY_CUSTOM
)

// Conflict is one conflicting location as a custom resolver sees it: JSON texts, nil where the location
// holds nothing.
type Conflict struct {
	Path                    string
	Base, Current, Proposed []byte
}

// Resolution is a resolver's answer: Refuse (the commit fails with ErrConflict), Remove (leave nothing
// there), or Value (JSON text to keep).
type Resolution struct {
	Refuse bool
	Remove bool
	Value  []byte
}

// Resolver decides each conflict under StrategyCustom. It runs during the commit, on the committing
// goroutine's thread, and must not commit to the same store. A panic refuses.
type Resolver func(Conflict) Resolution

// resolverCall carries a Resolver through one commit and frees the C copies of its values afterwards.
type resolverCall struct {
	fn   Resolver
	kept []unsafe.Pointer
}

func bytesOrNil(p *C.char, n C.size_t) []byte {
	if p == nil {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(p), C.int(n))
}

func (r *resolverCall) resolve(conflict, value, n unsafe.Pointer) (answer int32) {
	defer func() {
		if recover() != nil {
			answer = int32(C.AGS_RESOLVE_REFUSE)
		}
	}()
	c := (*C.ags_conflict)(conflict)
	res := r.fn(Conflict{
		Path:     C.GoStringN(c.path, C.int(c.path_len)),
		Base:     bytesOrNil(c.base, c.base_len),
		Current:  bytesOrNil(c.current, c.current_len),
		Proposed: bytesOrNil(c.proposed, c.proposed_len),
	})
	switch {
	case res.Refuse:
		return int32(C.AGS_RESOLVE_REFUSE)
	case res.Remove:
		return int32(C.AGS_RESOLVE_REMOVE)
	case res.Value == nil:
		return int32(C.AGS_RESOLVE_REFUSE)
	}
	copied := C.CBytes(res.Value)
	r.kept = append(r.kept, copied)
	*(**C.char)(value) = (*C.char)(copied)
	*(*C.size_t)(n) = C.size_t(len(res.Value))
	return int32(C.AGS_RESOLVE_KEEP_VALUE)
}

func (r *resolverCall) free() {
	for _, p := range r.kept {
		C.free(p)
	}
	r.kept = nil
}

// withCollaboration fills the collaboration members of options from opts and runs f; C copies are freed
// after.
func withCollaboration(options *C.ags_commit_options, opts PatchOptions, f func() error) error {
	if opts.BaseVersion != nil {
		options.base_version = C.uint64_t(*opts.BaseVersion)
	}
	options.strategy = C.ags_strategy(opts.Strategy)
	if opts.Author != "" {
		author := C.CString(opts.Author)
		defer C.free(unsafe.Pointer(author))
		options.author = author
		options.author_len = C.size_t(len(opts.Author))
	}
	if opts.Resolver != nil {
		call := &resolverCall{fn: opts.Resolver}
		handle := cgo.NewHandle(call)
		defer handle.Delete()
		defer call.free()
		C.agstate_go_set_resolver(options, C.uintptr_t(handle))
	}
	return f()
}

// MaxTTLMillis is the longest lease or presence TTL, a day (the header's AGS_MAX_TTL_MS); a TTL is 1 to it.
const MaxTTLMillis = C.AGS_MAX_TTL_MS

// SetStrategy sets the store's default strategy (StrategyReject to StrategyCustom).
func (s *Store) SetStrategy(strategy Strategy) error {
	return s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_set_strategy(h, C.ags_strategy(strategy)) })
}

// Strategy returns the store's default strategy.
func (s *Store) Strategy() (Strategy, error) {
	var v C.ags_strategy
	err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_strategy(h, &v) })
	return Strategy(v), err
}

// Conflicts returns the conflict log after sequence (0: all kept) as JSON: [{"sequence","author",
// "base_version","version","strategy","outcome","conflicts":[{"path","outcome"}]}]; a conflict met when a
// hybrid storage replayed its fallback's changes adds "kind":"replay", "primary_version", "theirs" (the
// primary's changes, one JSON Patch) and "mine" ([{"version","author","patch"}]).
func (s *Store) Conflicts(after uint64) ([]byte, error) {
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_conflicts(h, C.uint64_t(after), 0, out, n)
	})
}

// AuthorOf returns who committed version ("" when nobody was named): a subscriber learns a change's author.
func (s *Store) AuthorOf(version uint64) (string, error) {
	b, err := s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_author(h, C.uint64_t(version), out, n)
	})
	return string(b), err
}

func (s *Store) withOwner(pointer, owner string, f func(h *C.ags_store, p *C.char, np C.size_t, o *C.char, no C.size_t) C.ags_status) error {
	pb, ob := []byte(pointer), []byte(owner)
	pp, np := text(pb)
	op, no := text(ob)
	return s.with(func(h *C.ags_store) C.ags_status { return f(h, pp, np, op, no) })
}

// Lock takes (or renews, for its owner) a lease on pointer for ttlMillis. While it holds, commits by other
// authors at, inside or above pointer fail with ErrLocked; ErrLocked when another owner holds one there.
func (s *Store) Lock(pointer, owner string, ttlMillis uint64) error {
	return s.withOwner(pointer, owner, func(h *C.ags_store, p *C.char, np C.size_t, o *C.char, no C.size_t) C.ags_status {
		return C.ags_store_lock(h, p, np, o, no, C.uint64_t(ttlMillis))
	})
}

// RenewLock extends owner's lease on pointer; ErrPathNotFound when it has none (it expired).
func (s *Store) RenewLock(pointer, owner string, ttlMillis uint64) error {
	return s.withOwner(pointer, owner, func(h *C.ags_store, p *C.char, np C.size_t, o *C.char, no C.size_t) C.ags_status {
		return C.ags_store_renew_lock(h, p, np, o, no, C.uint64_t(ttlMillis))
	})
}

// Unlock releases owner's lease on pointer.
func (s *Store) Unlock(pointer, owner string) error {
	return s.withOwner(pointer, owner, func(h *C.ags_store, p *C.char, np C.size_t, o *C.char, no C.size_t) C.ags_status {
		return C.ags_store_unlock(h, p, np, o, no)
	})
}

// Locks returns the leases in force as JSON: [{"path","owner","expires_in_ms"}].
func (s *Store) Locks() ([]byte, error) {
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status { return C.ags_store_locks(h, 0, out, n) })
}

// SetPresence sets, or renews with a heartbeat, client's presence (small JSON value) for ttlMillis.
func (s *Store) SetPresence(client string, value []byte, ttlMillis uint64) error {
	cb := []byte(client)
	cp, cn := text(cb)
	vp, vn := text(value)
	return s.with(func(h *C.ags_store) C.ags_status {
		return C.ags_store_presence_set(h, cp, cn, vp, vn, C.uint64_t(ttlMillis))
	})
}

// Leave removes client's presence; ErrPathNotFound when it had none.
func (s *Store) Leave(client string) error {
	cb := []byte(client)
	cp, cn := text(cb)
	return s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_presence_leave(h, cp, cn) })
}

// Presence returns who is present as JSON: {client: value}.
func (s *Store) Presence() ([]byte, error) {
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_presence(h, 0, out, n)
	})
}

// Expire drops the leases and presence entries whose time is up, telling their watchers.
func (s *Store) Expire() error {
	return s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_expire(h) })
}

// Watch receives a store's lock or presence events (JSON objects, see the header) until Close.
type Watch struct {
	mu     sync.Mutex
	handle *C.ags_watch
	fn     func(event []byte)
	cgoRef cgo.Handle
}

func (w *Watch) deliver(event []byte) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Printf("agstate: watch callback panicked: %v\n", r)
		}
	}()
	w.fn(event)
}

func (s *Store) watch(fn func(event []byte), open func(h *C.ags_store, ref C.uintptr_t, out **C.ags_watch) C.ags_status) (*Watch, error) {
	if fn == nil {
		return nil, &Error{Code: ErrInvalidArgument, Message: "the callback is nil", OpIndex: -1, Offset: -1}
	}
	w := &Watch{fn: fn}
	w.cgoRef = cgo.NewHandle(w)
	var handle *C.ags_watch
	if err := s.with(func(h *C.ags_store) C.ags_status { return open(h, C.uintptr_t(w.cgoRef), &handle) }); err != nil {
		w.cgoRef.Delete()
		return nil, err
	}
	w.handle = handle
	return w, nil
}

// WatchLocks calls fn with every lease taken, renewed, released or expired.
func (s *Store) WatchLocks(fn func(event []byte)) (*Watch, error) {
	return s.watch(fn, func(h *C.ags_store, ref C.uintptr_t, out **C.ags_watch) C.ags_status {
		return C.agstate_go_watch_locks(h, ref, out)
	})
}

// WatchPresence calls fn when a client joins, updates, leaves or expires.
func (s *Store) WatchPresence(fn func(event []byte)) (*Watch, error) {
	return s.watch(fn, func(h *C.ags_store, ref C.uintptr_t, out **C.ags_watch) C.ags_status {
		return C.agstate_go_watch_presence(h, ref, out)
	})
}

// Close ends the watch: no call of fn starts after it returns. Harmless twice.
func (w *Watch) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.handle != nil {
		C.ags_watch_close(w.handle)
		w.handle = nil
		w.cgoRef.Delete()
	}
	return nil
}
