package servertest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"mra/server/mra"
)

// ErrInjected is the failure a Faulty store injects.
var ErrInjected = errors.New("injected commit failure")

// Faulty wraps a real store so that its next commits fail on cue, as a full
// disk or a failed fsync would: the change is not written. Everything else
// is the real store's.
type Faulty struct {
	mra.Store
	fail atomic.Int64 // how many of the next commits fail

	mu   sync.Mutex
	hold chan struct{} // the next Submit waits for it to close
}

// HoldNext makes the next Submit wait, before it reaches the store, until
// release is called: a commit that takes as long as the test likes. Only
// one change should be in flight meanwhile.
func (f *Faulty) HoldNext() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.hold = ch
	f.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// FailNext makes the next k commits (Commit or Submit) fail.
func (f *Faulty) FailNext(k int) { f.fail.Store(int64(k)) }

func (f *Faulty) failing() bool {
	for {
		n := f.fail.Load()
		if n <= 0 {
			return false
		}
		if f.fail.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// Commit fails without writing when a failure is due.
func (f *Faulty) Commit(ctx context.Context, c *mra.Change) error {
	if f.failing() {
		return ErrInjected
	}
	return f.Store.Commit(ctx, c)
}

// Submit queues the change, and fails it after the commits queued before
// it have finished, without writing it, when a failure is due: what a
// failed group commit does to its change.
func (f *Faulty) Submit(c *mra.Change) func() error {
	f.mu.Lock()
	hold := f.hold
	f.hold = nil
	f.mu.Unlock()
	if hold != nil {
		return func() error {
			<-hold
			return f.Store.Submit(c)()
		}
	}
	if f.failing() {
		barrier := f.Store.Submit(&mra.Change{}) // finishes after what was queued before
		return func() error {
			barrier()
			return ErrInjected
		}
	}
	return f.Store.Submit(c)
}
