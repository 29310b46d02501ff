package server

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"mra/server/mra"
)

// engine is the one write path: every command of either transport goes
// parse → idempotency → Decide → Seal → Apply → Commit (fsync) → publish.
// It keeps each negotiation's state in memory; the store holds the truth.
type engine struct {
	store mra.Store
	log   *slog.Logger
	now   func() time.Time

	mu      sync.RWMutex
	negs    map[mra.NegotiationID]*negotiation
	parties map[mra.PartyID]mra.Party
	texts   *textCache

	idemMu   sync.Mutex
	inflight map[idemKey]*call

	// publish, when set, receives each committed command's events in
	// stream order, and the readiness when the command changed it.
	publish func(id mra.NegotiationID, events []*mra.Event, readiness *mra.Readiness)
}

// negotiation is one negotiation's live state. mu is held while a command
// decides, seals and applies, so commands on one negotiation are ordered;
// it is released before the commit's fsync, so the next command can join
// the same group commit.
type negotiation struct {
	mu     sync.Mutex
	n      *mra.Negotiation
	latest *mra.Text // the latest version's text, loaded when first needed

	pubMu sync.Mutex
	queue []*pending // sealed changes awaiting their commit, in seal order
}

// pending is one command's events waiting for their commit to be published.
type pending struct {
	events    []*mra.Event
	readiness *mra.Readiness
	done, ok  bool
}

type idemKey struct {
	user mra.UserID
	id   string
}

// call is a command being answered; repeats of it wait for its answer.
type call struct {
	done   chan struct{}
	answer []byte
	code   mra.Code
}

