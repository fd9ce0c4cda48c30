package agstate

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The environment variable that makes TestStorageFileSizeLimit the child process: its value is the folder
// of the database.
const fileSizeChildEnv = "AGSTATE_GO_FSIZE_CHILD"

// RLIMIT_FSIZE in a child process (the test binary run again, since the limit is the whole process's): a
// commit that would grow the files past it fails with ErrIO, the state, version and history stay, and
// once the limit is lifted the next commit succeeds and survives a reopen.
func TestStorageFileSizeLimit(t *testing.T) {
	if dir := os.Getenv(fileSizeChildEnv); dir != "" {
		fileSizeLimitChild(t, dir)
		return
	}
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestStorageFileSizeLimit$", "-test.count=1", "-test.v")
	child.Env = append(os.Environ(), fileSizeChildEnv+"="+dir)
	output, err := child.CombinedOutput()
	if err != nil || !bytes.Contains(output, []byte("--- PASS: TestStorageFileSizeLimit")) {
		t.Fatalf("child: %v\n%s", err, output)
	}
	// The database the child left: the commit after the limit was lifted, nothing of the failed one.
	storage, err := OpenStorage("sqlite:"+filepath.Join(dir, "fsize.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close()
	store, err := storage.OpenStore("s", nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := store.Version(); v != 2 {
		t.Fatalf("version %d", v)
	}
	if state, _ := store.Get(""); string(state) != `{"n":3}` {
		t.Fatalf("state %s", state)
	}
}

func fileSizeLimitChild(t *testing.T, dir string) {
	// Past the limit, write() fails with EFBIG instead of the process being killed by SIGXFSZ.
	signal.Ignore(syscall.SIGXFSZ)
	url := "sqlite:" + filepath.Join(dir, "fsize.db")
	storage, err := OpenStorage(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.OpenStore("s", []byte(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Set("/n", []byte("2")); err != nil {
		t.Fatal(err)
	}
	historyBefore, err := store.History(0)
	if err != nil {
		t.Fatal(err)
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	small := old
	small.Cur = 1 << 20
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &small); err != nil {
		t.Fatal(err)
	}
	// About 3 MB of text that zstd cannot shrink below the limit.
	random := rand.New(rand.NewSource(12345))
	big := make([]byte, 3<<20+2)
	big[0], big[len(big)-1] = '"', '"'
	for i := 1; i < len(big)-1; i++ {
		big[i] = byte('a' + random.Intn(26))
	}
	_, err = store.Set("/big", big)
	if !errors.Is(err, ErrIO) {
		t.Fatalf("commit past the file size limit: %v", err)
	}
	if v, _ := store.Version(); v != 1 {
		t.Fatalf("version %d after the failed commit", v)
	}
	if state, _ := store.Get(""); string(state) != `{"n":2}` {
		t.Fatalf("state %s after the failed commit", state)
	}
	if history, _ := store.History(0); !bytes.Equal(history, historyBefore) {
		t.Fatalf("history %s after the failed commit, %s before", history, historyBefore)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if v, err := store.Set("/n", []byte("3")); err != nil || v != 2 {
		t.Fatalf("commit after the limit was lifted: %d %v", v, err)
	}
	if err := storage.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := OpenStorage(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	reopened, err := again.OpenStore("s", nil)
	if err != nil {
		t.Fatal(err)
	}
	if state, _ := reopened.Get(""); string(state) != `{"n":3}` {
		t.Fatalf("reopened state %s", state)
	}
}

// Flips one bit of the bytes `marker` in the file at `path` (which must hold them once).
func damage(t *testing.T, path, marker string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte(marker))
	if at < 0 || bytes.Count(data, []byte(marker)) != 1 {
		t.Fatalf("%q is not in %s once", marker, path)
	}
	data[at] ^= 0x20
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A damaged checkpoint row and a damaged change row: ErrCorruptData naming the store and the version, and
// the other stores of the database open and commit as before.
func TestStorageDamagedRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "damaged.db")
	storage, err := OpenStorage("sqlite:"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storage.OpenStore("checkpoint", []byte(`{"text":"MARKER-GO-CHECKPOINT"}`)); err != nil {
		t.Fatal(err)
	}
	changed, err := storage.OpenStore("change", []byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, value := range []string{`1`, `"MARKER-GO-CHANGE"`, `3`} {
		if _, err := changed.Set("/n", []byte(value)); err != nil {
			t.Fatal(err)
		}
	}
	good, err := storage.OpenStore("good", []byte(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.Set("/n", []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := storage.Close(); err != nil {
		t.Fatal(err)
	}
	damage(t, path, "MARKER-GO-CHECKPOINT")
	damage(t, path, "MARKER-GO-CHANGE")

	storage, err = OpenStorage("sqlite:"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close()
	for _, c := range []struct{ id, version string }{{"checkpoint", "at version 0"}, {"change", "at version 2"}} {
		_, err := storage.OpenStore(c.id, nil)
		if !errors.Is(err, ErrCorruptData) || !strings.Contains(err.Error(), `"`+c.id+`"`) ||
			!strings.Contains(err.Error(), c.version) {
			t.Fatalf("store %s: %v", c.id, err)
		}
		// Asked again: the same answer, nothing half-opened.
		if _, again := storage.OpenStore(c.id, nil); !errors.Is(again, ErrCorruptData) {
			t.Fatalf("store %s again: %v", c.id, again)
		}
	}
	good, err = storage.OpenStore("good", nil)
	if err != nil {
		t.Fatal(err)
	}
	if state, _ := good.Get(""); string(state) != `{"n":2}` {
		t.Fatalf("state %s", state)
	}
	if v, err := good.Set("/n", []byte("3")); err != nil || v != 2 {
		t.Fatalf("%d %v", v, err)
	}
	if ids, err := storage.List(); err != nil || len(ids) != 3 {
		t.Fatalf("%v %v", ids, err)
	}
}

func digest(t *testing.T, path string) [32]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// A database file cut short: ErrCorruptData saying so at open, and the file left exactly as it was (no
// WAL made beside it); a storage elsewhere still works.
func TestStorageTruncatedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "truncated.db")
	storage, err := OpenStorage("sqlite:"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.OpenStore("s", []byte(`{"blob":"`+strings.Repeat("y", 20000)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := store.Set("/k"+string(rune('a'+i%26))+string(rune('a'+i/26)), []byte(`"`+strings.Repeat("z", 1000)+`"`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := storage.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, info.Size()/2); err != nil {
		t.Fatal(err)
	}
	before := digest(t, path)
	_, err = OpenStorage("sqlite:"+path, nil)
	if !errors.Is(err, ErrCorruptData) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("open of a truncated file: %v", err)
	}
	if digest(t, path) != before {
		t.Fatal("the truncated file was changed")
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Fatalf("a WAL beside the truncated file: %v", err)
	}
	other, err := OpenStorage("sqlite:"+filepath.Join(dir, "other.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if s, err := other.OpenStore("s", []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	} else if v, err := s.Set("/n", []byte("2")); err != nil || v != 1 {
		t.Fatalf("%d %v", v, err)
	}
}
