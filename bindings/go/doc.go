// Package agstate is the Go binding of agstate, the state engine for AG-UI: JSON state with versions,
// changed by JSON Pointer (RFC 6901), JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7386), strictly and
// atomically. It is a thin layer over the C library (include/agstate.h): the same engine answers C,
// Python and Go with the same bytes.
//
// Building needs the header and the library: the header is found beside this module in the source tree,
// the library through CGO_LDFLAGS (for example -L/path/to/lib -Wl,-rpath,/path/to/lib) or a system path.
//
// Documents, values, patches and events are JSON text ([]byte). A Go value becomes that text through
// encoding/json: anything json.Marshal accepts (maps, slices, structs with json tags such as an AG-UI SDK's
// event and message types) can be passed as json.Marshal's result; EventValidator.FeedValue does the
// marshaling for an event.
//
// Errors are *Error values; errors.Is(err, ErrPathNotFound) and the other Err* codes tell the cause.
//
// Many conversations in one process: OpenRegistry hands out stores by id (Registry.Get, whose Store is the
// caller's hold until closed), evicts idle ones under a memory budget, enforces content limits
// (Registry.SetLimit) and rate limits per client (PatchOptions.ClientID; ErrRateLimited with
// Error.RetryAfter), and exposes metrics (WriteMetrics, MetricsHandler for net/http), health, log records
// (SetLogHandler, a LogHandler shaped like log/slog's Handler: this module builds with Go 1.19, which has
// no log/slog) and spans (SetSpanHandler).
package agstate
