// Realtime dashboard: three data sources update one store at 10, 20 and 50 Hz; each keeps a time series in a
// bounded array and raises alerts into a bounded activity feed. A batcher sends the commits as compacted
// STATE_DELTA events (on size or after its window) over Server-Sent Events, gzip-compressed as a stream and
// flushed per event. A small web page (index.html) follows the stream with EventSource.
//
//	go run ./examples/realtime_dashboard              # runs 3 s with a checking client, exits 1 if it fails
//	go run ./examples/realtime_dashboard -serve 0     # serves until interrupted; open the printed address
//	                                                  # (the sources start when the page connects)
//
// The checking client reads the same gzip SSE stream over a real socket, applies the events to a store of
// its own, and must end with the server's state. Listens on 127.0.0.1 only.
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"agstate"
)

//go:embed index.html
var page []byte

const (
	seriesPoints = 20  // points kept per source: the time series is a bounded array
	alertsKept   = 6   // entries kept in the activity feed
	clientQueue  = 256 // frames queued per browser; a client that falls further behind is disconnected
)

type source struct {
	name, label, unit string
	hz                int
	threshold         float64
	signal            func(t float64) float64
}

var sources = []source{
	{"cpu", "CPU", "%", 20, 85, func(t float64) float64 { return 62 + 30*math.Sin(t*2.1) }},
	{"memory", "Memory", "%", 10, 80, func(t float64) float64 { return 55 + 35*math.Mod(t*0.4, 1) }},
	{"requests", "Requests", "req/s", 50, 900, func(t float64) float64 { return 600 + 380*math.Sin(t*3.3) + 40*math.Sin(t*17) }},
}

func must[T any](value T, err error) T {
	if err != nil {
		fmt.Fprintln(os.Stderr, "realtime_dashboard:", err)
		os.Exit(1)
	}
	return value
}

func initialState() []byte {
	state := map[string]any{"sources": map[string]any{}, "series": map[string]any{}, "alerts": []any{}}
	for _, s := range sources {
		state["sources"].(map[string]any)[s.name] = map[string]any{"label": s.label, "unit": s.unit, "rateHz": s.hz,
			"threshold": s.threshold, "value": 0, "updates": 0}
		state["series"].(map[string]any)[s.name] = []any{}
	}
	return must(json.Marshal(state))
}

// dashboard holds the store, the sources writing to it, and the batcher fanning its deltas out to SSE clients.
type dashboard struct {
	store       *agstate.Store
	batcher     *agstate.Batcher
	mu          sync.Mutex // guards clients and lastVersion, and orders joins against batches
	clients     map[chan []byte]bool
	lastVersion uint64
	alertsMu    sync.Mutex
	alerts      int
	raised      int
	rawBytes    atomic.Int64
	gzipBytes   atomic.Int64
	stop        chan struct{}
	firstClient chan struct{} // closed when a client joins: with -serve, the sources start when a page connects
	joined      bool
}

type op map[string]any

func (d *dashboard) runSource(s source, seconds float64) {
	started := time.Now()
	points, above, updates := 0, false, 0
	period := time.Second / time.Duration(s.hz)
	deadline := started
	for time.Since(started).Seconds() < seconds {
		select {
		case <-d.stop:
			return
		default:
		}
		t := time.Since(started).Seconds()
		value := math.Round(s.signal(t)*10) / 10
		updates++
		ops := []op{{"op": "replace", "path": "/sources/" + s.name + "/value", "value": value},
			{"op": "replace", "path": "/sources/" + s.name + "/updates", "value": updates},
			{"op": "add", "path": "/series/" + s.name + "/-", "value": value}}
		if points == seriesPoints {
			ops = append(ops, op{"op": "remove", "path": "/series/" + s.name + "/0"})
		} else {
			points++
		}
		if (value > s.threshold) != above {
			above = value > s.threshold
			d.raiseAlert(ops, s, value, above, t)
		} else {
			must(d.store.Patch(must(json.Marshal(ops))))
		}
		deadline = deadline.Add(period)
		time.Sleep(time.Until(deadline))
	}
}

func (d *dashboard) raiseAlert(ops []op, s source, value float64, above bool, t float64) {
	text, kind := fmt.Sprintf("%.1fs %s back to %v %s", t, s.label, value, s.unit), "clear"
	if above {
		text, kind = fmt.Sprintf("%.1fs %s %v %s above %v", t, s.label, value, s.unit, s.threshold), "raise"
	}
	d.alertsMu.Lock() // the feed is shared by the sources: its length is counted under this lock
	defer d.alertsMu.Unlock()
	ops = append(ops, op{"op": "add", "path": "/alerts/-", "value": map[string]any{"source": s.name, "kind": kind, "message": text}})
	if d.alerts == alertsKept {
		ops = append(ops, op{"op": "remove", "path": "/alerts/0"})
	} else {
		d.alerts++
	}
	d.raised++
	// An alert is sent at once, not at the end of the window.
	must(d.store.PatchWith(must(json.Marshal(ops)), agstate.PatchOptions{Urgent: above}))
}

