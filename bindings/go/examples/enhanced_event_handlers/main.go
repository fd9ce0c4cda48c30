// Enhanced event handlers: what a robust AG-UI transport does around the state events.
//
//  1. Large events are compressed in an envelope above a size threshold; small ones travel as they are.
//  2. A receiver puts deltas that arrive out of order back in version order within a bounded window, and
//     resyncs from a STATE_SNAPSHOT when a missing delta is too old to wait for.
//  3. A sender retries a flaky transport with exponential backoff.
//  4. A slow consumer gets fewer, larger batches (the batcher coalesces behind it) and never holds up writers.
//
// Exits 1 if any of it does not hold.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
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
		fmt.Fprintln(os.Stderr, "enhanced_event_handlers:", err)
		os.Exit(1)
	}
	return value
}

func sameState(a, b *agstate.Store) bool {
	return must(agstate.Equal(must(a.Export(0)), must(b.Export(0))))
}

// random is xorshift64: the same sequence in the C, Python and Go versions of this example.
type random struct{ state uint64 }

func (r *random) next(bound uint64) uint64 {
	x := r.state
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	r.state = x
	return x % bound
}

// step is one commit of the out-of-order and slow-consumer parts: a counter and a bounded list of the
// latest values.
func step(i, keep int) []byte {
	patch := fmt.Sprintf(`[{"op":"replace","path":"/counter","value":%d},{"op":"add","path":"/recent/-","value":%d}`, i, i)
	if i > keep {
		patch += `,{"op":"remove","path":"/recent/0"}`
	}
	return []byte(patch + "]")
}

func compression() {
	fmt.Println("== compression of large events")
	var tasks []string
	for i := 0; i < 300; i++ {
		tasks = append(tasks, fmt.Sprintf(`{"id":%d,"title":"task %d","status":"open","tags":["ui","state"]}`, i, i))
	}
	big := must(agstate.NewStore([]byte(`{"tasks":[` + strings.Join(tasks, ",") + `]}`)))
	defer big.Close()
	large := must(big.SnapshotEvent(false))
	must(big.Set("/tasks/0/status", []byte(`"done"`)))
	small := must(big.DeltaEvent(0, false))
	largePacked := must(agstate.Pack(large, agstate.Gzip, 0, agstate.EnvelopeThreshold, false))
	smallPacked := must(agstate.Pack(small, agstate.Gzip, 0, agstate.EnvelopeThreshold, false))
	largeBack, largeCodec, err := agstate.Unpack(largePacked, agstate.DefaultMaxDecompressedSize)
	must(0, err)
	smallBack, smallCodec, err := agstate.Unpack(smallPacked, agstate.DefaultMaxDecompressedSize)
	must(0, err)
	fmt.Printf("      STATE_SNAPSHOT %d bytes -> %d bytes (%s); STATE_DELTA %d bytes -> %d bytes (%s)\n",
		len(large), len(largePacked), largeCodec, len(small), len(smallPacked), smallCodec)
	check(largeCodec == agstate.Gzip && len(largePacked)*4 < len(large), "the large event is compressed at least 4 times smaller")
	check(smallCodec == agstate.Identity, "the small event, under the 1024-byte threshold, is sent as it is")
	check(bytes.Equal(largeBack, large) && bytes.Equal(smallBack, small), "both unpack to the same bytes (size and CRC-32 checked)")
}

const (
	window  = 6  // deltas a receiver holds while it waits for a missing one
	dropped = 25 // the transport loses this version's delta
)

type message struct {
	at      int
	version uint64
	event   []byte
}

// receiver applies deltas in version order, holding early ones, and resyncs from a snapshot when more than
// window deltas wait for a missing one.
type receiver struct {
	server, store             *agstate.Store
	version                   uint64
	pending                   map[uint64][]byte
	reordered, resyncs, stale int
}

func (r *receiver) resync() {
	// A snapshot and its version, read together (nothing commits between the two reads here).
	version := must(r.server.Version())
	must(r.store.ApplyEvent(must(r.server.SnapshotEvent(false)), false))
	r.version = version
	for v := range r.pending {
		if v <= version {
			delete(r.pending, v)
		}
	}
	r.resyncs++
	r.drain()
}

func (r *receiver) drain() {
	for {
		event, ok := r.pending[r.version+1]
		if !ok {
			return
		}
		delete(r.pending, r.version+1)
		must(r.store.ApplyEvent(event, false))
		r.version++
	}
}

func (r *receiver) receive(version uint64, event []byte) {
	if version <= r.version {
		r.stale++ // already covered by a snapshot
		return
	}
	if version != r.version+1 {
		r.reordered++
	}
	r.pending[version] = event
	r.drain()
	if len(r.pending) > window {
		r.resync()
	}
}

func sortMessages(messages []message) {
	sort.Slice(messages, func(i, j int) bool {
		if messages[i].at != messages[j].at {
			return messages[i].at < messages[j].at
		}
		return messages[i].version < messages[j].version
	})
}

