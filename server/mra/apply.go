package mra

import (
	"fmt"
	"slices"
	"time"
)

// Apply folds one event into the negotiation's state. It fails only on an
// event that does not fit the state (a bug, or a damaged log). Apply never
// writes into a slice it did not make, so a shallow copy of a thread taken
// before (a snapshot) keeps what it saw.
func (n *Negotiation) Apply(e *Event) error {
	switch d := e.Data.(type) {
	case *NegotiationCreated:
		n.ID = e.Negotiation
		n.Title, n.Parties, n.RequiredApprovals, n.Amends = d.Title, slices.Clone(d.Parties), d.RequiredApprovals, d.Amends
		n.CreatedBy, n.CreatedAt = e.Actor.User, e.At
		n.touch(RecMeta, "")
	case *VersionProposed:
		if d.Version != len(n.Versions)+1 {
			return fmt.Errorf("apply: version %d after %d", d.Version, len(n.Versions))
		}
		n.Versions = append(n.Versions, Version{
			Number: d.Version, Base: d.Base, SHA256: d.SHA256, Note: d.Note,
			Author: e.Actor.User, Party: e.Actor.Party, At: e.At, Length: d.Length, Options: d.Options,
		})
		n.touch(RecVersion, versionKey(d.Version))
		if err := n.incorporate(d.Options, d.Version); err != nil {
			return err
		}
	case *ThreadOpened:
		if _, dup := n.Threads[d.Thread]; dup {
			return fmt.Errorf("apply: thread %s opened twice", d.Thread)
		}
		t := &Thread{
			ID: d.Thread, Kind: d.Kind, Visibility: d.Visibility, Party: d.Party, Status: d.Status,
			Concurred: slices.Clone(d.Concurred), Messages: []Message{d.Message},
			CreatedAt: e.At, Author: e.Actor.User, Pos: e.Pos(), gen: n.gen,
		}
		if d.Anchor != nil {
			a := *d.Anchor
			t.Anchor = &a
		}
		n.Threads[t.ID] = t
		n.insertThread(t)
		n.tally(t, +1)
		n.rewait(t, e.At)
		t.touched(e.Pos())
		n.touch(RecThread, string(t.ID))
	case *ReplyAdded:
		t, err := n.mutableThread(d.Thread)
		if err != nil {
			return err
		}
		t.Messages = append(t.Messages[:len(t.Messages):len(t.Messages)], d.Message)
		n.rewait(t, e.At)
		t.touched(e.Pos())
		n.touch(RecThread, string(t.ID))
	case *StatusChanged:
		t, err := n.mutableThread(d.Thread)
		if err != nil {
			return err
		}
		n.tally(t, -1)
		t.Status, t.Concurred = d.Status, slices.Clone(d.Concurred)
		n.tally(t, +1)
		if d.Message != nil {
			t.Messages = append(t.Messages[:len(t.Messages):len(t.Messages)], *d.Message)
		}
		n.rewait(t, e.At)
		t.touched(e.Pos())
		n.touch(RecThread, string(t.ID))
	case *AnchorsCarried:
		var refs []*Thread
		if e.refsOf == n {
			refs = e.refs
		}
		waits, err := n.carryThreads(d, refs, e.At)
		if err != nil {
			return err
		}
		data := e.data
		if data == nil {
			var err error
			if data, err = appendTyped(nil, d); err != nil {
				return fmt.Errorf("apply: %w", err)
			}
		}
		n.addCarry(e.Key(), e.Pos(), d.Version, data, waits)
	case *SignedOff:
		return n.applySignOff(e, d)
	case *Signature:
		s := *d
		s.Pos = e.Pos()
		n.Signatures = append(n.Signatures, s)
		n.touch(RecSignature, signatureKey(d.Party, d.Version))
	case *SignatureWithdrawn:
		i := slices.IndexFunc(n.Signatures, func(s Signature) bool { return s.Party == d.Party && s.Version == d.Version })
		if i < 0 {
			return fmt.Errorf("apply: no signature of %s on version %d to withdraw", d.Party, d.Version)
		}
		n.Signatures = slices.Delete(slices.Clone(n.Signatures), i, i+1)
		n.touch(RecSignature, signatureKey(d.Party, d.Version))
	case *ReviewScheduled:
		n.Review = &Review{Due: d.Due, Body: d.Body, By: e.Actor.User, Party: e.Actor.Party, At: e.At}
		n.touch(RecMeta, "")
	default:
		if ok, err := n.applyOption(e); ok {
			return err
		}
		if ok, err := n.applyMeeting(e); ok {
			return err
		}
		return fmt.Errorf("apply: unknown payload %T", e.Data)
	}
	return nil
}

