// Monitoring and observability: a registry's metrics served as /metrics (Prometheus text, written by the
// engine) and its health report as /healthz (200 when ok, 503 otherwise) over HTTP on loopback, the engine's
// log records printed as structured JSON lines, and an error-rate alert that fires when a faulty client's
// commits are refused by a limit and resolves once good commits dilute them. The example reads its own
// endpoints over a real socket, as Prometheus and a load balancer would. Exits 1 if any of it does not hold.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"agstate"
)

var failures int

func check(ok bool, format string, args ...any) {
	mark := "ok    "
	if !ok {
		mark = "FAIL  "
		failures++
	}
	fmt.Printf(mark+format+"\n", args...)
}

func must[T any](value T, err error) T {
	if err != nil {
		fmt.Fprintln(os.Stderr, "monitoring_observability:", err)
		os.Exit(1)
	}
	return value
}

// The share of failed commits (of the last 1024) above which health is degraded.
const alertErrorRate = 0.10

// jsonLines keeps the engine's log records and prints the first of each message as one JSON line, its
// fields as the engine gave them (the example counts the rest).
type jsonLines struct {
	mu      sync.Mutex
	records []map[string]any
}

func (j *jsonLines) Enabled(level agstate.LogLevel) bool { return level >= agstate.LogWarn }

func (j *jsonLines) Handle(level agstate.LogLevel, message string, attrs map[string]any) {
	record := map[string]any{"message": message}
	for k, v := range attrs {
		record[k] = v
	}
	record["level"] = map[agstate.LogLevel]string{agstate.LogDebug: "debug", agstate.LogInfo: "info",
		agstate.LogWarn: "warning", agstate.LogError: "error"}[level]
	j.mu.Lock()
	defer j.mu.Unlock()
	seen := false
	for _, r := range j.records {
		seen = seen || r["message"] == message
	}
	j.records = append(j.records, record)
	if !seen {
		fmt.Printf("log   %s\n", must(json.Marshal(record))) // map keys are sorted
	}
}

func (j *jsonLines) with(message string) []map[string]any {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []map[string]any
	for _, r := range j.records {
		if r["message"] == message {
			out = append(out, r)
		}
	}
	return out
}

type health struct {
	Status    string   `json:"status"`
	ErrorRate float64  `json:"error_rate"`
	Crossed   []string `json:"crossed"`
}

var base string

func fetch(path string) (int, string, string) {
	response := must((&http.Client{Timeout: 5 * time.Second}).Get(base + path))
	defer response.Body.Close()
	body := must(io.ReadAll(response.Body))
	return response.StatusCode, response.Header.Get("Content-Type"), string(body)
}

// samples reads a Prometheus text exposition into {"name{labels}": value}.
func samples(text string) map[string]float64 {
	out := map[string]float64{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		out[line[:i]] = must(strconv.ParseFloat(line[i+1:], 64))
	}
	return out
}

var alerts []string // the alert's transitions, as an alerting rule over /healthz would see them

func evaluate() health {
	status, _, body := fetch("/healthz")
	var h health
	must(0, json.Unmarshal([]byte(body), &h))
	firing := false
	for _, c := range h.Crossed {
		firing = firing || c == "error_rate"
	}
	if firing != (len(alerts) > 0 && alerts[len(alerts)-1] == "firing") {
		alerts = append(alerts, map[bool]string{true: "firing", false: "resolved"}[firing])
		fmt.Printf("alert ErrorRateHigh %s: error rate %.3f (threshold %.2f), /healthz %d %s\n",
			strings.ToUpper(alerts[len(alerts)-1]), h.ErrorRate, alertErrorRate, status, h.Status)
	}
	return h
}

func commit(store *agstate.Store, i int, text string) bool {
	patch := fmt.Sprintf(`[{"op":"replace","path":"/last","value":%q},{"op":"replace","path":"/count","value":%d}]`, text, i)
	_, err := store.Patch([]byte(patch))
	if err != nil && !errors.Is(err, agstate.ErrLimitExceeded) {
		must(0, err)
	}
	return err == nil
}

