package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"mra/server/mra"
)

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
// first answer to it, while it runs and after, across restarts too. The
// answer comes once the change is committed and every read shows it.
//
// A user who must change a one-time password may only change_password.
// Administration commands (cmd.Type.Admin) go to e.admin, from session.
func (e *engine) execute(user mra.User, session string, cmd *mra.Command) (answer []byte, code mra.Code) {
	defer func() { e.metrics.command(cmd.Type, code) }()
	if user.MustChangePassword && cmd.Type != mra.CmdChangePassword {
		ce := mra.Errorf(mra.CodeForbidden, "change your one-time password first (change_password)")
		return errorAnswer(cmd.ID, ce), ce.Code
	}
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
	switch {
	case cmd.Type.Admin():
		c.answer, c.code = e.admin(user, session, cmd)
	case cmd.Type.OfPartnership():
		c.answer, c.code = e.runPartnership(user, cmd)
	default:
		c.answer, c.code = e.run(user, cmd)
	}
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
		if entry = e.entry(cmd.Negotiation); entry == nil {
			return e.fail(cmd, mra.Errorf(mra.CodeNotFound, "no negotiation %q", cmd.Negotiation))
		}
		entry.mu.Lock()
	}
	entry, ch, p, answer, err := e.decide(entry, user, cmd)
	var wait func() error
	if err == nil {
		wait = e.store.Submit(ch) // in seal order, under the lock
	} else if entry != nil {
		var ce *mra.Error
		if !errors.As(err, &ce) {
			entry.settle() // a bug midway may have left work half changed
		}
	}
	if entry != nil {
		entry.mu.Unlock()
	}
	if err != nil {
		return e.fail(cmd, err)
	}

	// The fsync is awaited without any lock held, so the next command joins
	// the same group commit; the client's going away does not cancel it.
	submitted := time.Now()
	err = wait()
	e.metrics.commitTook(time.Since(submitted))
	e.finish(entry, p, err == nil)
	<-p.processed
	if err != nil {
		if !entry.created() {
			e.mu.Lock()
			delete(e.negs, ch.Negotiation) // its creation never reached the disk
			e.mu.Unlock()
		}
		return e.fail(cmd, fmt.Errorf("commit %s: %w", cmd.Type, err))
	}
	return answer, ""
}

