package agstate

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// headerValues reads every `#define AGS_*` number and every enum entry AGS_* from the header's text. Values
// spelled with SIZE_MAX, UINT64_MAX or (size_t)-1 are the 64-bit maximum, as on every platform the module
// builds for; an initialiser ({...}) or a string is left to other checks.
func headerValues(t *testing.T) (map[string]uint64, []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "include", "agstate.h"))
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(data), "")
	values := map[string]uint64{}
	var order []string
	parse := func(name, value string) {
		value = strings.TrimSpace(value)
		if strings.HasPrefix(value, "{") || strings.HasPrefix(value, `"`) {
			return
		}
		var v uint64
		switch value {
		case "SIZE_MAX", "UINT64_MAX", "((size_t)-1)":
			v = ^uint64(0)
		default:
			digits := strings.TrimRight(value, "uUlL")
			parsed, err := strconv.ParseUint(digits, 0, 64)
			if err != nil {
				t.Fatalf("%s: cannot read the value %q", name, value)
			}
			v = parsed
		}
		if _, twice := values[name]; twice {
			t.Fatalf("%s is defined twice", name)
		}
		values[name] = v
		order = append(order, name)
	}
	for _, m := range regexp.MustCompile(`(?m)^\s*#\s*define\s+(AGS_\w+)[ \t]+(.+)$`).FindAllStringSubmatch(text, -1) {
		parse(m[1], m[2])
	}
	for _, body := range regexp.MustCompile(`(?s)\benum\b[^{;]*\{([^}]*)\}`).FindAllStringSubmatch(text, -1) {
		for _, entry := range strings.Split(body[1], ",") {
			name, value, found := strings.Cut(entry, "=")
			name = strings.TrimSpace(name)
			if !strings.HasPrefix(name, "AGS_") || !found {
				if strings.HasPrefix(name, "AGS_") {
					t.Fatalf("%s has no explicit value: give it one in the header", name)
				}
				continue
			}
			parse(name, value)
		}
	}
	return values, order
}

func TestEveryHeaderConstantAsCgoSeesIt(t *testing.T) {
	values, order := headerValues(t)
	if len(order) < 60 {
		t.Fatalf("only %d constants read from the header", len(order))
	}
	for _, name := range order {
		got, known := headerConstants[name]
		if !known {
			t.Errorf("%s is in the header but not in constants.go's table", name)
			continue
		}
		if got != values[name] {
			t.Errorf("%s: the header's text says %d, cgo %d", name, values[name], got)
		}
	}
	for name := range headerConstants {
		if _, ok := values[name]; !ok {
			t.Errorf("%s is in constants.go but no longer in the header", name)
		}
	}
}

