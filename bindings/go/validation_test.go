package agstate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var eventVectors = filepath.Join("..", "..", "test-vectors", "events")

type ruleCase struct {
	Rule    string   `json:"rule"`
	Profile string   `json:"profile"`
	Trigger []string `json:"trigger"`
	Clean   []string `json:"clean"`
	// Where the trigger's finding must point, when the case says.
	Pointer *string `json:"pointer"`
}

func runLines(t *testing.T, lines []string, profile string) []Finding {
	t.Helper()
	v, err := NewEventValidator(profile, false)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, line := range lines {
		if _, err := v.Feed([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.Finalize(); err != nil {
		t.Fatal(err)
	}
	all, err := v.Findings()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func hasRule(list []Finding, rule string) bool {
	return hasFinding(list, rule, nil)
}

// hasFinding: a finding of rule at pointer (at any pointer when pointer is nil).
func hasFinding(list []Finding, rule string, pointer *string) bool {
	for _, f := range list {
		if f.Rule == rule && (pointer == nil || (f.Pointer != nil && *f.Pointer == *pointer)) {
			return true
		}
	}
	return false
}

func TestEventRuleVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(eventVectors, "rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Cases []ruleCase }
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 50 {
		t.Fatalf("only %d cases", len(doc.Cases))
	}
	for _, c := range doc.Cases {
		if got := runLines(t, c.Trigger, c.Profile); !hasFinding(got, c.Rule, c.Pointer) {
			t.Errorf("%s: trigger gave %+v", c.Rule, got)
		}
		clean := runLines(t, c.Clean, c.Profile)
		for _, f := range clean {
			if f.Rule == c.Rule || f.Severity != "info" {
				t.Errorf("%s: clean stream gave %+v", c.Rule, f)
			}
		}
	}
}

func TestEventExampleStreams(t *testing.T) {
	for _, name := range []string{"agentic_chat", "tool_calls", "human_in_the_loop", "shared_state", "predictive_state_updates", "multiple_runs"} {
		data, err := os.ReadFile(filepath.Join(eventVectors, "streams", name+".ndjson"))
		if err != nil {
			t.Fatal(err)
		}
		for _, profile := range []string{"client", "strict"} {
			v, err := NewEventValidator(profile, false)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := v.FeedStream(data, FormatAuto)
			end, _ := v.Finalize()
			counts, _ := v.Counts()
			// Advice (information) is allowed: CopilotKit's PredictState custom event has no namespace.
			if counts.Errors+counts.Warnings != 0 || len(end) != 0 || counts.Events != strings.Count(string(data), "\n") {
				t.Errorf("%s (%s): %+v %+v %+v", name, profile, got, end, counts)
			}
			v.Close()
		}
	}
}

func TestEventValidatorStateSSEAndMisuse(t *testing.T) {
	sse := ": hi\r\n\r\ndata: {\"type\":\"RUN_STARTED\",\r\ndata: \"threadId\":\"t\",\"runId\":\"r\"}\r\n\r\n" +
		"data:{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":{\"n\":1}}\n\n" +
		"data: {\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]}\r\r" +
		"data: {\"type\":\"RUN_FINISHED\",\"threadId\":\"t\",\"runId\":\"r\",\"timestamp\":1}\n\n"
	for cut := 0; cut <= len(sse); cut++ {
		v, _ := NewEventValidator("strict", false)
		a, _ := v.FeedStream([]byte(sse[:cut]), FormatSSE)
		b, _ := v.FeedStream([]byte(sse[cut:]), FormatSSE)
		end, _ := v.Finalize()
		state, _ := v.StateJSON()
		if len(a)+len(b)+len(end) != 0 || string(state) != `{"n":2}` {
			t.Fatalf("cut %d: %v %v %v %s", cut, a, b, end, state)
		}
		v.Close()
	}

	v, _ := NewEventValidator("strict", true)
	if err := v.SetSeverity("no.such-rule", SeverityError); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("unknown rule: %v", err)
	}
	found, err := v.Feed([]byte(`{"type":"TEXT_MESSAGE_START","messageId":"m"}`))
	if err != nil || len(found) != 1 || found[0].Rule != "run.first-event" || found[0].EventIndex != 0 || *found[0].Pointer != "/type" {
		t.Errorf("first event: %+v %v", found, err)
	}
	if found, _ := v.Feed([]byte("not json")); len(found) != 1 || found[0].Rule != "json.invalid" || found[0].Pointer != nil {
		t.Errorf("not json: %+v", found)
	}
	v.Feed([]byte(`{"type":"TEXT_MESSAGE_CONTENT","messageId":"m","delta":"hé"}`))
	if msgs, _ := v.MessagesJSON(); string(msgs) != `[{"id":"m","role":"assistant","content":"hé"}]` {
		t.Errorf("messages: %s", msgs)
	}
	v.Close()
	v.Close()
	if _, err := v.Feed([]byte("{}")); !errors.Is(err, ErrClosed) {
		t.Errorf("closed: %v", err)
	}
	if _, err := NewEventValidator("lenient", false); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("profile: %v", err)
	}
}

func TestEventValidatorFromGoroutines(t *testing.T) {
	v, _ := NewEventValidator("client", false)
	defer v.Close()
	v.Feed([]byte(`{"type":"RUN_STARTED","threadId":"t","runId":"r"}`))
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				name := []byte(`{"type":"STEP_STARTED","stepName":"s` + string(rune('a'+g)) + strings.Repeat("x", i) + `"}`)
				v.Feed(name)
				v.Feed([]byte(strings.Replace(string(name), "STEP_STARTED", "STEP_FINISHED", 1)))
			}
		}(g)
	}
	wg.Wait()
	counts, _ := v.Counts()
	if counts.Events != 1601 || counts.Errors != 0 {
		t.Errorf("%+v", counts)
	}
}