func newEngine(store mra.Store, log *slog.Logger, now func() time.Time) (*engine, error) {
	e := &engine{
		store: store, log: log, now: now,
		negs:     map[mra.NegotiationID]*negotiation{},
		parties:  map[mra.PartyID]mra.Party{},
		texts:    newTextCache(32),
		inflight: map[idemKey]*call{},
	}
	parties, err := store.Parties()
	if err != nil {
		return nil, fmt.Errorf("load parties: %w", err)
	}
	for _, p := range parties {
		e.parties[p.ID] = p
	}
	stored, err := store.Load()
	if err != nil {
		return nil, fmt.Errorf("load negotiations: %w", err)
	}
	restored, err := restoreAll(stored)
	if err != nil {
		return nil, fmt.Errorf("load negotiations: %w", err)
	}
	for _, n := range restored {
		e.negs[n.ID] = &negotiation{n: n}
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

// newID returns 80 random bits as 16 lowercase base32 characters: opaque,
// unguessable, and saying nothing of how many things exist.
func newID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// ack is the contract's answer to a command that succeeded.
type ack struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Result any    `json:"result"`
}

func errorAnswer(id string, e *mra.Error) []byte {
	b, _ := json.Marshal(errorBody{Type: "error", ID: &id, Error: e})
	return b
}

// execute runs one mutating command for user and returns the answer's JSON
// and its code ("" for an ack). A repeat of a command id (same user) gets the
// first answer to it, while it runs and after, across restarts too.
func (e *engine) execute(user mra.User, cmd *mra.Command) ([]byte, mra.Code) {
	key := idemKey{user.ID, cmd.ID}
	e.idemMu.Lock()
	if c := e.inflight[key]; c != nil {
		e.idemMu.Unlock()
		<-c.done
		return c.answer, c.code
	}
	c := &call{done: make(chan struct{})}
	e.inflight[key] = c
	e.idemMu.Unlock()
	defer func() {
		e.idemMu.Lock()
		delete(e.inflight, key)
		e.idemMu.Unlock()
		close(c.done)
	}()

	if stored, ok, err := e.store.Answer(user.ID, cmd.ID); err != nil {
		c.answer, c.code = e.fail(cmd, err)
		return c.answer, c.code
	} else if ok {
		c.answer = stored
		return c.answer, c.code
	}
	c.answer, c.code = e.run(user, cmd)
	return c.answer, c.code
}

// fail turns an error into the command's error answer.
func (e *engine) fail(cmd *mra.Command, err error) ([]byte, mra.Code) {
	ce := asContractError(e.log, err, "command", cmd.Type, "negotiation", cmd.Negotiation)
	return errorAnswer(cmd.ID, ce), ce.Code
}

func (e *engine) run(user mra.User, cmd *mra.Command) ([]byte, mra.Code) {
	var entry *negotiation
	if cmd.Type != mra.CmdCreateNegotiation {
		e.mu.RLock()
		entry = e.negs[cmd.Negotiation]
		e.mu.RUnlock()
		if entry == nil {
			return e.fail(cmd, mra.Errorf(mra.CodeNotFound, "no negotiation %q", cmd.Negotiation))
		}
		entry.mu.Lock()
	}
	entry, ch, p, answer, err := e.decide(entry, user, cmd)
	var wait func() error
	if err == nil {
		wait = e.store.Submit(ch) // in seal order, under the lock
	}
	var id mra.NegotiationID
	if entry != nil {
		id = entry.n.ID
		entry.mu.Unlock()
	}
	if err != nil {
		var ce *mra.Error
		if id != "" && !errors.As(err, &ce) {
			e.reload(id) // a bug midway may have left the state half changed
		}
		return e.fail(cmd, err)
	}

	// The fsync is awaited without any lock held, so the next command joins
	// the same group commit; the client's going away does not cancel it.
	err = wait()
	e.published(entry, p, err == nil)
	if err != nil {
		e.reload(ch.Negotiation)
		return e.fail(cmd, fmt.Errorf("commit %s: %w", cmd.Type, err))
	}
	return answer, ""
}

// decide runs the rules with entry locked (nil for create_negotiation, whose
// new entry it registers locked), and seals and applies the events. It
// returns the change to commit, its place in the publication queue, and the
// ack, and the entry, which stays locked.
func (e *engine) decide(entry *negotiation, user mra.User, cmd *mra.Command) (*negotiation, *mra.Change, *pending, []byte, error) {
	var n *mra.Negotiation
	if entry != nil {
		n = entry.n
	}
	in := mra.Input{Actor: user, Now: e.now(), NewID: newID, Parties: e.parties, Texts: map[int]*mra.Text{}}
	if n != nil && n.Member(user.Party) {
		for _, v := range mra.TextsNeeded(n, cmd) {
			t, err := e.versionText(entry, v)
			if err != nil {
				return entry, nil, nil, nil, err
			}
			in.Texts[v] = t
		}
	}
	d, err := mra.Decide(n, cmd, in)
	if err != nil {
		return entry, nil, nil, nil, err
	}
	if n == nil {
		n = mra.NewNegotiation(d.Events[0].Negotiation)
		entry = &negotiation{n: n}
		entry.mu.Lock()
		e.mu.Lock()
		e.negs[n.ID] = entry
		e.mu.Unlock()
	}
	before := n.Readiness()
	prev := map[mra.StreamKey]mra.Head{}
	for _, ev := range d.Events {
		if _, ok := prev[ev.Key()]; !ok {
			prev[ev.Key()] = n.Heads[ev.Key()]
		}
	}
	if err := n.Seal(d.Events); err != nil {
		return entry, nil, nil, nil, err
	}
	for _, ev := range d.Events {
		if err := n.Apply(ev); err != nil {
			return entry, nil, nil, nil, err
		}
	}
	records, err := n.Records()
	if err != nil {
		return entry, nil, nil, nil, err
	}
	if d.Latest != nil {
		entry.latest = d.Latest
		e.texts.put(n.Latest().SHA256, d.Latest)
	}
	answer, err := json.Marshal(ack{Type: "ack", ID: cmd.ID, Result: d.Result(n)})
	if err != nil {
		return entry, nil, nil, nil, err
	}
	p := &pending{events: d.Events}
	if after := n.Readiness(); !reflect.DeepEqual(before, after) {
		p.readiness = &after
	}
	entry.pubMu.Lock()
	entry.queue = append(entry.queue, p)
	entry.pubMu.Unlock()
	return entry, &mra.Change{
		Negotiation: n.ID, Events: d.Events, Prev: prev, Texts: d.Texts, Records: records,
		Answer: &mra.Answer{User: user.ID, ID: cmd.ID, Body: answer},
	}, p, answer, nil
}

// published marks p committed (or failed) and publishes, in seal order,
// every change at the head of the queue whose commit is done.
func (e *engine) published(entry *negotiation, p *pending, ok bool) {
	entry.pubMu.Lock()
	defer entry.pubMu.Unlock()
	p.done, p.ok = true, ok
	for len(entry.queue) > 0 && entry.queue[0].done {
		q := entry.queue[0]
		entry.queue = entry.queue[1:]
		if q.ok && e.publish != nil {
			e.publish(entry.n.ID, q.events, q.readiness)
		}
	}
}

// reload replaces a negotiation's live state with what the store holds,
// after a commit failed and the state ran ahead of the disk.
func (e *engine) reload(id mra.NegotiationID) {
	e.mu.RLock()
	entry := e.negs[id]
	e.mu.RUnlock()
	if entry == nil {
		return
	}
	entry.mu.Lock()
	defer entry.mu.Unlock()
	stored, err := e.store.Load()
	if err != nil {
		e.log.Error("reload after failed commit", "negotiation", id, "err", err)
		return
	}
	for _, s := range stored {
		if s.ID == id {
			n, err := mra.Restore(s)
			if err != nil {
				e.log.Error("reload after failed commit", "negotiation", id, "err", err)
				return
			}
			entry.n, entry.latest = n, nil
			return
		}
	}
	e.mu.Lock()
	delete(e.negs, id) // its creation never reached the disk
	e.mu.Unlock()
}

// versionText returns version v's text, from the entry (the latest), the
// cache or the store. entry.mu must be held.
func (e *engine) versionText(entry *negotiation, v int) (*mra.Text, error) {
	n := entry.n
	if v < 1 || v > len(n.Versions) {
		return nil, mra.Errorf(mra.CodeNotFound, "no version %d", v)
	}
	latest := v == len(n.Versions)
	if latest && entry.latest != nil {
		return entry.latest, nil
	}
	t, err := e.text(n.Versions[v-1].SHA256)
	if err != nil {
		return nil, err
	}
	if latest {
		entry.latest = t
	}
	return t, nil
}

// text returns the text with a SHA-256, through the cache.
func (e *engine) text(sha string) (*mra.Text, error) {
	if t := e.texts.get(sha); t != nil {
		return t, nil
	}
	s, err := e.store.Text(sha)
	if err != nil {
		return nil, fmt.Errorf("load text %s: %w", sha, err)
	}
	t := mra.NewText(s)
	e.texts.put(sha, t)
	return t, nil
}

// view runs f on a negotiation's state, which user's party must share, with
// the state locked: f must not keep what it reads.
func (e *engine) view(id mra.NegotiationID, user mra.User, f func(*negotiation) error) error {
	e.mu.RLock()
	entry := e.negs[id]
	e.mu.RUnlock()
	if entry == nil {
		return mra.Errorf(mra.CodeNotFound, "no negotiation %q", id)
	}
	entry.mu.Lock()
	defer entry.mu.Unlock()
	if !entry.n.Member(user.Party) {
		return mra.Errorf(mra.CodeNotFound, "no negotiation %q", id)
	}
	return f(entry)
}

// list returns the summaries of the negotiations user's party takes part
// in, newest first.
func (e *engine) list(user mra.User) []mra.NegotiationView {
	e.mu.RLock()
	entries := make([]*negotiation, 0, len(e.negs))
	for _, entry := range e.negs {
		entries = append(entries, entry)
	}
	e.mu.RUnlock()
	out := []mra.NegotiationView{}
	for _, entry := range entries {
		entry.mu.Lock()
		if entry.n.Member(user.Party) {
			out = append(out, entry.n.View())
		}
		entry.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// textCache keeps a bounded number of indexed texts by SHA-256.
type textCache struct {
	mu    sync.Mutex
	max   int
	items map[string]*mra.Text
	order []string // oldest first
}

func newTextCache(max int) *textCache {
	return &textCache{max: max, items: map[string]*mra.Text{}}
}

func (c *textCache) get(sha string) *mra.Text {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[sha]
}

func (c *textCache) put(sha string, t *mra.Text) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[sha]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.items, c.order[0])
		c.order = slices.Delete(c.order, 0, 1)
	}
	c.items[sha] = t
	c.order = append(c.order, sha)
}
