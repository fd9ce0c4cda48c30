package agstate

/*
#include "agstate.h"
*/
import "C"

// Flag chooses how JSON is written (and, for FormatJSON, read).
type Flag uint32

const (
	Pretty          Flag = C.AGS_JSON_PRETTY
	SortKeys        Flag = C.AGS_JSON_SORT_KEYS
	AllowDuplicates Flag = C.AGS_JSON_ALLOW_DUPLICATES
)

// ValidateJSON checks that text is strict JSON (RFC 8259, I-JSON).
func ValidateJSON(json []byte) error {
	p, n := text(json)
	return call(func() C.ags_status { return C.ags_json_validate(p, n) })
}

// FormatJSON validates text and writes it again: compact, or as the flags say.
func FormatJSON(json []byte, flags Flag) ([]byte, error) {
	p, n := text(json)
	var out *C.char
	var outLen C.size_t
	if err := call(func() C.ags_status { return C.ags_json_format(p, n, C.ags_json_flags(flags), &out, &outLen) }); err != nil {
		return nil, err
	}
	return take(out, outLen), nil
}

// Equal compares two JSON texts as values: member order ignored, numbers by value (1 equals 1.0).
func Equal(a, b []byte) (bool, error) {
	pa, na := text(a)
	pb, nb := text(b)
	var equal C.int
	err := call(func() C.ags_status { return C.ags_json_equal(pa, na, pb, nb, &equal) })
	return equal == 1, err
}

// ResolvePointer returns the value at the RFC 6901 pointer in doc.
func ResolvePointer(doc []byte, pointer string) ([]byte, error) {
	pd, nd := text(doc)
	pp, np := text([]byte(pointer))
	var out *C.char
	var outLen C.size_t
	if err := call(func() C.ags_status { return C.ags_pointer_get(pd, nd, pp, np, 0, &out, &outLen) }); err != nil {
		return nil, err
	}
	return take(out, outLen), nil
}

// ApplyPatch applies an RFC 6902 JSON Patch to doc atomically and returns the new document.
func ApplyPatch(doc, patch []byte) ([]byte, error) {
	pd, nd := text(doc)
	pp, np := text(patch)
	var out *C.char
	var outLen C.size_t
	if err := call(func() C.ags_status { return C.ags_patch_apply(pd, nd, pp, np, 0, &out, &outLen) }); err != nil {
		return nil, err
	}
	return take(out, outLen), nil
}

// MergePatch applies an RFC 7386 JSON Merge Patch to doc and returns the new document.
func MergePatch(doc, patch []byte) ([]byte, error) {
	pd, nd := text(doc)
	pp, np := text(patch)
	var out *C.char
	var outLen C.size_t
	if err := call(func() C.ags_status { return C.ags_merge_patch_apply(pd, nd, pp, np, 0, &out, &outLen) }); err != nil {
		return nil, err
	}
	return take(out, outLen), nil
}

// Limit identifies a configurable limit.
type Limit int

const (
	LimitDepth           Limit = C.AGS_LIMIT_DEPTH
	LimitInputBytes      Limit = C.AGS_LIMIT_INPUT_BYTES
	LimitHistoryVersions Limit = C.AGS_LIMIT_HISTORY_VERSIONS
	LimitHistoryBytes    Limit = C.AGS_LIMIT_HISTORY_BYTES
)

// SetDefaultLimit sets a process-wide default limit (used by the stateless functions and by stores opened
// afterwards) and returns the value before. A negative value only reads it.
func SetDefaultLimit(limit Limit, value int64) (int64, error) {
	id, err := cInt(int(limit), "the limit id")
	if err != nil {
		return 0, err
	}
	var old C.int64_t
	err = call(func() C.ags_status { return C.ags_limit(id, C.int64_t(value), &old) })
	return int64(old), err
}
