package agstate

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// postgresURL is the private server scripts/test.sh starts; without one the tests are skipped, except in CI.
func postgresURL(t *testing.T) string {
	url := os.Getenv("AGSTATE_TEST_PG_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no PostgreSQL in CI: the test command starts one")
		}
		t.Skip("no PostgreSQL server (AGSTATE_TEST_PG_URL unset)")
	}
	return url
}

func waitVersion(t *testing.T, s *Store, version uint64) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := s.Version()
		if err != nil {
			t.Fatal(err)
		}
		if v >= version {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("store at version %d, waited for %d", v, version)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPostgresSharedStore(t *testing.T) {
	url := postgresURL(t)
	id := fmt.Sprintf("go-%d", time.Now().UnixNano())
	first, err := OpenStorage(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := OpenStorage(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	a, err := first.OpenStore(id, []byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := second.OpenStore(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Set("/n", []byte(`1`)); err != nil {
		t.Fatal(err)
	}
	waitVersion(t, b, 1)
	if _, err := b.Set("/n", []byte(`2`)); err != nil {
		t.Fatal(err)
	}
	// a may not have heard of version 2: its commit of version 2 then loses, and a has caught up.
	if _, err := a.Set("/n", []byte(`3`)); errors.Is(err, ErrConflict) {
		if v, _ := a.Version(); v != 2 {
			t.Fatalf("after a conflict the store is at %d, not 2", v)
		}
		if _, err := a.Set("/n", []byte(`3`)); err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	waitVersion(t, b, 3)
	got, _ := b.Get("/n")
	if string(got) != "3" {
		t.Fatalf("b reads %s", got)
	}
	stats, err := first.Stats()
	if err != nil || !strings.Contains(string(stats), `"state":"closed"`) {
		t.Fatalf("stats %s %v", stats, err)
	}
	if err := first.Delete(id); err != nil {
		t.Fatal(err)
	}
}

func TestPostgresUnreachable(t *testing.T) {
	if _, err := OpenStorage("postgres://127.0.0.1:1/none?agstate_retries=0", nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
}
