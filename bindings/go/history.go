package agstate

/*
#include "agstate.h"
*/
import "C"

// HistoryRange returns the oldest version whose state can be rebuilt and the current version.
func (s *Store) HistoryRange() (oldest, newest uint64, err error) {
	var o, n C.uint64_t
	err = s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_history_range(h, &o, &n) })
	return uint64(o), uint64(n), err
}

func (s *Store) text(f func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status) ([]byte, error) {
	var out *C.char
	var n C.size_t
	if err := s.with(func(h *C.ags_store) C.ags_status { return f(h, &out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

// History returns the kept changes after since, oldest first, as JSON:
// [{"version":5,"patch":[...]}, ...]. ErrNotInHistory when some are no longer kept.
func (s *Store) History(since uint64) ([]byte, error) {
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_history(h, C.uint64_t(since), 0, out, n)
	})
}

// StateAt returns the state as it was at version. ErrNotInHistory when the history no longer reaches it.
func (s *Store) StateAt(version uint64) ([]byte, error) {
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_state_at(h, C.uint64_t(version), 0, out, n)
	})
}

// DeltaSince returns one JSON Patch from the state of version to the current state. ErrNotInHistory when
// the history no longer reaches version: send SnapshotEvent instead.
func (s *Store) DeltaSince(version uint64) ([]byte, error) {
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_delta_since(h, C.uint64_t(version), 0, out, n)
	})
}

// SnapshotEvent returns a STATE_SNAPSHOT event of the current state, as JSON or as an SSE frame.
func (s *Store) SnapshotEvent(sse bool) ([]byte, error) {
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_snapshot_event(h, sseFlag(sse), out, n)
	})
}

// DeltaEvent returns a STATE_DELTA event taking a client at version since to the current state.
func (s *Store) DeltaEvent(since uint64, sse bool) ([]byte, error) {
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_delta_event(h, C.uint64_t(since), sseFlag(sse), out, n)
	})
}

// ApplyEvent applies a STATE_SNAPSHOT or STATE_DELTA event (JSON text) as one change and returns the new
// version. A delta that does not apply fails with the operation's index and path; nothing changes.
func (s *Store) ApplyEvent(event []byte, lenient bool) (uint64, error) {
	pe, ne := text(event)
	var v C.uint64_t
	options := commitOptions(lenient, false)
	err := s.with(func(h *C.ags_store) C.ags_status { return C.ags_store_apply_event(h, pe, ne, &options, &v) })
	return uint64(v), err
}

// DeltaEventFor wraps a JSON Patch (such as one a subscription received) in a STATE_DELTA event.
func DeltaEventFor(patch []byte, sse bool) ([]byte, error) {
	pp, np := text(patch)
	var out *C.char
	var n C.size_t
	if err := call(func() C.ags_status { return C.ags_delta_event(pp, np, sseFlag(sse), &out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

// EncodeSSE frames any AG-UI event (JSON text, an object) for Server-Sent Events: "data: <compact JSON>\n\n",
// written by the engine, so C, Python and Go frame an event with the same bytes.
func EncodeSSE(event []byte) ([]byte, error) {
	pe, ne := text(event)
	var out *C.char
	var n C.size_t
	if err := call(func() C.ags_status { return C.ags_event_encode(pe, ne, C.AGS_EVENT_SSE, &out, &n) }); err != nil {
		return nil, err
	}
	return take(out, n), nil
}

func sseFlag(sse bool) C.ags_event_flags {
	if sse {
		return C.AGS_EVENT_SSE
	}
	return 0
}

func lenientFlag(lenient bool) C.ags_patch_flags {
	if lenient {
		return C.AGS_PATCH_LENIENT
	}
	return 0
}