func sseFrame(version uint64, event []byte) []byte {
	return append([]byte(fmt.Sprintf("id: %d\n", version)), must(agstate.EncodeSSE(event))...)
}

func (d *dashboard) onBatch(event []byte, from, to uint64) error {
	frame := sseFrame(to, event)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lastVersion = to
	for client := range d.clients {
		select {
		case client <- frame:
		default: // far behind: disconnected; EventSource reconnects and starts from a snapshot
			delete(d.clients, client)
			close(client)
		}
	}
	return nil
}

// join registers a client and returns the state at the version of the latest batch, after which every batch applies.
func (d *dashboard) join() (chan []byte, []byte) {
	client := make(chan []byte, clientQueue)
	d.mu.Lock()
	defer d.mu.Unlock()
	state := must(d.store.StateAt(d.lastVersion))
	snapshot := append(append([]byte(`{"type":"STATE_SNAPSHOT","snapshot":`), state...), '}')
	d.clients[client] = true
	if !d.joined {
		d.joined = true
		close(d.firstClient)
	}
	return client, sseFrame(d.lastVersion, snapshot)
}

func (d *dashboard) leave(client chan []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.clients[client] {
		delete(d.clients, client)
		close(client)
	}
}

func (d *dashboard) events(w http.ResponseWriter, r *http.Request) {
	flusher := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	var gzip *agstate.Compressor
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		gzip = must(agstate.NewGzipStream(6))
		defer gzip.Close()
	}
	client, frame := d.join()
	defer d.leave(client)
	for {
		data := frame
		if gzip != nil {
			data = must(gzip.Write(frame, true))
		}
		d.rawBytes.Add(int64(len(frame)))
		d.gzipBytes.Add(int64(len(data)))
		if _, err := w.Write(data); err != nil {
			return
		}
		flusher.Flush()
		var ok bool
		select {
		case frame, ok = <-client:
		case <-d.stop:
			ok = false
		case <-r.Context().Done():
			return
		}
		if !ok {
			if gzip != nil {
				w.Write(must(gzip.Finish()))
			}
			return
		}
	}
}

