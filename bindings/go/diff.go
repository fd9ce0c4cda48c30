package agstate

/*
#include "agstate.h"
*/
import "C"

// DiffOptions adjust MakePatch.
type DiffOptions struct {
	// FewestBytes replaces a whole object or array where that is shorter than the operations inside it.
	FewestBytes bool
	// TestGuards puts a "test" of the old value before every "replace" and "remove".
	TestGuards bool
	// Verify re-applies the patch and compares the result before returning it.
	Verify bool
}

// MakePatch returns the JSON Patch that turns a into b: applying it to a gives b exactly, always.
func MakePatch(a, b []byte, opts DiffOptions) ([]byte, error) {
	pa, na := text(a)
	pb, nb := text(b)
	var options C.ags_diff_options
	C.ags_diff_options_init(&options, C.AGS_DIFF_OPTIONS_VERSION)
	if opts.FewestBytes {
		options.flags |= C.AGS_DIFF_FEWEST_BYTES
	}
	if opts.TestGuards {
		options.flags |= C.AGS_DIFF_TEST_GUARDS
	}
	if opts.Verify {
		options.flags |= C.AGS_DIFF_VERIFY
	}
	return output(func(out **C.char, n *C.size_t) C.ags_status { return C.ags_diff(pa, na, pb, nb, &options, out, n) })
}

// MakeMergePatch returns the JSON Merge Patch that turns a into b; ErrInvalidArgument when none exists.
func MakeMergePatch(a, b []byte) ([]byte, error) {
	pa, na := text(a)
	pb, nb := text(b)
	return output(func(out **C.char, n *C.size_t) C.ags_status { return C.ags_merge_diff(pa, na, pb, nb, 0, out, n) })
}

// Compact returns one JSON Patch equivalent to patches (one patch, or a JSON array of patches), usually
// shorter: for every document the sequence applies to, it gives the same result.
func Compact(patches []byte) ([]byte, error) {
	p, n := text(patches)
	return output(func(out **C.char, on *C.size_t) C.ags_status { return C.ags_compact(p, n, 0, out, on) })
}

// Diff returns a JSON Patch from the state of version from to the state of version to (either may be the
// older), made from the recorded changes and compacted.
func (s *Store) Diff(from, to uint64) ([]byte, error) {
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_diff(h, C.uint64_t(from), C.uint64_t(to), 0, out, n)
	})
}

// DiffSnapshot returns a JSON Patch from snap to the current state: from the recorded changes when snap was
// taken from this store and the history reaches it, otherwise by comparing the two states.
func (s *Store) DiffSnapshot(snap *Snapshot) ([]byte, error) {
	sh, err := snap.live()
	if err != nil {
		return nil, err
	}
	return s.text(func(h *C.ags_store, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_store_diff_snapshot(h, sh, 0, out, n)
	})
}
