package mra

import (
	"slices"
	"time"
)

// Whose turn (PROTOCOL "Whose turn"): every thread says which parties must
// act on it and since when, derived from its history as Apply folds it.
// A shared open issue waits on its raising party when another party spoke
// last, and on every other party when the raising party did; a shared
// proposed consensus waits on the parties that have not concurred, a void
// one on every party; nothing else waits on anyone. WaitingSince is the
// time of the event that put the thread in its present wait.

// waitingOn derives the parties that must act on t.
func (n *Negotiation) waitingOn(t *Thread) []PartyID {
	if t.Visibility != Shared {
		return nil
	}
	switch {
	case t.Kind == KindOpenIssue && t.Status == StatusOpen:
		if len(t.Messages) > 0 && t.Messages[len(t.Messages)-1].Party != t.Party {
			return []PartyID{t.Party}
		}
		return slices.DeleteFunc(slices.Clone(n.Parties), func(p PartyID) bool { return p == t.Party })
	case t.Kind == KindConsensus && t.Status == StatusProposed:
		return slices.DeleteFunc(slices.Clone(n.Parties), func(p PartyID) bool { return slices.Contains(t.Concurred, p) })
	case t.Kind == KindConsensus && t.Status == StatusVoid:
		return slices.Clone(n.Parties)
	}
	return nil
}

// rewait brings t's wait up to date after an event at time at: a wait on
// other parties than before starts at.
func (n *Negotiation) rewait(t *Thread, at time.Time) {
	w := n.waitingOn(t)
	if slices.Equal(w, t.WaitingOn) {
		return
	}
	n.countWaits(t, -1)
	t.WaitingOn, t.WaitingSince = w, nil
	if len(w) > 0 {
		t.WaitingSince = &at
	}
	n.countWaits(t, +1)
}

// countWaits adds sign to the count of threads waiting on each party t
// waits on.
func (n *Negotiation) countWaits(t *Thread, sign int) {
	for _, p := range t.WaitingOn {
		if n.waits == nil {
			n.waits = map[PartyID]int{}
		}
		n.waits[p] += sign
	}
}

// WaitingOn returns how many threads wait on party p.
func (n *Negotiation) WaitingOn(p PartyID) int { return n.waits[p] }