func outOfOrder() {
	fmt.Println("== out-of-order deltas")
	server := must(agstate.NewStore([]byte(`{"counter":0,"recent":[]}`)))
	defer server.Close()
	var outbox []message
	sub := must(server.Subscribe("", func(version uint64, patch []byte) error {
		event, err := agstate.DeltaEventFor(patch, false)
		outbox = append(outbox, message{version: version, event: event})
		return err
	}))
	defer sub.Close()
	r := &receiver{server: server, store: must(agstate.NewStore(nil)), pending: map[uint64][]byte{}}
	defer r.store.Close()
	r.resync()
	rng := &random{42}
	var inFlight []message
	for s := 1; s <= 60; s++ {
		must(server.Patch(step(s, 5)))
		for _, m := range outbox {
			if m.version != dropped {
				m.at = s + int(rng.next(4))
				inFlight = append(inFlight, m)
			}
		}
		outbox = outbox[:0]
		sortMessages(inFlight)
		var later []message
		for _, m := range inFlight {
			if m.at <= s {
				r.receive(m.version, m.event)
			} else {
				later = append(later, m)
			}
		}
		inFlight = later
	}
	for _, m := range inFlight {
		r.receive(m.version, m.event)
	}
	fmt.Printf("      60 deltas sent, 1 lost; %d arrived early and waited, %d resync(s), %d arrived after a snapshot covered them\n",
		r.reordered, r.resyncs-1, r.stale)
	check(r.reordered > 0, "deltas that arrived early were held and applied in version order")
	check(r.resyncs == 2, "the lost delta (v%d) was replaced by one STATE_SNAPSHOT once %d deltas waited", dropped, window)
	check(sameState(r.store, server) && r.version == must(server.Version()), "the receiver ends at v%d with the server's state", r.version)
}

func retries() {
	fmt.Println("== retries on a flaky transport")
	const baseMillis, capMillis, attempts = 1, 16, 8
	rng := &random{7}
	var delivered [][]byte
	flakySend := func(event []byte) error {
		if rng.next(10) < 4 { // 40% of sends fail
			return errors.New("connection reset")
		}
		delivered = append(delivered, event)
		return nil
	}
	sendWithRetry := func(event []byte) (int, error) {
		for attempt := 0; attempt < attempts; attempt++ {
			if flakySend(event) == nil {
				return attempt + 1, nil
			}
			backoff := baseMillis << attempt
			if backoff > capMillis {
				backoff = capMillis
			}
			time.Sleep(time.Duration(backoff) * time.Millisecond)
		}
		return attempts, fmt.Errorf("gave up after %d attempts", attempts)
	}
	source := must(agstate.NewStore([]byte(`{"n":0}`)))
	defer source.Close()
	var events [][]byte
	for i := 1; i <= 20; i++ {
		must(source.Set("/n", []byte(fmt.Sprint(i))))
		events = append(events, must(source.DeltaEvent(uint64(i-1), false)))
	}
	started := time.Now()
	total, most := 0, 0
	for _, event := range events {
		n := must(sendWithRetry(event))
		total += n
		if n > most {
			most = n
		}
	}
	fmt.Printf("      20 events, %d attempts, at most %d for one, %d ms of backoff\n", total, most, time.Since(started).Milliseconds())
	check(total > 20, "some sends failed and were retried")
	inOrder := len(delivered) == len(events)
	for i := range delivered {
		inOrder = inOrder && bytes.Equal(delivered[i], events[i])
	}
	check(inOrder, "every event was delivered once, in order")
}

func slowConsumer() {
	fmt.Println("== a slow consumer")
	producer := must(agstate.NewStore([]byte(`{"counter":0,"recent":[]}`)))
	defer producer.Close()
	consumer := must(agstate.NewStore(must(producer.Export(0))))
	defer consumer.Close()
	var mu sync.Mutex
	var expectedFrom uint64
	batches, gaps := 0, 0
	batcher := must(agstate.NewBatcher(producer, func(event []byte, from, to uint64) error {
		mu.Lock()
		defer mu.Unlock()
		if from != expectedFrom {
			gaps++
		}
		if _, err := consumer.ApplyEvent(event, false); err != nil {
			return err
		}
		expectedFrom = to
		batches++
		time.Sleep(20 * time.Millisecond) // the consumer takes 20 ms per batch
		return nil
	}, agstate.BatcherOptions{MaxOperations: 100, WindowMillis: 10, Timer: true}))
	started := time.Now()
	for i := 1; i <= 2000; i++ {
		must(producer.Patch(step(i, 20)))
	}
	produced := time.Since(started)
	must(0, batcher.Flush())
	stats := must(batcher.Stats())
	must(0, batcher.Close(true))
	consumed := time.Since(started)
	fmt.Printf("      2000 commits in %d ms; the consumer got %d batches and was done after %d ms\n",
		produced.Milliseconds(), batches, consumed.Milliseconds())
	fmt.Printf("      batcher: %d operations in, %d out, %d changes coalesced behind the consumer, %d backlog(s) replaced by one value\n",
		stats.OperationsIn, stats.OperationsOut, stats.Coalesced, stats.Resynced)
	check(batches > 0 && batches < 200, "the slow consumer got far fewer batches than commits")
	check(gaps == 0, "every batch started where the previous one ended")
	check(sameState(consumer, producer) && expectedFrom == must(producer.Version()), "the consumer ends at v%d with the producer's state", expectedFrom)
}

func main() {
	compression()
	outOfOrder()
	retries()
	slowConsumer()
	if failures > 0 {
		fmt.Printf("enhanced_event_handlers: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("enhanced_event_handlers: all checks passed")
}
