package agstate

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// redisURL is the private server scripts/test.sh starts; without one the tests are skipped, except in CI.
func redisURL(t *testing.T) string {
	url := os.Getenv("AGSTATE_TEST_REDIS_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Redis in CI: the test command starts one")
		}
		t.Skip("no Redis server (AGSTATE_TEST_REDIS_URL unset)")
	}
	return url
}

func TestRedisSharedStore(t *testing.T) {
	url := redisURL(t)
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
	ids, err := first.List()
	if err != nil || !contains(ids, id) {
		t.Fatalf("list %v %v", ids, err)
	}
	stats, err := first.Stats()
	if err != nil || !strings.Contains(string(stats), `"backend":"redis"`) || !strings.Contains(string(stats), `"state":"closed"`) {
		t.Fatalf("stats %s %v", stats, err)
	}
	if err := first.Delete(id); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Set("/n", []byte(`4`)); !errors.Is(err, ErrClosed) {
		t.Fatalf("a commit to a store deleted elsewhere: %v, want ErrClosed", err)
	}
	if err := first.Delete(id); !errors.Is(err, ErrPathNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

func contains(ids []string, id string) bool {
	for _, each := range ids {
		if each == id {
			return true
		}
	}
	return false
}

func TestRedisUnreachable(t *testing.T) {
	if _, err := OpenStorage("redis://127.0.0.1:1?agstate_retries=0", nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
	if _, err := OpenStorage("redis+unix://relative.sock", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("got %v, want ErrInvalidArgument", err)
	}
}
