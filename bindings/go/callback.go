package agstate

/*
#include <stdint.h>
#include <stddef.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

//export agstateGoChange
func agstateGoChange(handle C.uintptr_t, version C.uint64_t, patch *C.char, n C.size_t) C.int {
	sub, ok := cgo.Handle(handle).Value().(*Subscription)
	if !ok {
		return 1
	}
	return C.int(sub.deliver(uint64(version), C.GoBytes(unsafe.Pointer(patch), C.int(n))))
}
