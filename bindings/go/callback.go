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

//export agstateGoBatch
func agstateGoBatch(handle C.uintptr_t, from, to C.uint64_t, event *C.char, n C.size_t) C.int {
	b, ok := cgo.Handle(handle).Value().(*Batcher)
	if !ok {
		return 1
	}
	return C.int(b.deliver(uint64(from), uint64(to), C.GoBytes(unsafe.Pointer(event), C.int(n))))
}

//export agstateGoResolve
func agstateGoResolve(handle C.uintptr_t, conflict unsafe.Pointer, value **C.char, n *C.size_t) C.int32_t {
	r, ok := cgo.Handle(handle).Value().(*resolverCall)
	if !ok {
		return 0
	}
	return C.int32_t(r.resolve(conflict, unsafe.Pointer(value), unsafe.Pointer(n)))
}

//export agstateGoWatch
func agstateGoWatch(handle C.uintptr_t, event *C.char, n C.size_t) C.int {
	w, ok := cgo.Handle(handle).Value().(*Watch)
	if !ok {
		return 1
	}
	w.deliver(C.GoBytes(unsafe.Pointer(event), C.int(n)))
	return 0
}
