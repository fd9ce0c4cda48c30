package agstate

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -lagstate
#include <stdlib.h>
#include "agstate.h"
*/
import "C"

import (
	"fmt"
	"math"
	"runtime"
	"time"
	"unsafe"
)

// call runs one C function and, when it fails, reads the last error on the same OS thread: the error is
// kept per thread, and a goroutine could otherwise move to another thread between the two calls.
func call(f func() C.ags_status) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if status := f(); status != C.AGS_OK {
		return lastError(Status(status))
	}
	return nil
}

func lastError(status Status) error {
	last := C.ags_errlast()
	e := &Error{Code: status, Message: C.GoString(last.message), OpIndex: int(last.op_index), Offset: int64(last.offset),
		RetryAfter: time.Duration(last.retry_after_ms) * time.Millisecond}
	if p := last.pointer; p != nil {
		e.Pointer = C.GoString(p)
		e.HasPointer = true
	}
	return e
}

// cInt converts a Go int to the C int a function takes, or returns an ErrInvalidArgument error when it does
// not fit (a conversion would keep only its low 32 bits: another limit, codec or level than the one named).
func cInt(value int, what string) (C.int, error) {
	if value < math.MinInt32 || value > math.MaxInt32 {
		return 0, &Error{Code: ErrInvalidArgument, Message: fmt.Sprintf("%s %d is out of the range of a C int", what, value),
			OpIndex: -1, Offset: -1}
	}
	return C.int(value), nil
}

// text gives C a view of b. Empty input is passed as a NULL pointer with length 0.
func text(b []byte) (*C.char, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.char)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// take copies library-allocated output into Go memory and releases it.
func take(out *C.char, n C.size_t) []byte {
	defer C.ags_free(unsafe.Pointer(out))
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(out)), int(n))...)
}

// LibVersion is the version of the linked C library, e.g. "0.1.0".
func LibVersion() string { return C.GoString(C.ags_libversion()) }

// HeaderVersion is the version of the header this package was compiled against.
const HeaderVersion = C.AGS_VERSION