// Events as producers hand them over: Go values marshaled by encoding/json, and SSE frames as an SDK's
// encoder writes them; profile names in any case.
func TestEventValidatorProducerForms(t *testing.T) {
	type runStarted struct {
		Type      string `json:"type"`
		ThreadID  string `json:"threadId"`
		RunID     string `json:"runId"`
		Timestamp int64  `json:"timestamp,omitempty"`
	}
	v, err := NewEventValidator("Strict", false)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if got, err := v.FeedValue(runStarted{Type: "RUN_STARTED", ThreadID: "t", RunID: "r", Timestamp: 1}); err != nil || got != nil {
		t.Errorf("struct: %+v %v", got, err)
	}
	if got, err := v.Feed([]byte("data: {\"type\":\"RUN_FINISHED\",\"threadId\":\"t\",\"runId\":\"r\",\"outcome\":{\"type\":\"cancelled\"}}\n\n")); err != nil || got != nil {
		t.Errorf("SSE frame: %+v %v", got, err)
	}
	if _, err := v.FeedValue(func() {}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("unmarshalable: %v", err)
	}
	end, _ := v.Finalize()
	if counts, _ := v.Counts(); counts.Events != 2 || counts.Errors+counts.Warnings+counts.Infos != 0 || end != nil {
		t.Errorf("%+v %+v", counts, end)
	}
}

// The starting state: deltas apply to it; without it a delta before any snapshot is information only.
func TestEventValidatorStartingState(t *testing.T) {
	lines := []string{`{"type":"RUN_STARTED","threadId":"t","runId":"r","timestamp":1}`,
		`{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/count","value":2}]}`,
		`{"type":"RUN_FINISHED","threadId":"t","runId":"r"}`}
	v, err := OpenEventValidator(ValidatorOptions{Profile: "strict", InitialState: []byte(`{"count":1,"x":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range lines {
		if got, _ := v.Feed([]byte(line)); got != nil {
			t.Errorf("%s: %+v", line, got)
		}
	}
	if state, _ := v.StateJSON(); string(state) != `{"count":2,"x":true}` {
		t.Errorf("state %s", state)
	}
	v.Close()
	w, _ := OpenEventValidator(ValidatorOptions{Profile: "strict"})
	defer w.Close()
	w.Feed([]byte(lines[0]))
	if got, _ := w.Feed([]byte(lines[1])); len(got) != 1 || got[0].Rule != "state.delta-before-snapshot" || got[0].Severity != "info" {
		t.Errorf("without a starting state: %+v", got)
	}
	if state, _ := w.StateJSON(); string(state) != `{"count":2}` {
		t.Errorf("state %s", state)
	}
	if _, err := OpenEventValidator(ValidatorOptions{InitialState: []byte(`{"count":`)}); !errors.Is(err, ErrInvalidJSON) {
		t.Errorf("bad starting state: %v", err)
	}
}
