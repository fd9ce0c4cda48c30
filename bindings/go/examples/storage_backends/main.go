// Storage backends: the same workload on durable SQLite storage (encryption at rest off and on, full and
// normal durability), on PostgreSQL, on Redis and on the hybrid (a PostgreSQL primary with a SQLite
// fallback), each with encryption off and on, printed as a table of commits per second and bytes on disk
// ("-" for the server backends, whose bytes are the server's); then every store reopened by a new Storage on
// the same file or URL (a restart) with its state, version and history, and a wrong key refused. Real files
// in a temporary directory; the servers come from AGSTATE_TEST_PG_URL and AGSTATE_TEST_REDIS_URL
// (scripts/servers.sh starts private ones), and the store ids carry the process id and the time, so that runs
// against the same servers do not meet. Checkpoints are always zstd-compressed (there is no switch to turn
// it off). Exits 1 if any of it does not hold.
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
	kind       string // sqlite, postgresql, redis or hybrid
	key        []byte
	durability agstate.Durability // applies to SQLite only ("-" in the table for the others)
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
	pgURL, redisURL := os.Getenv("AGSTATE_TEST_PG_URL"), os.Getenv("AGSTATE_TEST_REDIS_URL")
	if pgURL == "" || redisURL == "" {
		fmt.Fprintln(os.Stderr, "storage_backends: set AGSTATE_TEST_PG_URL to a PostgreSQL URL and AGSTATE_TEST_REDIS_URL to a Redis URL (scripts/servers.sh starts both)")
		os.Exit(1)
	}
	run := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano()) // in the store ids: reruns against the same servers do not collide
	full, normal := agstate.DurabilityFull, agstate.DurabilityNormal
	setups := []setup{{"sqlite", "sqlite", nil, full}, {"sqlite", "sqlite", nil, normal},
		{"sqlite + encryption", "sqlite", key, full}, {"sqlite + encryption", "sqlite", key, normal},
		{"postgresql", "postgresql", nil, full}, {"postgresql + encryption", "postgresql", key, full},
		{"redis", "redis", nil, full}, {"redis + encryption", "redis", key, full},
		{"hybrid", "hybrid", nil, full}, {"hybrid + encryption", "hybrid", key, full}}
	durability := func(s setup) string {
		if s.kind != "sqlite" {
			return "-"
		}
		return map[agstate.Durability]string{full: "full", normal: "normal"}[s.durability]
	}
	folder := must(os.MkdirTemp("", "agstate-storage-"))
	defer os.RemoveAll(folder)
	path := func(n int) string { return filepath.Join(folder, fmt.Sprintf("setup-%d.db", n)) }
	url := func(n int) string {
		switch setups[n].kind {
		case "sqlite":
			return "sqlite:" + path(n)
		case "hybrid":
			return "hybrid:" + pgURL + "|sqlite:" + filepath.Join(folder, fmt.Sprintf("setup-%d-fallback.db", n))
		case "postgresql":
			return pgURL
		}
		return redisURL
	}
	storeID := func(n int) string { return fmt.Sprintf("thread-%s-%d", run, n) }

	type final struct {
		version uint64
		state   []byte
	}
	finals := map[int]final{}
	fmt.Printf("      %-26s%-12s%11s%15s\n", "backend", "durability", "commits/s", "bytes on disk")
	stateBytes := 0
	for n, s := range setups {
		storage := must(agstate.OpenStorage(url(n), &agstate.StorageOptions{Key: s.key, Durability: s.durability}))
		store := must(storage.OpenStore(storeID(n), []byte(`{"messages":[],"count":0}`)))
		started := time.Now()
		workload(store)
		elapsed := time.Since(started).Seconds()
		finals[n] = final{must(store.Version()), must(store.Export(0))}
		stateBytes = len(finals[n].state)
		store.Close()
		storage.Close()
		size := "-"
		if s.kind == "sqlite" {
			size = fmt.Sprint(len(files(path(n))))
		}
		fmt.Printf("      %-26s%-12s%11.0f%15s\n", s.name, durability(s), commits/elapsed, size)
	}
	fmt.Printf("      (%d commits; the final state is %d bytes of JSON)\n", commits, stateBytes)

	// A restart: a new Storage on the same file or URL finds every store with its state, version and history.
	for n, s := range setups {
		storage := must(agstate.OpenStorage(url(n), &agstate.StorageOptions{Key: s.key}))
		store := must(storage.OpenStore(storeID(n), nil))
		name := s.name
		if s.kind == "sqlite" {
			name += " (" + durability(s) + ")"
		}
		var before struct{ Count int }
		must(0, json.Unmarshal(must(store.StateAt(commits-1)), &before))
		version := must(store.Version())
		check(version == finals[n].version && version == commits && must(agstate.Equal(must(store.Export(0)), finals[n].state)) &&
			before.Count == commits-1, "%s reopened at v%d with its state and history", name, version)
		store.Close()
		storage.Close()
	}

	// Encryption at rest: the messages are not in the file, and a wrong key is refused.
	sealed, clear := files(path(2)), files(path(0))
	check(!bytes.Contains(sealed, []byte("lorem ipsum")) && bytes.Contains(clear, []byte("lorem ipsum")),
		"with encryption the text is not in the file (without it, it is)")
	storage := must(agstate.OpenStorage("sqlite:"+path(2), &agstate.StorageOptions{Key: make([]byte, 32)}))
	_, err := storage.OpenStore(storeID(2), nil)
	check(errors.Is(err, agstate.ErrCorruptData), "a wrong key is refused: %v", err)
	storage.Close()

	if failures > 0 {
		fmt.Printf("storage_backends: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("storage_backends: all checks passed")
}