func main() {
	logs := &jsonLines{}
	registry := must(agstate.OpenRegistry(agstate.RegistryOptions{AlertErrorRate: alertErrorRate}))
	defer registry.Close()
	must(registry.SetLimit(agstate.LimitStringBytes, 256))
	must(0, registry.SetLogHandler(logs))

	mux := http.NewServeMux()
	mux.Handle("/metrics", registry.MetricsHandler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		report, err := registry.Health()
		var h health
		if err == nil {
			err = json.Unmarshal(report, &h)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if h.Status != "ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		w.Write(report)
	})
	listener := must(net.Listen("tcp", "127.0.0.1:0"))
	server := &http.Server{Handler: mux}
	go server.Serve(listener)
	defer server.Close()
	base = "http://" + listener.Addr().String()
	fmt.Printf("== serving %s/metrics and %s/healthz\n", base, base)

	var stores []*agstate.Store
	for n := 0; n < 3; n++ {
		store := must(registry.Get(fmt.Sprintf("agent-%d", n), []byte(`{"count":0,"last":""}`)))
		defer store.Close()
		stores = append(stores, store)
	}

	fmt.Println("== healthy traffic: 60 commits")
	for i := 0; i < 60; i++ {
		commit(stores[i%3], i, fmt.Sprintf("step %d", i))
	}
	status, _, body := fetch("/healthz")
	h := evaluate()
	check(status == 200 && h.Status == "ok" && len(h.Crossed) == 0, "/healthz answers 200 ok (%.60s...)", body)
	status, kind, text := fetch("/metrics")
	m := samples(text)
	check(status == 200 && strings.HasPrefix(kind, "text/plain; version=0.0.4") && strings.HasPrefix(text, "# HELP"),
		"/metrics answers 200 in the Prometheus text format (%d bytes, %d samples)", len(text), len(m))
	check(m[`agstate_commits_total{status="ok"}`] == 60 && m["agstate_resident_stores"] == 3,
		"/metrics counts the 60 commits and the 3 resident stores")

	fmt.Println("== a faulty client: 20 commits with strings over the 256-byte limit, all refused")
	refused := 0
	for i := 0; i < 20; i++ {
		if !commit(stores[0], i, strings.Repeat("x", 1000)) {
			refused++
		}
	}
	h = evaluate()
	status, _, _ = fetch("/healthz")
	check(refused == 20 && h.Status == "degraded" && len(h.Crossed) == 1 && h.Crossed[0] == "error_rate" && status == 503,
		"the error rate %.3f crosses %.2f: /healthz answers 503 degraded and the alert fires", h.ErrorRate, alertErrorRate)
	warnings := logs.with("commit refused by a limit")
	check(len(warnings) == 20 && warnings[0]["id"] == "agent-0" &&
		strings.HasPrefix(fmt.Sprint(warnings[0]["error"]), "AGS_LIMIT_STRING_BYTES") && warnings[0]["pointer"] == "/last",
		"each refusal is a structured warning naming the store, limit and pointer")
	logs.mu.Lock()
	fmt.Printf("      (%d log records so far, the first of each kind printed)\n", len(logs.records))
	logs.mu.Unlock()
	degraded := logs.with("health is degraded")
	check(len(degraded) > 0 && fmt.Sprint(degraded[0]["crossed"]) == "[error_rate]",
		"the degraded health report is logged with the threshold crossed")
	m = samples(func() string { _, _, t := fetch("/metrics"); return t }())
	check(m[`agstate_commits_total{status="failed"}`] == 20 && m[`agstate_refusals_total{reason="limit"}`] == 20,
		"/metrics counts 20 failed commits, refused by a limit")

	fmt.Println("== recovery: good commits dilute the failures")
	for i := 0; i < 140; i++ {
		commit(stores[i%3], i, fmt.Sprintf("step %d", i))
		if i%20 == 19 {
			h = evaluate()
		}
	}
	status, _, _ = fetch("/healthz")
	check(h.Status == "ok" && status == 200 && strings.Join(alerts, ",") == "firing,resolved",
		"the error rate falls to %.3f: /healthz answers 200 ok again and the alert resolves", h.ErrorRate)
	status, _, _ = fetch("/nothing")
	check(status == 404, "an unknown path is 404")

	if failures > 0 {
		fmt.Printf("monitoring_observability: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("monitoring_observability: all checks passed")
}
