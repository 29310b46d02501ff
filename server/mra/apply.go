package mra

import (
	"fmt"
	"slices"
)

// Apply folds one event into the negotiation's state. It fails only on an
// event that does not fit the state (a bug, or a damaged log).
func (n *Negotiation) Apply(e *Event) error {
	switch d := e.Data.(type) {
	case *NegotiationCreated:
		n.ID = e.Negotiation
		n.Title, n.Parties, n.RequiredApprovals = d.Title, slices.Clone(d.Parties), d.RequiredApprovals
		n.CreatedBy, n.CreatedAt = e.Actor.User, e.At
		n.touch(RecMeta, "")
	case *VersionProposed:
		if d.Version != len(n.Versions)+1 {
			return fmt.Errorf("apply: version %d after %d", d.Version, len(n.Versions))
		}
		n.Versions = append(n.Versions, Version{
			Number: d.Version, Base: d.Base, SHA256: d.SHA256, Note: d.Note,
			Author: e.Actor.User, Party: e.Actor.Party, At: e.At, Length: d.Length,
		})
		n.touch(RecVersion, versionKey(d.Version))
	case *ThreadOpened:
		if _, dup := n.Threads[d.Thread]; dup {
			return fmt.Errorf("apply: thread %s opened twice", d.Thread)
		}
		t := &Thread{
			ID: d.Thread, Kind: d.Kind, Visibility: d.Visibility, Party: d.Party, Status: d.Status,
			Concurred: slices.Clone(d.Concurred), Messages: []Message{d.Message},
			CreatedAt: e.At, Author: e.Actor.User,
		}
		if d.Anchor != nil {
			a := *d.Anchor
			t.Anchor = &a
		}
		n.Threads[t.ID] = t
		n.Order = append(n.Order, t.ID)
		n.tally(t, +1)
		n.touch(RecThread, string(t.ID))
	case *ReplyAdded:
		t, err := n.thread(d.Thread)
		if err != nil {
			return err
		}
		t.Messages = append(t.Messages, d.Message)
		n.touch(RecThread, string(t.ID))
	case *StatusChanged:
		t, err := n.thread(d.Thread)
		if err != nil {
			return err
		}
		n.tally(t, -1)
		t.Status, t.Concurred = d.Status, slices.Clone(d.Concurred)
		n.tally(t, +1)
		if d.Message != nil {
			t.Messages = append(t.Messages, *d.Message)
		}
		n.touch(RecThread, string(t.ID))
	case *AnchorsCarried:
		for _, c := range d.Threads {
			t, err := n.thread(c.Thread)
			if err != nil {
				return err
			}
			t.Anchor = &Anchor{Version: d.Version, Start: c.Start, End: c.End, Quote: c.Quote, Flag: c.Flag}
			n.tally(t, -1)
			t.Status = c.Status
			n.tally(t, +1)
			n.touch(RecThread, string(t.ID))
		}
	case *SignOff:
		s := *d
		if i := slices.IndexFunc(n.SignOffs, func(x SignOff) bool { return x.User == s.User && x.Version == s.Version }); i >= 0 {
			n.SignOffs[i] = s
		} else {
			n.SignOffs = append(n.SignOffs, s)
		}
		n.touch(RecSignOff, signOffKey(s.User, s.Version))
	case *Signature:
		n.Signatures = append(n.Signatures, *d)
		n.touch(RecSignature, signatureKey(d.Party, d.Version))
	default:
		return fmt.Errorf("apply: unknown payload %T", e.Data)
	}
	return nil
}

func (n *Negotiation) thread(id ThreadID) (*Thread, error) {
	t := n.Threads[id]
	if t == nil {
		return nil, fmt.Errorf("apply: no thread %s", id)
	}
	return t, nil
}
