package agstate

/*
#include <stdint.h>
#include "agstate.h"
ags_status agstate_go_set_log(ags_registry *registry, int min_level, uintptr_t handle);
ags_status agstate_go_set_span(ags_registry *registry, uintptr_t handle);
*/
import "C"

import (
	"encoding/json"
	"runtime/cgo"
	"time"
	"unsafe"
)

// LogLevel is the level of an engine log record; the values are those of log/slog (Debug -4, Info 0,
// Warn 4, Error 8), so that a host on Go 1.21 or later converts with slog.Level(level).
type LogLevel int

const (
	LogDebug LogLevel = -4
	LogInfo  LogLevel = 0
	LogWarn  LogLevel = 4
	LogError LogLevel = 8
)

// LogHandler receives the engine's log records. It is shaped after log/slog's Handler (this module builds
// with Go 1.19, which has no log/slog): a host on a newer Go adapts an slog.Handler in a few lines, calling
// Enabled and Handle with slog.Level(level) and the attributes as slog.Any pairs.
type LogHandler interface {
	Enabled(level LogLevel) bool
	Handle(level LogLevel, message string, attrs map[string]any)
}

// Span is one finished engine operation, for a tracer.
type Span struct {
	Operation string // "commit", "load", "evict"
	StoreID   string
	Version   uint64
	Duration  time.Duration
	Status    Status // 0 for success
}

type registryHook struct {
	log  LogHandler
	span func(Span)
}

func nativeLevel(l LogLevel) C.int {
	switch {
	case l <= LogDebug:
		return C.AGS_LOG_DEBUG
	case l <= LogInfo:
		return C.AGS_LOG_INFO
	case l <= LogWarn:
		return C.AGS_LOG_WARNING
	default:
		return C.AGS_LOG_ERROR
	}
}

func goLevel(l C.int) LogLevel {
	switch {
	case l >= C.AGS_LOG_ERROR:
		return LogError
	case l >= C.AGS_LOG_WARNING:
		return LogWarn
	case l >= C.AGS_LOG_INFO:
		return LogInfo
	default:
		return LogDebug
	}
}

// SetLogHandler routes the engine's log records to h (records at the lowest level h is Enabled for);
// nil stops them. Records: evictions (debug), limit and rate refusals, budget refusals, health not ok.
func (r *Registry) SetLogHandler(h LogHandler) error {
	if h == nil {
		return r.with(func(reg *C.ags_registry) C.ags_status { return C.ags_registry_set_log(reg, C.AGS_LOG_DEBUG, nil, nil) })
	}
	min := LogError
	for _, l := range []LogLevel{LogWarn, LogInfo, LogDebug} {
		if h.Enabled(l) {
			min = l
		}
	}
	handle := cgo.NewHandle(&registryHook{log: h})
	err := r.with(func(reg *C.ags_registry) C.ags_status {
		return C.agstate_go_set_log(reg, nativeLevel(min), C.uintptr_t(handle))
	})
	r.keep(handle, err)
	return err
}

// SetSpanHandler calls f with a Span after every commit, store load and eviction, on the goroutine that
// did it; nil stops them.
func (r *Registry) SetSpanHandler(f func(Span)) error {
	if f == nil {
		return r.with(func(reg *C.ags_registry) C.ags_status { return C.ags_registry_set_span(reg, nil, nil) })
	}
	handle := cgo.NewHandle(&registryHook{span: f})
	err := r.with(func(reg *C.ags_registry) C.ags_status { return C.agstate_go_set_span(reg, C.uintptr_t(handle)) })
	r.keep(handle, err)
	return err
}

// keep holds a hook's handle until Close (a replaced hook may still be running on another goroutine).
func (r *Registry) keep(handle cgo.Handle, err error) {
	if err != nil {
		handle.Delete()
		return
	}
	r.mu.Lock()
	r.hooks = append(r.hooks, handle)
	r.mu.Unlock()
}

//export agstateGoLog
func agstateGoLog(handle C.uintptr_t, level C.int, record *C.char, n C.size_t) {
	hook, ok := cgo.Handle(handle).Value().(*registryHook)
	if !ok || hook.log == nil {
		return
	}
	var attrs map[string]any
	if json.Unmarshal(C.GoBytes(unsafe.Pointer(record), C.int(n)), &attrs) != nil {
		return
	}
	message, _ := attrs["message"].(string)
	delete(attrs, "message")
	delete(attrs, "level")
	l := goLevel(level)
	if hook.log.Enabled(l) {
		hook.log.Handle(l, message, attrs)
	}
}

//export agstateGoSpan
func agstateGoSpan(handle C.uintptr_t, span *C.ags_span) {
	hook, ok := cgo.Handle(handle).Value().(*registryHook)
	if !ok || hook.span == nil {
		return
	}
	hook.span(Span{
		Operation: C.GoString(span.operation),
		StoreID:   C.GoStringN(span.store_id, C.int(span.store_id_len)),
		Version:   uint64(span.version),
		Duration:  time.Duration(span.duration_ns),
		Status:    Status(span.status),
	})
}
