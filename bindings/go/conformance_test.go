package agstate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// conformanceDir is the copy of the public conformance suites kept in test-vectors/conformance.
func conformanceDir() string {
	return filepath.Join("..", "..", "test-vectors", "conformance")
}

type patchRecord struct {
	Comment  string           `json:"comment"`
	Doc      *json.RawMessage `json:"doc"`
	Patch    *json.RawMessage `json:"patch"`
	Expected *json.RawMessage `json:"expected"`
	Error    *string          `json:"error"`
	Disabled bool             `json:"disabled"`
}

// TestJSONPatchTests runs json-patch-tests through the Go binding: every runnable record.
func TestJSONPatchTests(t *testing.T) {
	for file, runnable := range map[string]int{"tests.json": 92, "spec_tests.json": 16} {
		data, err := os.ReadFile(filepath.Join(conformanceDir(), "json-patch-tests", file))
		if err != nil {
			t.Fatal(err)
		}
		var records []patchRecord
		if err := json.Unmarshal(data, &records); err != nil {
			t.Fatal(err)
		}
		passed := 0
		for i, r := range records {
			if r.Doc == nil || r.Patch == nil || r.Disabled {
				continue
			}
			result, err := ApplyPatch(*r.Doc, *r.Patch)
			switch {
			case r.Expected != nil && err != nil:
				t.Errorf("%s #%d %s: %v", file, i, r.Comment, err)
			case r.Expected != nil:
				if eq, err := Equal(result, *r.Expected); err != nil || !eq {
					t.Errorf("%s #%d %s: got %s, expected %s", file, i, r.Comment, result, *r.Expected)
				} else {
					passed++
				}
			case err == nil:
				t.Errorf("%s #%d %s: applied, an error was expected", file, i, r.Comment)
			default:
				passed++
			}
		}
		if passed != runnable {
			t.Errorf("%s: %d passed, %d runnable", file, passed, runnable)
		}
	}
}

// TestDuplicateOp is RFC 6902 A.13: the parser sees the duplicate "op" that encoding/json would drop.
func TestDuplicateOp(t *testing.T) {
	_, err := ApplyPatch([]byte(`{"foo":"bar"}`), []byte(`[{"op":"add","path":"/baz","value":"qux","op":"remove"}]`))
	var e *Error
	if !errors.Is(err, ErrInvalidJSON) || !errors.As(err, &e) || e.Offset < 0 {
		t.Fatalf("got %v", err)
	}
}