// applySignOff records a sign-off from the shared stream (replacing the same
// reviewer's earlier one on the version, in its place), or the body of an
// internal one from the reviewer's party's stream.
func (n *Negotiation) applySignOff(e *Event, d *SignedOff) error {
	i := slices.IndexFunc(n.SignOffs, func(x SignOff) bool { return x.User == d.User && x.Version == d.Version })
	if e.Stream == Internal {
		if i < 0 {
			return fmt.Errorf("apply: body of a sign-off by %s on version %d that was not given", d.User, d.Version)
		}
		if d.Body != nil {
			n.SignOffs[i].Body = *d.Body
		}
		n.touch(RecSignOff, signOffKey(d.User, d.Version))
		return nil
	}
	s := SignOff{User: d.User, Party: d.Party, Version: d.Version, SHA256: d.SHA256, Decision: d.Decision,
		Visibility: d.Visibility, At: d.At, Carry: d.Carry, Pos: e.Pos()}
	if d.Body != nil {
		s.Body = *d.Body
	}
	if i >= 0 {
		s.Pos = n.SignOffs[i].Pos
		n.SignOffs[i] = s
	} else {
		n.SignOffs = append(n.SignOffs, s)
	}
	n.touch(RecSignOff, signOffKey(d.User, d.Version))
	return nil
}

// carryThreads moves each thread of a carry to its new place and status;
// refs, when given, are its entries' threads in this state. It returns the
// threads whose wait a carry began (this one or one before), for the record.
func (n *Negotiation) carryThreads(d *AnchorsCarried, refs []*Thread, at time.Time) ([]carriedWait, error) {
	var waits []carriedWait
	anchors := make([]Anchor, len(d.Threads)) // one allocation for them all
	var copies []Thread                       // and for the threads it copies
	for k, c := range d.Threads {
		var t *Thread
		if k < len(refs) && refs[k].ID == c.Thread && refs[k].gen == n.gen {
			t = refs[k]
		} else if t = n.Threads[c.Thread]; t == nil {
			return nil, fmt.Errorf("apply: no thread %s", c.Thread)
		} else if t.gen != n.gen {
			if copies == nil {
				copies = make([]Thread, 0, len(d.Threads)-k)
			}
			copies = append(copies, *t) // within its capacity: never moves
			t = &copies[len(copies)-1]
			t.gen = n.gen
			n.Threads[c.Thread] = t
		}
		if t.Anchor == nil {
			return nil, fmt.Errorf("apply: thread %s has no anchor to carry", c.Thread)
		}
		anchors[k] = Anchor{Version: d.Version, Start: c.Start, End: c.End, Quote: c.Quote, Flag: c.Flag, Original: t.Anchor.Original}
		t.Anchor = &anchors[k]
		if t.Status != c.Status {
			n.tally(t, -1)
			t.Status = c.Status
			n.tally(t, +1)
			n.rewait(t, at) // a carry changes nothing else a wait rests on
		}
		if t.WaitingSince != nil && (t.ownSince == nil || !t.WaitingSince.Equal(*t.ownSince)) {
			waits = append(waits, carriedWait{Since: *t.WaitingSince, Thread: t.ID})
		}
	}
	return waits, nil
}

// insertThread puts t into Order at its place by Pos (at the end, but for
// internal threads of two parties after the same shared event).
func (n *Negotiation) insertThread(t *Thread) {
	i := len(n.Order)
	for i > 0 && n.Threads[n.Order[i-1]].Pos.Compare(t.Pos) > 0 {
		i--
	}
	n.Order = slices.Insert(n.Order, i, t.ID)
}

// mutableThread returns thread id for Apply to change: itself if this state
// owns it, else a copy that takes its place here, so that a state sharing
// it (see Clone) keeps it as it was. Apply replaces a thread's slices and
// anchor rather than writing into them, so a shallow copy is enough.
func (n *Negotiation) mutableThread(id ThreadID) (*Thread, error) {
	t := n.Threads[id]
	if t == nil {
		return nil, fmt.Errorf("apply: no thread %s", id)
	}
	if t.gen != n.gen {
		c := *t
		c.gen = n.gen
		t = &c
		n.Threads[id] = t
	}
	return t, nil
}
