package agstate

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// hybridServer returns the test server's URL and a function that stops (false) or starts (true) it; the
// server is running again when the test ends. The tests of this package run one at a time.
func hybridServer(t *testing.T) (string, func(up bool)) {
	url := postgresURL(t)
	stop, start := os.Getenv("AGSTATE_TEST_PG_STOP"), os.Getenv("AGSTATE_TEST_PG_START")
	if stop == "" || start == "" {
		t.Fatal("AGSTATE_TEST_PG_STOP and AGSTATE_TEST_PG_START are needed with AGSTATE_TEST_PG_URL")
	}
	down := false
	control := func(up bool) {
		command := stop
		if up {
			command = start
		}
		if out, err := exec.Command("sh", "-c", command).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", command, err, out)
		}
		down = !up
	}
	t.Cleanup(func() {
		if down {
			_ = exec.Command("sh", "-c", start).Run()
		}
	})
	return url, control
}

func hybridURL(primary, path string) string {
	joiner := "?"
	if strings.Contains(primary, "?") {
		joiner = "&"
	}
	return "hybrid:" + primary + joiner + "agstate_retries=0&agstate_breaker_failures=1&agstate_breaker_open_ms=100|sqlite:" + path
}

func hybridStats(t *testing.T, s *Storage) map[string]interface{} {
	raw, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	var stats map[string]interface{}
	if err := json.Unmarshal(raw, &stats); err != nil {
		t.Fatal(err)
	}
	return stats
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestHybridFailoverAndReplay(t *testing.T) {
	pg, server := hybridServer(t)
	url := hybridURL(pg, filepath.Join(t.TempDir(), "fallback.db"))
	id := fmt.Sprintf("go-hybrid-%d", time.Now().UnixNano())
	storage, err := OpenStorage(url, nil)
	mustOK(t, err)
	store, err := storage.OpenStore(id, []byte(`{"n":0}`))
	mustOK(t, err)
	_, err = store.Set("/n", []byte(`1`))
	mustOK(t, err)
	server(false)
	for i := 2; i <= 4; i++ {
		_, err = store.SetWith("/n", []byte(fmt.Sprint(i)), PatchOptions{Author: "gopher"})
		mustOK(t, err)
	}
	stats := hybridStats(t, storage)
	if stats["active"] != "fallback" || stats["pending_replay"] != 3.0 || stats["failovers"] != 1.0 {
		t.Fatalf("on the fallback: %v", stats)
	}
	store.Close()
	storage.Close()

	// Reopened with the primary still down: the fallback has every change.
	storage, err = OpenStorage(url, nil)
	mustOK(t, err)
	defer storage.Close()
	store, err = storage.OpenStore(id, nil)
	mustOK(t, err)
	defer store.Close()
	if v, _ := store.Version(); v != 4 {
		t.Fatalf("reopened at version %d", v)
	}

	server(true)
	deadline := time.Now().Add(20 * time.Second)
	for {
		stats = hybridStats(t, storage)
		if stats["pending_replay"] == 0.0 && stats["active"] == "primary" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not replayed: %v", stats)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if stats["replayed_changes"] != 3.0 || stats["replay_conflicts"] != 0.0 || stats["breaker"] != "closed" {
		t.Fatalf("after the replay: %v", stats)
	}
	direct, err := OpenStorage(pg, nil)
	mustOK(t, err)
	defer direct.Close()
	copy, err := direct.OpenStore(id, nil)
	mustOK(t, err)
	defer copy.Close()
	if v, _ := copy.Version(); v != 4 {
		t.Fatalf("the primary at version %d", v)
	}
	if got, _ := copy.Get("/n"); string(got) != "4" {
		t.Fatalf("the primary holds %s", got)
	}
	if author, _ := copy.AuthorOf(4); author != "gopher" {
		t.Fatalf("author %q", author)
	}
	mustOK(t, direct.Delete(id))
}

func TestHybridConflictOnReplayIsLogged(t *testing.T) {
	pg, server := hybridServer(t)
	url := hybridURL(pg, filepath.Join(t.TempDir(), "fallback.db"))
	id := fmt.Sprintf("go-hybrid-conflict-%d", time.Now().UnixNano())
	storage, err := OpenStorage(url, nil)
	mustOK(t, err)
	store, err := storage.OpenStore(id, []byte(`{"a":1}`))
	mustOK(t, err)
	_, err = store.Set("/a", []byte(`2`))
	mustOK(t, err)
	server(false)
	_, err = store.SetWith("/mine", []byte(`"A"`), PatchOptions{Author: "process-a"})
	mustOK(t, err)
	store.Close()
	storage.Close()

	server(true)
	direct, err := OpenStorage(pg, nil)
	mustOK(t, err)
	defer direct.Close()
	theirs, err := direct.OpenStore(id, nil)
	mustOK(t, err)
	defer theirs.Close()
	_, err = theirs.SetWith("/theirs", []byte(`"B"`), PatchOptions{Author: "process-b"})
	mustOK(t, err)

	again, err := OpenStorage(url, nil)
	mustOK(t, err)
	defer again.Close()
	mine, err := again.OpenStore(id, nil)
	mustOK(t, err)
	defer mine.Close()
	if v, _ := mine.Version(); v != 3 {
		t.Fatalf("after the replay at version %d", v)
	}
	state, _ := mine.Get("")
	var got map[string]interface{}
	mustOK(t, json.Unmarshal(state, &got))
	if !reflect.DeepEqual(got, map[string]interface{}{"a": 2.0, "theirs": "B", "mine": "A"}) {
		t.Fatalf("state %s", state)
	}
	raw, err := mine.Conflicts(0)
	mustOK(t, err)
	var records []map[string]interface{}
	mustOK(t, json.Unmarshal(raw, &records))
	if len(records) != 1 {
		t.Fatalf("conflict log %s", raw)
	}
	r := records[0]
	if r["kind"] != "replay" || r["outcome"] != "applied" || r["strategy"] != "rebase" || r["base_version"] != 1.0 ||
		r["primary_version"] != 2.0 || r["version"] != 3.0 {
		t.Fatalf("conflict record %s", raw)
	}
	theirSide, _ := json.Marshal(r["theirs"])
	mineSide, _ := json.Marshal(r["mine"])
	if string(theirSide) != `[{"op":"add","path":"/theirs","value":"B"}]` ||
		string(mineSide) != `[{"author":"process-a","patch":[{"op":"add","path":"/mine","value":"A"}],"version":2}]` {
		t.Fatalf("the two sides: %s / %s", theirSide, mineSide)
	}
	if stats := hybridStats(t, again); stats["replay_conflicts"] != 1.0 {
		t.Fatalf("stats %v", stats)
	}
	mustOK(t, direct.Delete(id))
}