// decide runs the rules on work with entry locked (nil for
// create_negotiation, whose new entry it registers locked), and seals and
// applies the events to work. It returns the change to commit, its place in
// the queue, the ack, and the entry, which stays locked.
func (e *engine) decide(entry *negotiation, user mra.User, cmd *mra.Command) (*negotiation, *mra.Change, *pending, []byte, error) {
	var n *mra.Negotiation
	if entry != nil {
		entry.cmu.RLock()
		broken := entry.broken
		entry.cmu.RUnlock()
		if broken {
			entry.settle()
			if !entry.created() { // its creation failed: it is going away
				return entry, nil, nil, nil, mra.Errorf(mra.CodeNotFound, "no negotiation %q", cmd.Negotiation)
			}
		}
		n = entry.work
	}
	in := mra.Input{Actor: user, Now: e.now(), NewID: newID, Parties: e.parties(), Texts: map[int]*mra.Text{}}
	if n != nil && n.Member(user.Party) {
		for _, v := range mra.TextsNeeded(n, cmd) {
			t, err := e.workText(entry, v)
			if err != nil {
				return entry, nil, nil, nil, err
			}
			in.Texts[v] = t
		}
	}
	if n == nil && cmd.Amends != "" {
		a, err := e.amended(user, cmd.Amends)
		if err != nil {
			return entry, nil, nil, nil, err
		}
		in.Amended = a
	}
	d, err := mra.Decide(n, cmd, in)
	if err != nil {
		return entry, nil, nil, nil, err
	}
	if n == nil {
		n = mra.NewNegotiation(d.Events[0].Negotiation)
		entry = newEntry(n, nil)
		entry.mu.Lock()
		e.mu.Lock()
		e.negs[n.ID] = entry
		e.mu.Unlock()
	}
	// The change must find every stream of the negotiation as work found
	// it: a change decided on top of one that fails can never commit.
	prev := make(map[mra.StreamKey]mra.Head, len(n.Heads)+1)
	for k, h := range n.Heads {
		prev[k] = h
	}
	for _, ev := range d.Events {
		prev[ev.Key()] = n.Heads[ev.Key()]
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
	p := &pending{events: d.Events, processed: make(chan struct{})}
	if carried(d.Events) >= adoptCarried {
		// Only this command adds to the queue (mu is held): if it is
		// empty now, committed is work as it was before this change.
		entry.cmu.RLock()
		calm := len(entry.queue) == 0 && !entry.broken
		entry.cmu.RUnlock()
		if calm {
			p.state = n.Clone(false)
		}
	}
	entry.cmu.Lock()
	entry.queue = append(entry.queue, p)
	entry.cmu.Unlock()
	return entry, &mra.Change{
		Negotiation: n.ID, Events: d.Events, Prev: prev, Texts: d.Texts, Records: records,
		Answer: &mra.Answer{User: user.ID, ID: cmd.ID, Body: answer},
	}, p, answer, nil
}

// amended returns what creating an amendment of id needs: the signed
// negotiation as committed and its latest text; nil when there is no such
// negotiation the user's party is in. A signed negotiation changes no more
// (but for its review), so the copy stays true.
func (e *engine) amended(user mra.User, id mra.NegotiationID) (*mra.Amended, error) {
	entry := e.entry(id)
	if entry == nil {
		return nil, nil
	}
	var a *mra.Amended
	entry.read(func(n *mra.Negotiation) {
		if n.Member(user.Party) {
			a = &mra.Amended{N: n.Clone(false)}
		}
	})
	if a == nil || a.N.Latest() == nil {
		return a, nil
	}
	t, err := e.text(a.N.Latest().SHA256)
	if err != nil {
		return nil, err
	}
	a.Text = t
	return a, nil
}

// adoptCarried is how many carried threads make a change's committed state
// cheaper to adopt from work (a clone) than to build again (an apply).
const adoptCarried = 256

// carried counts the threads the events carry onto a new version.
func carried(events []*mra.Event) int {
	n := 0
	for _, ev := range events {
		if d, ok := ev.Data.(*mra.AnchorsCarried); ok {
			n += len(d.Threads)
		}
	}
	return n
}

// finish marks p committed (or failed) and, in seal order, takes every
// finished change off the head of the queue: a committed one is applied to
// the committed state and published; a failed one marks work broken.
func (e *engine) finish(entry *negotiation, p *pending, ok bool) {
	entry.cmu.Lock()
	defer entry.cmu.Unlock()
	p.done, p.ok = true, ok
	for len(entry.queue) > 0 && entry.queue[0].done {
		q := entry.queue[0]
		entry.queue = entry.queue[1:]
		if q.ok {
			e.commitToState(entry, q)
		} else {
			entry.broken = true
		}
		close(q.processed)
	}
	if len(entry.queue) == 0 {
		entry.drained.Broadcast()
	}
}

// commitToState applies a committed change to the committed state and
// publishes its events, and the readiness if it changed. cmu is held.
func (e *engine) commitToState(entry *negotiation, q *pending) {
	c := entry.committed
	if c == nil {
		c = mra.NewNegotiation(q.events[0].Negotiation).Clone(false)
		entry.committed = c
	}
	before := c.Readiness()
	if q.state != nil {
		c = q.state // the events are in it
		entry.committed = c
	} else {
		for _, ev := range q.events {
			if err := c.Apply(ev); err != nil {
				// The store took it, so the disk is right and memory is not.
				e.log.Error("apply a committed event", "negotiation", ev.Negotiation, "stream", ev.Key(), "seq", ev.Seq, "err", err)
				entry.broken = true
			}
			c.Heads[ev.Key()] = mra.Head{Seq: ev.Seq, Hash: ev.Hash}
		}
	}
	var readiness *mra.Readiness
	if after := c.Readiness(); !reflect.DeepEqual(before, after) {
		readiness = &after
	}
	if e.publish != nil {
		e.publish(c.ID, q.events, readiness)
	}
}
