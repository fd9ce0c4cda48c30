package agstate

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestStorageReopenHistoryBackupDelete(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "go.db")
	storage, err := OpenStorage(url, &StorageOptions{Durability: DurabilityNormal, CheckpointChanges: 3})
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.OpenStore("thread-1", []byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 7; i++ {
		if v, err := store.Set("/n", []byte{byte('0' + i)}); err != nil || v != uint64(i) {
			t.Fatalf("%d %v", v, err)
		}
	}
	if _, err := storage.OpenStore("thread-2", nil); err != nil {
		t.Fatal(err)
	}
	if ids, err := storage.List(); err != nil || !reflect.DeepEqual(ids, []string{"thread-1", "thread-2"}) {
		t.Fatalf("%v %v", ids, err)
	}
	backup := filepath.Join(dir, "all.agsb")
	if err := storage.Export(backup, ""); err != nil {
		t.Fatal(err)
	}
	storage.Close()
	if _, err := store.Set("/n", []byte("9")); !errors.Is(err, ErrClosed) {
		t.Fatalf("commit after close: %v", err)
	}

	storage, err = OpenStorage(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close()
	again, err := storage.OpenStore("thread-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := again.Version(); v != 7 {
		t.Fatalf("version %d", v)
	}
	if state, err := again.StateAt(2); err != nil || string(state) != `{"n":2}` {
		t.Fatalf("%s %v", state, err)
	}
	if err := storage.Delete("thread-2"); err != nil {
		t.Fatal(err)
	}
	if err := storage.Delete("thread-2"); !errors.Is(err, ErrPathNotFound) {
		t.Fatalf("%v", err)
	}
	other, err := OpenStorage("file:"+filepath.Join(dir, "other.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if ids, err := other.Import(backup); err != nil || !reflect.DeepEqual(ids, []string{"thread-1", "thread-2"}) {
		t.Fatalf("%v %v", ids, err)
	}
	if _, err := other.Import(backup); !errors.Is(err, ErrConflict) {
		t.Fatalf("%v", err)
	}
}

func TestStorageEncryptionAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.db")
	key := bytes.Repeat([]byte{0x42}, 32)
	storage, err := OpenStorage("sqlite:"+path, &StorageOptions{Key: key, KeyID: 1})
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.OpenStore("secret", []byte(`{"m":"MARKER-GO-7781"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Set("/k", []byte(`"MARKER-GO-7782"`)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal"} {
		if data, err := os.ReadFile(name); err == nil && bytes.Contains(data, []byte("MARKER-GO")) {
			t.Fatalf("plain text in %s", name)
		}
	}
	storage.Close()
	wrong, err := OpenStorage("sqlite:"+path, &StorageOptions{Key: bytes.Repeat([]byte{1}, 32), KeyID: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	if _, err := wrong.OpenStore("secret", nil); !errors.Is(err, ErrCorruptData) {
		t.Fatalf("wrong key: %v", err)
	}
	rotated, err := OpenStorage("sqlite:"+path, &StorageOptions{Key: bytes.Repeat([]byte{2}, 32), KeyID: 2,
		OldKeys: map[uint32][]byte{1: key}})
	if err != nil {
		t.Fatal(err)
	}
	defer rotated.Close()
	if s, err := rotated.OpenStore("secret", nil); err != nil {
		t.Fatal(err)
	} else if v, err := s.Set("/z", []byte("1")); err != nil || v != 2 {
		t.Fatalf("%d %v", v, err)
	}

	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, bytes.Repeat([]byte("not a database "), 20), 0o644)
	if _, err := OpenStorage("sqlite:"+notDB, nil); !errors.Is(err, ErrCorruptData) {
		t.Fatalf("%v", err)
	}
	if _, err := OpenStorage("mysql://x", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("%v", err)
	}
	if _, err := OpenStorage("sqlite:"+path, &StorageOptions{Key: []byte("short")}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("%v", err)
	}
}

// A database locked by another process past the busy timeout: the commit fails with ErrIO, the state and
// version stay, and the next commit succeeds once the lock is gone. The lock holder is Python's sqlite3.
func TestStorageLockedByAnotherProcess(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is needed to hold the lock")
	}
	path := filepath.Join(t.TempDir(), "locked.db")
	storage, err := OpenStorage("sqlite:"+path, &StorageOptions{BusyTimeoutMs: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close()
	store, err := storage.OpenStore("s", []byte(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Set("/n", []byte("2")); err != nil {
		t.Fatal(err)
	}
	holder := exec.Command(python, "-c", `import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")`, path)
	stdin, _ := holder.StdinPipe()
	stdout, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		t.Fatalf("holder said %q", line)
	}
	_, err = store.Set("/n", []byte("3"))
	if !errors.Is(err, ErrIO) || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("commit under the lock: %v", err)
	}
	if v, _ := store.Version(); v != 1 {
		t.Fatalf("version %d after the failed commit", v)
	}
	if state, _ := store.Get(""); string(state) != `{"n":2}` {
		t.Fatalf("state %s after the failed commit", state)
	}
	stdin.Close()
	holder.Wait()
	if v, err := store.Set("/n", []byte("4")); err != nil || v != 2 {
		t.Fatalf("%d %v", v, err)
	}
}
