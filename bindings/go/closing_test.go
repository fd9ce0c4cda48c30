package agstate

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// returnsWithin runs f on a goroutine and fails the test when it has not returned after a while: a
// deadlock fails instead of hanging the run.
func returnsWithin(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		f()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not return: deadlock", what)
	}
}

// Close while a subscription callback that reads the store runs on another goroutine: the binding held a
// read lock across the commit that runs the callback, Close waited for it as a writer, and the callback's
// own read waited behind Close.
func TestCloseWhileACallbackReadsTheStore(t *testing.T) {
	s, err := NewStore([]byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	inside := make(chan struct{})
	var readErr error
	var once sync.Once
	sub, err := s.Subscribe("", func(version uint64, patch []byte) error {
		once.Do(func() { close(inside) })
		time.Sleep(200 * time.Millisecond) // Close is called meanwhile
		_, readErr = s.Get("/n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	committed := make(chan error, 1)
	go func() {
		_, err := s.Set("/n", []byte("1"))
		committed <- err
	}()
	<-inside
	returnsWithin(t, "Store.Close while a callback reads the store", func() { s.Close() })
	select {
	case err := <-committed:
		if err != nil {
			t.Fatalf("the commit failed: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the commit whose callback read the store did not return")
	}
	if readErr != nil && !errors.Is(readErr, ErrClosed) {
		t.Fatalf("the callback's read: %v", readErr)
	}
	if _, err := s.Get(""); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	sub.Close()
}

// Close from inside a subscription callback: the binding's lock was held by the commit that runs it.
func TestCloseFromInsideACallback(t *testing.T) {
	s, err := NewStore([]byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	var sub *Subscription
	sub, err = s.Subscribe("", func(version uint64, patch []byte) error {
		sub.Close()
		return s.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	returnsWithin(t, "a commit whose callback closes the store", func() {
		if _, err := s.Set("/n", []byte("1")); err != nil {
			t.Errorf("the commit: %v", err)
		}
	})
	if _, err := s.Set("/n", []byte("2")); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// A transaction begun before its store closed cannot commit into it.
func TestTransactionAfterTheStoreClosed(t *testing.T) {
	s, err := NewStore([]byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Patch([]byte(`[{"op":"replace","path":"/n","value":1}]`)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := tx.Commit(); !errors.Is(err, ErrClosed) {
		t.Fatalf("commit after the store closed: %v", err)
	}
}

// A batcher closed from inside its own callback, with and without flush, with and without the timer
// thread: Close returns at once, a flush sends what is pending after the callback, nothing is sent after a
// Close without flush, and the callback's handle is never used after it is gone.
func TestBatcherClosedFromItsCallback(t *testing.T) {
	for _, timer := range []bool{false, true} {
		for _, flush := range []bool{false, true} {
			s, err := NewStore([]byte(`{"log":[]}`))
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var got []uint64
			var b *Batcher
			b, err = NewBatcher(s, func(event []byte, from, to uint64) error {
				mu.Lock()
				got = append(got, to)
				first := len(got) == 1
				mu.Unlock()
				if first {
					s.Add("/log/-", []byte("99")) // pending while this batch is sent
					b.Close(flush)
				}
				return nil
			}, BatcherOptions{WindowMillis: 60000, Timer: timer, TickMillis: 1})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Add("/log/-", []byte("1")); err != nil {
				t.Fatal(err)
			}
			returnsWithin(t, "Batcher.Close from inside its callback", func() { b.Flush() })
			want := 1
			if flush {
				want = 2
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				mu.Lock()
				n := len(got)
				mu.Unlock()
				if n >= want || time.Now().After(deadline) {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond)
			s.Add("/log/-", []byte("3"))
			time.Sleep(50 * time.Millisecond)
			mu.Lock()
			if len(got) != want {
				t.Errorf("timer %v flush %v: batches up to %v, want %d", timer, flush, got, want)
			}
			mu.Unlock()
			b.Close(true)
			s.Close()
		}
	}
}

// A callback run by a transaction's commit may use the transaction (it has ended): the binding held the
// transaction's lock across the commit.
func TestTransactionUsedFromTheCallbackOfItsCommit(t *testing.T) {
	s, err := NewStore([]byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var tx *Transaction
	var inside error
	sub, err := s.Subscribe("", func(version uint64, patch []byte) error {
		_, inside = tx.Get("/n")
		return tx.Rollback()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if tx, err = s.Begin(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Patch([]byte(`[{"op":"replace","path":"/n","value":1}]`)); err != nil {
		t.Fatal(err)
	}
	returnsWithin(t, "a commit whose callback uses the transaction", func() {
		if _, err := tx.Commit(); err != nil {
			t.Errorf("commit: %v", err)
		}
	})
	if !errors.Is(inside, ErrClosed) {
		t.Fatalf("the ended transaction read from the callback: %v", inside)
	}
}
