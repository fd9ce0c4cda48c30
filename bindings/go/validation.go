package agstate

/*
#include <stdlib.h>
#include "agstate.h"
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"sync"
	"unsafe"
)

// Severity is how much a finding matters.
type Severity int

const (
	SeverityOff     Severity = C.AGS_SEVERITY_OFF
	SeverityInfo    Severity = C.AGS_SEVERITY_INFO
	SeverityWarning Severity = C.AGS_SEVERITY_WARNING
	SeverityError   Severity = C.AGS_SEVERITY_ERROR
)

// StreamFormat says how FeedStream cuts its data into events.
type StreamFormat uint32

const (
	FormatAuto   StreamFormat = C.AGS_STREAM_AUTO // from the first bytes: "{" or "[" is NDJSON, anything else SSE
	FormatNDJSON StreamFormat = C.AGS_STREAM_NDJSON
	FormatSSE    StreamFormat = C.AGS_STREAM_SSE
)

// Finding is one thing the validator found. EventIndex is -1 for the end of the stream; Pointer is a JSON
// Pointer into the event, or nil where none applies.
type Finding struct {
	Rule       string  `json:"rule"`
	Severity   string  `json:"severity"`
	Message    string  `json:"message"`
	EventIndex int     `json:"eventIndex"`
	Pointer    *string `json:"pointer"`
}

// ValidatorCounts are the events seen and the findings by severity.
type ValidatorCounts struct {
	Events, Errors, Warnings, Infos int
}

// EventValidator validates a stream of AG-UI events in one pass: the AG-UI 1.0 schema of each event and
// the sequence rules of a profile ("client", "strict" or "compat"; see the README). It tracks the state
// built by STATE_SNAPSHOT/STATE_DELTA and the activities. Bad input is a Finding, never an error; errors
// are for misuse (a closed validator, an unknown rule). Safe for use by many goroutines.
type EventValidator struct {
	mu     sync.Mutex
	handle *C.ags_validator
}

// NewEventValidator opens a validator. With messages, the messages are rebuilt from the message events.
func NewEventValidator(profile string, messages bool) (*EventValidator, error) {
	return OpenEventValidator(ValidatorOptions{Profile: profile, Messages: messages})
}

// ValidatorOptions are the settings of OpenEventValidator.
type ValidatorOptions struct {
	// Profile is "client" ("" too), "strict" or "compat", in any letter case.
	Profile string
	// Messages rebuilds the messages from the message events (MessagesJSON).
	Messages bool
	// InitialState is the state the stream starts from, as JSON text (what the client sent as
	// RunAgentInput.state; json.Marshal's result for a Go value): STATE_DELTAs apply to it until a
	// STATE_SNAPSHOT replaces it. Nil: unknown; a delta before any snapshot then applies to {} where it can
	// and is reported at most as information ("state.delta-before-snapshot"). Text that is not one JSON
	// document is an error (ErrInvalidJSON).
	InitialState []byte
}

// OpenEventValidator opens a validator with options.
func OpenEventValidator(o ValidatorOptions) (*EventValidator, error) {
	var h *C.ags_validator
	// The options struct is passed by pointer, so the text it points to must be C memory (cgo's rule).
	name := C.CString(o.Profile)
	defer C.free(unsafe.Pointer(name))
	var options C.ags_validator_options
	C.ags_validator_options_init(&options, C.AGS_VALIDATOR_OPTIONS_VERSION)
	options.profile, options.profile_len = name, C.size_t(len(o.Profile))
	if o.Messages {
		options.flags = C.AGS_VALIDATE_MESSAGES
	}
	if o.InitialState != nil {
		state := C.CBytes(o.InitialState)
		defer C.free(state)
		options.initial_state, options.initial_state_len = (*C.char)(state), C.size_t(len(o.InitialState))
	}
	err := call(func() C.ags_status { return C.ags_validator_open(&options, &h) })
	if err != nil {
		return nil, err
	}
	v := &EventValidator{handle: h}
	runtime.SetFinalizer(v, (*EventValidator).Close)
	return v, nil
}

func closedValidator() error {
	return &Error{Code: ErrClosed, Message: "the validator is closed", OpIndex: -1, Offset: -1}
}

func (v *EventValidator) findings(f func(h *C.ags_validator, out **C.char, n *C.size_t) C.ags_status) ([]Finding, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.handle == nil {
		return nil, closedValidator()
	}
	h := v.handle
	var out *C.char
	var n C.size_t
	if err := call(func() C.ags_status { return f(h, &out, &n) }); err != nil {
		return nil, err
	}
	if out == nil { // no findings: the library allocated nothing
		return nil, nil
	}
	var list []Finding
	if err := json.Unmarshal(take(out, n), &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// SetSeverity sets a rule's severity (SeverityOff silences it).
func (v *EventValidator) SetSeverity(rule string, severity Severity) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.handle == nil {
		return closedValidator()
	}
	level, err := cInt(int(severity), "the severity")
	if err != nil {
		return err
	}
	p, n := text([]byte(rule))
	return call(func() C.ags_status { return C.ags_validator_set_severity(v.handle, p, n, level) })
}

// Feed validates one event, given as JSON text or as one Server-Sent Events frame ("data: {...}\n\n", as
// an SDK's encoder writes it), and returns the findings it produced (nil when none).
func (v *EventValidator) Feed(event []byte) ([]Finding, error) {
	p, n := text(event)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.handle == nil {
		return nil, closedValidator()
	}
	var out *C.char
	var on C.size_t
	if err := call(func() C.ags_status { return C.ags_validator_feed(v.handle, p, n, &out, &on) }); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, nil
	}
	var list []Finding
	return list, json.Unmarshal(take(out, on), &list)
}

// FeedValue validates one event given as a Go value: whatever encoding/json marshals (a map, or a struct
// with json tags such as an AG-UI SDK's event types) is marshaled and fed as Feed feeds its text. A value
// encoding/json cannot marshal is an error, not a finding.
func (v *EventValidator) FeedValue(event any) ([]Finding, error) {
	data, err := json.Marshal(event)
	if err != nil {
		return nil, &Error{Code: ErrInvalidArgument, Message: "the event cannot be marshaled as JSON: " + err.Error(), OpIndex: -1, Offset: -1}
	}
	return v.Feed(data)
}

// FeedStream validates the events in a piece of an NDJSON or SSE stream; a frame cut at the end waits for
// the next call. It returns the findings of the events it completed.
func (v *EventValidator) FeedStream(data []byte, format StreamFormat) ([]Finding, error) {
	p, n := text(data)
	return v.findings(func(h *C.ags_validator, out **C.char, on *C.size_t) C.ags_status {
		return C.ags_validator_feed_stream(h, p, n, C.ags_stream_format(format), out, on)
	})
}

// Finalize ends the stream and returns the end-of-stream findings.
func (v *EventValidator) Finalize() ([]Finding, error) {
	return v.findings(func(h *C.ags_validator, out **C.char, on *C.size_t) C.ags_status {
		return C.ags_validator_finish(h, out, on)
	})
}

// Findings returns every finding so far (the first 10,000).
func (v *EventValidator) Findings() ([]Finding, error) {
	list, err := v.findings(func(h *C.ags_validator, out **C.char, on *C.size_t) C.ags_status {
		return C.ags_validator_findings(h, out, on)
	})
	return list, err
}

func (v *EventValidator) document(f func(h *C.ags_validator, out **C.char, n *C.size_t) C.ags_status) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.handle == nil {
		return nil, closedValidator()
	}
	h := v.handle
	return output(func(out **C.char, n *C.size_t) C.ags_status { return f(h, out, n) })
}

// StateJSON returns the tracked state as JSON text.
func (v *EventValidator) StateJSON() ([]byte, error) {
	return v.document(func(h *C.ags_validator, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_validator_state(h, 0, out, n)
	})
}

// ActivitiesJSON returns the tracked activities as JSON text, by message id.
func (v *EventValidator) ActivitiesJSON() ([]byte, error) {
	return v.document(func(h *C.ags_validator, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_validator_activities(h, 0, out, n)
	})
}

// MessagesJSON returns the rebuilt messages as JSON text (a validator opened with messages).
func (v *EventValidator) MessagesJSON() ([]byte, error) {
	return v.document(func(h *C.ags_validator, out **C.char, n *C.size_t) C.ags_status {
		return C.ags_validator_messages(h, 0, out, n)
	})
}

// Counts returns the events seen and the findings by severity so far.
func (v *EventValidator) Counts() (ValidatorCounts, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.handle == nil {
		return ValidatorCounts{}, closedValidator()
	}
	var events, errors, warnings, infos C.size_t
	err := call(func() C.ags_status { return C.ags_validator_counts(v.handle, &events, &errors, &warnings, &infos) })
	return ValidatorCounts{int(events), int(errors), int(warnings), int(infos)}, err
}

// Close releases the validator. Closing twice is harmless.
func (v *EventValidator) Close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.handle != nil {
		C.ags_validator_close(v.handle)
		v.handle = nil
	}
}
