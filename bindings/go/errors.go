package agstate

/*
#include "agstate.h"
*/
import "C"

import "fmt"

// Status is a status code of the C library. The Err* values are Statuses, for errors.Is.
type Status int

const (
	ErrInvalidArgument Status = C.AGS_ERR_INVALID_ARGUMENT
	ErrInvalidJSON     Status = C.AGS_ERR_INVALID_JSON
	ErrInvalidPointer  Status = C.AGS_ERR_INVALID_POINTER
	ErrInvalidPatch    Status = C.AGS_ERR_INVALID_PATCH
	ErrPathNotFound    Status = C.AGS_ERR_PATH_NOT_FOUND
	ErrTestFailed      Status = C.AGS_ERR_TEST_FAILED
	ErrConflict        Status = C.AGS_ERR_CONFLICT
	ErrLimitExceeded   Status = C.AGS_ERR_LIMIT_EXCEEDED
	ErrClosed          Status = C.AGS_ERR_CLOSED
	ErrIO              Status = C.AGS_ERR_IO
	ErrNoMemory        Status = C.AGS_ERR_NO_MEMORY
	ErrInternal        Status = C.AGS_ERR_INTERNAL
	ErrNotInHistory    Status = C.AGS_ERR_NOT_IN_HISTORY
	ErrLocked          Status = C.AGS_ERR_LOCKED       // the location is locked by another owner
	ErrRateLimited     Status = C.AGS_ERR_RATE_LIMITED // a rate limit refused the call: retry later
	ErrUnavailable     Status = C.AGS_ERR_UNAVAILABLE  // a backend cannot be reached now
)

// Name is the C constant's name, e.g. "AGS_ERR_INVALID_JSON".
func (s Status) Name() string { return C.GoString(C.ags_status_name(C.ags_status(s))) }

func (s Status) Error() string { return "agstate: " + s.Name() }

// Error is a failed call: the status code, the library's message, and where it happened when known.
type Error struct {
	Code       Status
	Message    string
	Pointer    string // the JSON Pointer the failure concerns, when HasPointer
	HasPointer bool
	OpIndex    int   // the failing JSON Patch operation, or -1
	Offset     int64 // the byte offset of a JSON syntax error, or -1
}

func (e *Error) Error() string { return fmt.Sprintf("agstate: %s: %s", e.Code.Name(), e.Message) }

// Is reports whether target is this error's Status, so that errors.Is(err, ErrTestFailed) works.
func (e *Error) Is(target error) bool {
	s, ok := target.(Status)
	return ok && s == e.Code
}
