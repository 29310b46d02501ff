package boltstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mra/server/mra"
)

// TestCommitConcurrent commits from 100 goroutines, each to its own
// negotiation, while 100 more take turns on one shared negotiation.
func TestCommitConcurrent(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	const writers, perWriter = 100, 5
	var (
		wg   sync.WaitGroup
		fail atomic.Int64
		mu   sync.Mutex // takes turns on one
		one  = newChain("one")
	)
	mustCommit(t, s, one.change(t, []*mra.Event{created()}))
	report := func(err error) {
		if err != nil {
			fail.Add(1)
			t.Error(err)
		}
	}
	for i := range writers {
		wg.Go(func() {
			ch := newChain(fmt.Sprintf("d%03d", i))
			for j := range perWriter {
				e := created()
				if j > 0 {
					e = reply(mra.PartyID([]string{"", "US", "SG"}[j%3]), fmt.Sprint(j))
				}
				c, err := ch.seal([]*mra.Event{e}, record(fmt.Sprint(j), `{}`))
				if err != nil {
					report(err)
					return
				}
				c.Answer = &mra.Answer{User: "u", ID: fmt.Sprintf("%d-%d", i, j), Body: []byte("ok")}
				report(s.Commit(context.Background(), c))
			}
		})
		wg.Go(func() {
			mu.Lock()
			defer mu.Unlock()
			c, err := one.seal([]*mra.Event{reply("", fmt.Sprint(i))}, record(fmt.Sprint(i), `{}`))
			if err != nil {
				report(err)
				return
			}
			report(s.Commit(context.Background(), c))
		})
	}
	wg.Wait()
	if fail.Load() > 0 {
		t.Fatalf("%d commits failed", fail.Load())
	}

	check := func() {
		t.Helper()
		if err := s.Verify(); err != nil {
			t.Errorf("Verify: got %v, want nil", err)
		}
		events, err := s.Events("one", mra.SharedStream, 0, 0, 0)
		if err != nil {
			t.Fatalf("Events: %v", err)
		}
		seqs := seqsOf(t, events)
		for k, seq := range seqs {
			if seq != uint64(k+1) {
				t.Fatalf("one: got seqs %v, want 1..%d", seqs, writers+1)
			}
		}
		if len(seqs) != writers+1 {
			t.Errorf("one: got %d events, want %d", len(seqs), writers+1)
		}
		stored, err := s.Load()
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if len(stored) != writers+1 {
			t.Fatalf("Load: got %d negotiations, want %d", len(stored), writers+1)
		}
		for _, st := range stored {
			want := perWriter
			if st.ID == "one" {
				want = writers
			}
			if len(st.Records) != want {
				t.Errorf("%s: got %d records, want %d", st.ID, len(st.Records), want)
			}
			var n uint64
			for _, h := range st.Heads {
				n += h.Seq
			}
			if st.ID != "one" && n != perWriter {
				t.Errorf("%s: got %d events over its heads %v, want %d", st.ID, n, st.Heads, perWriter)
			}
		}
		if _, ok, err := s.Answer("u", fmt.Sprintf("%d-%d", writers-1, perWriter-1)); !ok || err != nil {
			t.Errorf("Answer: got %v, %v, want it stored", ok, err)
		}
	}
	check()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = mustOpen(t, path)
	check()
}

// TestCloseInFlight closes the store while goroutines commit: every commit
// either lands or fails with ErrClosed, and the writer goroutine is gone.
func TestCloseInFlight(t *testing.T) {
	path := tempPath(t)
	before := runtime.NumGoroutine()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	const writers, perWriter = 50, 40
	var (
		wg        sync.WaitGroup
		committed [writers]int
		started   atomic.Int64
		ready     = make(chan struct{})
	)
	for i := range writers {
		wg.Go(func() {
			ch := newChain(fmt.Sprintf("n%02d", i))
			for j := range perWriter {
				e := created()
				if j > 0 {
					e = reply("", fmt.Sprint(j))
				}
				c, err := ch.seal([]*mra.Event{e})
				if err != nil {
					t.Error(err)
					return
				}
				err = s.Commit(context.Background(), c)
				if started.Add(1) == writers {
					close(ready)
				}
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Commit: got %v, want nil or ErrClosed", err)
					return
				}
				committed[i]++
			}
		})
	}
	<-ready
	if err := s.Close(); err != nil {
		t.Errorf("Close: got %v, want nil", err)
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	if err := s.Commit(context.Background(), newChain("late").change(t, []*mra.Event{created()})); !errors.Is(err, ErrClosed) {
		t.Errorf("Commit after Close: got %v, want ErrClosed", err)
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: got %d, want at most %d as before Open", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}

	s = mustOpen(t, path)
	if err := s.Verify(); err != nil {
		t.Errorf("Verify: got %v, want nil", err)
	}
	total := 0
	for i, n := range committed {
		total += n
		events, err := s.Events(mra.NegotiationID(fmt.Sprintf("n%02d", i)), mra.SharedStream, 0, 0, 0)
		if err != nil || len(events) != n {
			t.Errorf("n%02d: got %d events (%v), want the %d that committed", i, len(events), err, n)
		}
	}
	t.Logf("%d of %d commits landed before Close", total, writers*perWriter)
}
