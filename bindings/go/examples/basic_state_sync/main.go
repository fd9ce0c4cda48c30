// Basic state sync: a store on the agent's side and a second store standing in for the client, kept equal
// by AG-UI STATE_SNAPSHOT and STATE_DELTA events. Shows path subscriptions, a transaction, a snapshot and its
// restore, history and versions, export and import. Exits 1 if any of it does not hold.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"

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

// must stops the example on an error that no check expects.
func must[T any](value T, err error) T {
	if err != nil {
		fmt.Fprintln(os.Stderr, "basic_state_sync:", err)
		os.Exit(1)
	}
	return value
}

func equalJSON(a, b []byte) bool { return must(agstate.Equal(a, b)) }

func main() {
	server := must(agstate.NewStore([]byte(`{"title":"trip","todos":[],"owner":{"name":"ada"}}`)))
	defer server.Close()
	client := must(agstate.NewStore(nil))
	defer client.Close()

	// The client starts from a STATE_SNAPSHOT, then follows every commit as a STATE_DELTA.
	must(client.ApplyEvent(must(server.SnapshotEvent(false)), false))
	var wire [][]byte
	stream := must(server.Subscribe("", func(version uint64, patch []byte) error {
		event, err := agstate.DeltaEventFor(patch, false)
		wire = append(wire, event)
		return err
	}))
	defer stream.Close()

	// A path subscription hears only the changes at, inside or above its location.
	var todoChanges []uint64
	todos := must(server.Subscribe("/todos", func(version uint64, patch []byte) error {
		todoChanges = append(todoChanges, version)
		return nil
	}))
	defer todos.Close()

	must(server.Add("/todos/-", []byte(`{"text":"book flights","done":false}`)))
	must(server.Set("/owner/name", []byte(`"grace"`)))
	must(server.Add("/todos/-", []byte(`{"text":"pack","done":false}`)))
	check(reflect.DeepEqual(todoChanges, []uint64{1, 3}), "the /todos subscriber heard versions %v (not the owner's change, v2)", todoChanges)

	// A transaction: two changes, one version, one STATE_DELTA.
	before := must(server.Version())
	tx := must(server.Begin())
	must(0, tx.Patch([]byte(`[{"op":"replace","path":"/todos/0/done","value":true}]`)))
	must(0, tx.Patch([]byte(`[{"op":"replace","path":"/title","value":"trip to Lisbon"}]`)))
	committed := must(tx.Commit())
	check(committed == before+1, "the transaction committed as one version (v%d)", committed)

	// A failed patch changes nothing: no version, no event.
	_, err := server.Patch([]byte(`[{"op":"replace","path":"/todos/1/done","value":true},{"op":"remove","path":"/missing"}]`))
	var failed *agstate.Error
	check(errors.Is(err, agstate.ErrPathNotFound) && errors.As(err, &failed) && must(server.Version()) == committed &&
		string(must(server.Get("/todos/1/done"))) == "false",
		"a patch failing at operation %d changed nothing", failed.OpIndex)

	// A snapshot, more changes, and the restore (itself an ordinary, streamed change).
	snap := must(server.Snapshot())
	defer snap.Close()
	must(server.Remove("/todos/1"))
	must(server.Merge([]byte(`{"owner":{"name":"linus","team":"kernel"}}`)))
	restored := must(server.Restore(snap))
	check(equalJSON(must(server.Export(0)), must(snap.Get(""))), "restoring the snapshot of v%d gave its state back (now v%d)", snap.Version, restored)

	// The client applies the events it was sent and ends with the same state.
	for _, event := range wire {
		must(client.ApplyEvent(event, false))
	}
	fmt.Printf("      %d STATE_DELTA events on the wire, e.g. %s\n", len(wire), wire[0])
	check(equalJSON(must(client.Export(0)), must(server.Export(0))), "the client store applied the events and equals the server's state")

	// History: versions, the state at an old version, one delta to catch up a client that has an old version.
	oldest, newest, err := server.HistoryRange()
	check(err == nil && oldest == 0 && newest == restored, "history reaches v%d..v%d", oldest, newest)
	var atTwo struct {
		Owner struct{ Name string } `json:"owner"`
		Todos []any                 `json:"todos"`
	}
	must(0, json.Unmarshal(must(server.StateAt(2)), &atTwo))
	check(atTwo.Owner.Name == "grace" && len(atTwo.Todos) == 1, "the state at v2 is rebuilt from history")
	late := must(agstate.NewStore(must(server.StateAt(3))))
	defer late.Close()
	must(late.ApplyEvent(must(server.DeltaEvent(3, false)), false))
	var ops []any
	must(0, json.Unmarshal(must(server.DeltaSince(3)), &ops))
	check(equalJSON(must(late.Export(0)), must(server.Export(0))), "a client at v3 is caught up by one delta of %d operations", len(ops))
	var history []struct{ Version uint64 }
	must(0, json.Unmarshal(must(server.History(4)), &history))
	versions := []uint64{}
	for _, entry := range history {
		versions = append(versions, entry.Version)
	}
	want := []uint64{}
	for v := uint64(5); v <= restored; v++ {
		want = append(want, v)
	}
	check(reflect.DeepEqual(versions, want), "the history lists every change after v4, oldest first")

	// Export and import: the JSON text of the state opens an equal store.
	exported := must(server.Export(0))
	imported := must(agstate.NewStore(exported))
	defer imported.Close()
	check(string(must(imported.Export(0))) == string(exported), "export (%d bytes) and import give the same state, members in the same order", len(exported))

	if failures > 0 {
		fmt.Printf("basic_state_sync: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("basic_state_sync: all checks passed")
}