func (d *dashboard) state(w http.ResponseWriter, r *http.Request) {
	// The state at a version (for the browser test): ?version=N, or the current one.
	var version uint64
	var state []byte
	if v := r.URL.Query().Get("version"); v != "" {
		version = must(strconv.ParseUint(v, 10, 64))
		state = must(d.store.StateAt(version))
	} else {
		snap := must(d.store.Snapshot())
		defer snap.Close()
		version, state = snap.Version, must(snap.Get(""))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"version":%d,"state":%s}`, version, state)
}

// follow is the checking client: it reads the gzip SSE stream over the socket and applies every event.
type follower struct {
	store    *agstate.Store
	encoding string
	version  atomic.Int64
	events   int
	arrivals []time.Time
	complete bool
	err      error
	done     chan struct{}
}

func (f *follower) follow(url string) {
	defer close(f.done)
	request, _ := http.NewRequest("GET", url+"events", nil)
	request.Header.Set("Accept-Encoding", "gzip") // set by hand: the transport then leaves the body compressed
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		f.err = err
		return
	}
	defer response.Body.Close()
	f.encoding = response.Header.Get("Content-Encoding")
	inflate := must(agstate.NewDecompressor(agstate.Gzip, agstate.DefaultMaxDecompressedSize))
	defer inflate.Close()
	var buffer []byte
	chunk := make([]byte, 65536)
	for {
		n, err := response.Body.Read(chunk)
		if n > 0 {
			buffer = append(buffer, must(inflate.Write(chunk[:n]))...)
			for {
				end := bytes.Index(buffer, []byte("\n\n"))
				if end < 0 {
					break
				}
				var id uint64
				var data []byte
				for _, line := range strings.Split(string(buffer[:end]), "\n") {
					if strings.HasPrefix(line, "id: ") {
						id = must(strconv.ParseUint(line[4:], 10, 64))
					} else if strings.HasPrefix(line, "data: ") {
						data = []byte(line[6:])
					}
				}
				buffer = buffer[end+2:]
				if _, err := f.store.ApplyEvent(data, false); err != nil {
					f.err = err
					return
				}
				f.version.Store(int64(id))
				f.events++
				f.arrivals = append(f.arrivals, time.Now())
			}
		}
		if err == io.EOF {
			f.err = inflate.Finish() // the stream ended with its gzip trailer
			f.complete = f.err == nil
			return
		}
		if err != nil {
			f.err = err
			return
		}
	}
}

func main() {
	seconds := flag.Float64("seconds", 3, "how long the sources run")
	serve := flag.Float64("serve", -1, "serve for this many seconds after the sources stop (0: until interrupted), no checking client")
	flag.Parse()

	d := &dashboard{store: must(agstate.NewStore(initialState())), clients: map[chan []byte]bool{}, stop: make(chan struct{}),
		firstClient: make(chan struct{})}
	defer d.store.Close()
	d.batcher = must(agstate.NewBatcher(d.store, d.onBatch, agstate.BatcherOptions{MaxOperations: 32, WindowMillis: 100, Timer: true}))
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.HandleFunc("/events", d.events)
	mux.HandleFunc("/state", d.state)
	listener := must(net.Listen("tcp", "127.0.0.1:0"))
	server := &http.Server{Handler: mux}
	go server.Serve(listener)
	url := fmt.Sprintf("http://%s/", listener.Addr())
	fmt.Println("serving", url)

	f := &follower{store: must(agstate.NewStore(nil)), done: make(chan struct{})}
	defer f.store.Close()
	f.version.Store(-1)
	if *serve < 0 {
		go f.follow(url)
	}
	<-d.firstClient // the sources start when the first client (or page) has connected
	started := time.Now()
	var wg sync.WaitGroup
	for _, s := range sources {
		wg.Add(1)
		go func(s source) { defer wg.Done(); d.runSource(s, *seconds) }(s)
	}
	wg.Wait()
	must(0, d.batcher.Flush())
	if *serve >= 0 {
		fmt.Println("sources stopped")
		if *serve == 0 {
			select {}
		}
		time.Sleep(time.Duration(*serve * float64(time.Second)))
	}
	elapsed := time.Since(started).Seconds()
	stats := must(d.batcher.Stats())
	final := must(d.store.Snapshot())
	defer final.Close()

	// Give the client the last batch, then end every stream (each ends with its gzip trailer).
	for deadline := time.Now().Add(5 * time.Second); *serve < 0 && f.version.Load() < int64(final.Version) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	close(d.stop)
	if *serve < 0 {
		select {
		case <-f.done:
		case <-time.After(5 * time.Second):
		}
	}
	must(0, d.batcher.Close(true))
	server.Close()
	if *serve >= 0 {
		return
	}

	var state struct {
		Sources map[string]struct{ Updates int } `json:"sources"`
		Series  map[string][]float64             `json:"series"`
		Alerts  []any                            `json:"alerts"`
	}
	stateJSON := must(final.Get(""))
	must(0, json.Unmarshal(stateJSON, &state))
	var rates []string
	for _, s := range sources {
		rates = append(rates, fmt.Sprintf("%s %.0f Hz", s.name, float64(state.Sources[s.name].Updates)/(*seconds)))
	}
	fmt.Printf("sources ran %.1f s: %s\n", elapsed, strings.Join(rates, ", "))
	fmt.Printf("%d commits -> %d STATE_DELTA batches; operations %d in, %d out after compaction\n",
		stats.Changes, stats.Batches, stats.OperationsIn, stats.OperationsOut)
	if n := len(f.arrivals); n > 1 {
		fmt.Printf("batches arrived every %d ms on average (window 100 ms, size bound 32 operations, alerts at once)\n",
			f.arrivals[n-1].Sub(f.arrivals[0]).Milliseconds()/int64(n-1))
	}
	raw, zipped := d.rawBytes.Load(), d.gzipBytes.Load()
	fmt.Printf("SSE: %d bytes of events, %d bytes gzip on the wire (%.1fx)\n", raw, zipped, float64(raw)/math.Max(1, float64(zipped)))
	fmt.Printf("alerts raised: %d, kept in the feed: %d\n", d.raised, len(state.Alerts))

	failures := 0
	check := func(ok bool, what string) {
		mark := "ok    "
		if !ok {
			mark = "FAIL  "
			failures++
		}
		fmt.Println(mark + what)
	}
	check(f.encoding == "gzip" && f.complete, fmt.Sprintf("the client read a gzip SSE stream to its trailer (%v)", f.err))
	check(f.version.Load() == int64(final.Version), fmt.Sprintf("the client reached the store's version v%d", final.Version))
	check(must(agstate.Equal(must(f.store.Export(0)), stateJSON)), "the client's state, built from the events, equals the store's")
	check(stats.Batches < stats.Changes && stats.OperationsOut < stats.OperationsIn, "the batcher sent fewer, compacted events than commits")
	bounded, filled := true, false
	for _, s := range sources {
		updates := state.Sources[s.name].Updates
		want := updates
		if want > seriesPoints {
			want = seriesPoints
		}
		bounded = bounded && len(state.Series[s.name]) == want
		filled = filled || updates > seriesPoints
	}
	check(bounded && filled, fmt.Sprintf("every time series keeps its latest %d points at most", seriesPoints))
	check(len(state.Alerts) > 0 && len(state.Alerts) <= alertsKept && d.raised >= len(state.Alerts),
		fmt.Sprintf("alerts were raised and the feed keeps at most %d", alertsKept))
	check(zipped < raw, "gzip made the stream smaller")
	if failures > 0 {
		fmt.Printf("realtime_dashboard: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("realtime_dashboard: all checks passed")
}
