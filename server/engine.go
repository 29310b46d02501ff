package server

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"mra/server/mra"
)

// engine holds every negotiation in memory and is the one write path (see
// command.go): every command of either transport goes parse → idempotency →
// Decide → Seal → Apply → Commit (fsync) → publish. The store holds the truth;
// what readers see moves only after the store has it.
type engine struct {
	store mra.Store
	log   *slog.Logger
	now   func() time.Time

	mu   sync.RWMutex // guards negs
	negs map[mra.NegotiationID]*negotiation
	dir  *directory // the parties (and users)
	// partnerships are the partnerships (partnership.go).
	partnerships *partnerships
	texts        *textCache

	idemMu   sync.Mutex
	inflight map[idemKey]*call

	// publish, when set, receives each committed command's events in
	// stream order, and the readiness when the command changed it.
	publish func(id mra.NegotiationID, events []*mra.Event, readiness *mra.Readiness)
	metrics *Metrics // nil: none
	// admin carries out an administration command (Server.runAdmin).
	admin func(user mra.User, session string, cmd *mra.Command) ([]byte, mra.Code)
}

// parties is every party, as last committed; the caller must not change it.
func (e *engine) parties() map[mra.PartyID]mra.Party { return e.dir.snapshot().Parties }

// negotiation is one negotiation in memory, in two states. work is where
// commands decide: the committed state and every change submitted on top of
// it. committed is what every read sees: the changes whose commit finished,
// applied in order. A change that fails to commit never reaches committed;
// the next command finds work broken and starts it again from committed.
//
// Lock order: mu, then cmu, then the hub's lock. No lock is held across a
// commit's fsync; mu is held while a command decides, seals, applies to work
// and submits, so commands on one negotiation are ordered and still share
// one group commit.
type negotiation struct {
	mu     sync.Mutex
	work   *mra.Negotiation
	latest *mra.Text // work's latest version's text, loaded when first needed

	cmu       sync.RWMutex
	committed *mra.Negotiation // nil until the negotiation's creation commits
	queue     []*pending       // submitted changes, in seal order, not yet finished
	broken    bool             // a submitted change failed: work is ahead of the disk
	drained   *sync.Cond       // on cmu: signalled when queue empties
}

func newEntry(work, committed *mra.Negotiation) *negotiation {
	entry := &negotiation{work: work, committed: committed}
	entry.drained = sync.NewCond(&entry.cmu)
	return entry
}

// pending is one submitted change on its way to committed.
type pending struct {
	events []*mra.Event
	// state, when set, is work as this change left it, decided with nothing
	// in flight before it: committed plus these events, which commit adopts
	// instead of applying them again (a carry of thousands of threads).
	state     *mra.Negotiation
	done, ok  bool
	processed chan struct{} // closed once applied to committed, or known failed
}

// settle makes work trustworthy again after a failure: with mu held (so no
// change is added), it waits until every submitted change has finished and
// restarts work from committed.
func (entry *negotiation) settle() {
	entry.cmu.Lock()
	defer entry.cmu.Unlock()
	for len(entry.queue) > 0 {
		entry.drained.Wait()
	}
	if entry.committed != nil {
		entry.work = entry.committed.Clone(true)
	}
	entry.latest, entry.broken = nil, false
}

// created reports whether the negotiation's creation has committed.
func (entry *negotiation) created() bool {
	entry.cmu.RLock()
	defer entry.cmu.RUnlock()
	return entry.committed != nil
}

// read runs f on the committed state, with it locked for reading; f must
// not keep what it reads. It returns false before the creation commits.
func (entry *negotiation) read(f func(*mra.Negotiation)) bool {
	entry.cmu.RLock()
	defer entry.cmu.RUnlock()
	if entry.committed == nil {
		return false
	}
	f(entry.committed)
	return true
}

func newEngine(store mra.Store, dir *directory, log *slog.Logger, now func() time.Time, state []*mra.Negotiation) (*engine, error) {
	ps, err := newPartnerships(store)
	if err != nil {
		return nil, err
	}
	e := &engine{
		store: store, log: log, now: now, dir: dir, partnerships: ps,
		negs:     map[mra.NegotiationID]*negotiation{},
		texts:    newTextCache(32),
		inflight: map[idemKey]*call{},
	}
	if state == nil {
		stored, err := store.Load()
		if err != nil {
			return nil, fmt.Errorf("load negotiations: %w", err)
		}
		if state, err = restoreAll(stored); err != nil {
			return nil, fmt.Errorf("load negotiations: %w", err)
		}
	}
	for _, n := range state {
		e.negs[n.ID] = newEntry(n, n.Clone(false))
	}
	return e, nil
}

// restoreAll rebuilds the negotiations' state on every core: decoding the
// records is most of start-up.
func restoreAll(stored []mra.Stored) ([]*mra.Negotiation, error) {
	out := make([]*mra.Negotiation, len(stored))
	errs := make([]error, len(stored))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = mra.Restore(stored[i])
			}
		}()
	}
	for i := range stored {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, errors.Join(errs...)
}

// entry returns a negotiation in memory, or nil.
func (e *engine) entry(id mra.NegotiationID) *negotiation {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.negs[id]
}

// newID returns 80 random bits as 16 lowercase base32 characters: opaque,
// unguessable, and saying nothing of how many things exist.
func newID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