func TestExportedConstantsAreTheHeaders(t *testing.T) {
	values, _ := headerValues(t)
	exported := map[string]uint64{
		"AGS_ERR_INVALID_ARGUMENT": uint64(ErrInvalidArgument), "AGS_ERR_INVALID_JSON": uint64(ErrInvalidJSON),
		"AGS_ERR_INVALID_POINTER": uint64(ErrInvalidPointer), "AGS_ERR_INVALID_PATCH": uint64(ErrInvalidPatch),
		"AGS_ERR_PATH_NOT_FOUND": uint64(ErrPathNotFound), "AGS_ERR_TEST_FAILED": uint64(ErrTestFailed),
		"AGS_ERR_CONFLICT": uint64(ErrConflict), "AGS_ERR_LIMIT_EXCEEDED": uint64(ErrLimitExceeded),
		"AGS_ERR_CLOSED": uint64(ErrClosed), "AGS_ERR_IO": uint64(ErrIO), "AGS_ERR_NO_MEMORY": uint64(ErrNoMemory),
		"AGS_ERR_INTERNAL": uint64(ErrInternal), "AGS_ERR_NOT_IN_HISTORY": uint64(ErrNotInHistory),
		"AGS_ERR_CORRUPT_DATA": uint64(ErrCorruptData), "AGS_ERR_LOCKED": uint64(ErrLocked),
		"AGS_ERR_RATE_LIMITED": uint64(ErrRateLimited), "AGS_ERR_UNAVAILABLE": uint64(ErrUnavailable),
		"AGS_JSON_PRETTY": uint64(Pretty), "AGS_JSON_SORT_KEYS": uint64(SortKeys),
		"AGS_JSON_ALLOW_DUPLICATES": uint64(AllowDuplicates),
		"AGS_LIMIT_DEPTH":           uint64(LimitDepth), "AGS_LIMIT_INPUT_BYTES": uint64(LimitInputBytes),
		"AGS_LIMIT_HISTORY_VERSIONS": uint64(LimitHistoryVersions), "AGS_LIMIT_HISTORY_BYTES": uint64(LimitHistoryBytes),
		"AGS_CODEC_IDENTITY": uint64(Identity), "AGS_CODEC_GZIP": uint64(Gzip), "AGS_CODEC_ZLIB": uint64(Zlib),
		"AGS_CODEC_DEFLATE": uint64(Deflate), "AGS_CODEC_ZSTD": uint64(Zstd),
		"AGS_ENVELOPE_THRESHOLD": EnvelopeThreshold,
		"AGS_STRATEGY_DEFAULT":   uint64(StrategyDefault), "AGS_STRATEGY_REJECT": uint64(StrategyReject),
		"AGS_STRATEGY_REBASE": uint64(StrategyRebase), "AGS_STRATEGY_LAST_WRITE_WINS": uint64(StrategyLastWriteWins),
		"AGS_STRATEGY_FIRST_WRITE_WINS": uint64(StrategyFirstWriteWins), "AGS_STRATEGY_MERGE": uint64(StrategyMerge),
		"AGS_STRATEGY_CUSTOM":                uint64(StrategyCustom),
		"AGS_DEFAULT_MAX_DECOMPRESSED_SIZE":  DefaultMaxDecompressedSize,
		"AGS_BATCHER_DEFAULT_MAX_OPERATIONS": DefaultBatchOperations, "AGS_BATCHER_DEFAULT_MAX_BYTES": DefaultBatchBytes,
		"AGS_BATCHER_DEFAULT_WINDOW_MS": DefaultBatchWindow,
		"AGS_SEVERITY_OFF":              uint64(SeverityOff), "AGS_SEVERITY_INFO": uint64(SeverityInfo),
		"AGS_SEVERITY_WARNING": uint64(SeverityWarning), "AGS_SEVERITY_ERROR": uint64(SeverityError),
		"AGS_STREAM_AUTO": uint64(FormatAuto), "AGS_STREAM_NDJSON": uint64(FormatNDJSON), "AGS_STREAM_SSE": uint64(FormatSSE),
	}
	for name, got := range exported {
		want, ok := values[name]
		if !ok {
			t.Errorf("%s is exported by the Go binding but not in the header", name)
		} else if got != want {
			t.Errorf("%s: the Go binding says %d, the header %d", name, got, want)
		}
	}
	for name, want := range values {
		if strings.HasPrefix(name, "AGS_ERR_") {
			if got := Status(want).Name(); got != name {
				t.Errorf("the library names status %d %q, the header %q", want, got, name)
			}
		}
	}
	if HeaderVersion != LibVersion() {
		t.Errorf("header %s, library %s", HeaderVersion, LibVersion())
	}
}

func TestSizeBoundsAndOptions(t *testing.T) {
	packed, err := Compress([]byte("hello hello hello"), Zstd, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decompress(packed, Zstd, -1); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a negative bound: %v", err)
	}
	if _, err := Pack([]byte("x"), Gzip, 0, -1, false); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a negative threshold: %v", err)
	}
	s, _ := NewStore([]byte(`{}`))
	defer s.Close()
	if _, err := NewBatcher(s, func([]byte, uint64, uint64) error { return nil }, BatcherOptions{MaxBytes: -1}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a negative batch bound: %v", err)
	}
	frame, err := EncodeSSE([]byte(`{ "type" : "RUN_STARTED", "threadId":"t","runId":"r"}`))
	if err != nil || string(frame) != "data: {\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\"}\n\n" {
		t.Fatalf("%q %v", frame, err)
	}
	if _, err := EncodeSSE([]byte(`[1]`)); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a non-object event: %v", err)
	}
	v, _ := NewEventValidator("strict", false)
	defer v.Close()
	if found, err := v.FeedStream([]byte("{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\"}\n"), FormatNDJSON); err != nil || found != nil {
		t.Fatalf("%v %v", found, err)
	}
	if found, err := v.Feed([]byte(`{"type":"NOPE"}`)); err != nil || len(found) != 1 || found[0].Rule != "event.type-unknown" {
		t.Fatalf("%v %v", found, err)
	}
}
