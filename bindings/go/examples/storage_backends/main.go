// Storage backends: the same workload on durable SQLite storage, with encryption at rest off and on and with
// full and normal durability, printed as a table of commits per second and bytes on disk; then every store
// reopened from its file (a restart) with its state, version and history, and a wrong key refused. Real
// files in a temporary directory. Checkpoints are always zstd-compressed (there is no switch to turn it
// off); the PostgreSQL, Redis and hybrid backends are not part of this example yet. Exits 1 if any of it does not
// hold.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
		fmt.Fprintln(os.Stderr, "storage_backends:", err)
		os.Exit(1)
	}
	return value
}

const commits = 300 // per configuration: a chat of 300 messages

type setup struct {
	name       string
	key        []byte
	durability agstate.Durability
}

// files reads the database and its write-ahead log, as they are on disk.
func files(path string) []byte {
	var data []byte
	for _, suffix := range []string{"", "-wal"} {
		if b, err := os.ReadFile(path + suffix); err == nil {
			data = append(data, b...)
		}
	}
	return data
}

func workload(store *agstate.Store) {
	for i := 0; i < commits; i++ {
		role := "assistant"
		if i%2 == 1 {
			role = "user"
		}
		text := fmt.Sprintf("message %d: %s", i, strings.Repeat("lorem ipsum ", 8))
		patch := fmt.Sprintf(`[{"op":"add","path":"/messages/-","value":{"role":%q,"text":%q}},{"op":"replace","path":"/count","value":%d}]`,
			role, text, i+1)
		must(store.Patch([]byte(patch)))
	}
}

func main() {
	key := make([]byte, 32) // a real application reads its key from a secret store
	for i := range key {
		key[i] = byte(i)
	}
	setups := []setup{{"sqlite", nil, agstate.DurabilityFull}, {"sqlite", nil, agstate.DurabilityNormal},
		{"sqlite + encryption", key, agstate.DurabilityFull}, {"sqlite + encryption", key, agstate.DurabilityNormal}}
	durabilities := map[agstate.Durability]string{agstate.DurabilityFull: "full", agstate.DurabilityNormal: "normal"}
	folder := must(os.MkdirTemp("", "agstate-storage-"))
	defer os.RemoveAll(folder)
	path := func(n int) string { return filepath.Join(folder, fmt.Sprintf("setup-%d.db", n)) }

	type final struct {
		version uint64
		state   []byte
	}
	finals := map[int]final{}
	fmt.Printf("      %-22s%-12s%11s%15s\n", "backend", "durability", "commits/s", "bytes on disk")
	stateBytes := 0
	for n, s := range setups {
		storage := must(agstate.OpenStorage("sqlite:"+path(n), &agstate.StorageOptions{Key: s.key, Durability: s.durability}))
		store := must(storage.OpenStore("thread-1", []byte(`{"messages":[],"count":0}`)))
		started := time.Now()
		workload(store)
		elapsed := time.Since(started).Seconds()
		finals[n] = final{must(store.Version()), must(store.Export(0))}
		stateBytes = len(finals[n].state)
		store.Close()
		storage.Close()
		fmt.Printf("      %-22s%-12s%11.0f%15d\n", s.name, durabilities[s.durability], commits/elapsed, len(files(path(n))))
	}
	fmt.Printf("      (%d commits; the final state is %d bytes of JSON)\n", commits, stateBytes)

	// A restart: every store comes back from its file with its state, version and history.
	for n, s := range setups {
		storage := must(agstate.OpenStorage("sqlite:"+path(n), &agstate.StorageOptions{Key: s.key}))
		store := must(storage.OpenStore("thread-1", nil))
		var before struct{ Count int }
		must(0, json.Unmarshal(must(store.StateAt(commits-1)), &before))
		version := must(store.Version())
		check(version == finals[n].version && version == commits && must(agstate.Equal(must(store.Export(0)), finals[n].state)) &&
			before.Count == commits-1, "%s (%s) reopened at v%d with its state and history", s.name, durabilities[s.durability], version)
		store.Close()
		storage.Close()
	}

	// Encryption at rest: the messages are not in the file, and a wrong key is refused.
	sealed, clear := files(path(2)), files(path(0))
	check(!bytes.Contains(sealed, []byte("lorem ipsum")) && bytes.Contains(clear, []byte("lorem ipsum")),
		"with encryption the text is not in the file (without it, it is)")
	storage := must(agstate.OpenStorage("sqlite:"+path(2), &agstate.StorageOptions{Key: make([]byte, 32)}))
	_, err := storage.OpenStore("thread-1", nil)
	check(errors.Is(err, agstate.ErrCorruptData), "a wrong key is refused: %v", err)
	storage.Close()

	if failures > 0 {
		fmt.Printf("storage_backends: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("storage_backends: all checks passed")
}
