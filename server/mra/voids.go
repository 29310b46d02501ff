package mra

import "mra/diff"

// Guard is a consensus that a new version could make void, copied out of
// the state (so that it can be checked without holding the negotiation):
// a proposed or agreed consensus thread and its anchor on the latest version.
type Guard struct {
	Thread     ThreadID
	Status     ThreadStatus
	Visibility Visibility
	Start, End int
	Quote      string
}

// Void is a consensus that a draft would make void if it were proposed: the
// draft diff's "voids" (an addition).
type Void struct {
	Thread     ThreadID     `json:"thread"`
	Quote      string       `json:"quote"`
	Status     ThreadStatus `json:"status"` // what it is now: proposed or agreed
	Visibility Visibility   `json:"visibility"`
}

// Guards returns the consensus threads that a user of party p may see and
// that the next version could void (proposed or agreed, anchored), in the
// order they opened. Another party's internal threads are never among them.
func (n *Negotiation) Guards(p PartyID) []Guard {
	var out []Guard
	for _, id := range n.Order {
		t := n.Threads[id]
		if !t.Visible(p) || t.Kind != KindConsensus || t.Anchor == nil ||
			t.Status != StatusProposed && t.Status != StatusAgreed {
			continue
		}
		out = append(out, Guard{Thread: t.ID, Status: t.Status, Visibility: t.Visibility,
			Start: t.Anchor.Start, End: t.Anchor.End, Quote: t.Anchor.Quote})
	}
	return out
}

// Voids returns the guards (anchored on old) that proposing nt after old
// would make void, by the rule the carry applies ("Consensus guards its
// clause"); idx indexes the redline from old to nt. Empty when none.
func Voids(old, nt *Text, idx *diff.Index, guards []Guard) []Void {
	out := []Void{}
	for _, g := range guards {
		if g.Start < 0 || g.End > old.Len() || g.Start > g.End {
			continue // not on old: nothing to say about it
		}
		if clauseChanged(old, nt, idx, g.Start, g.End) {
			out = append(out, Void{Thread: g.Thread, Quote: g.Quote, Status: g.Status, Visibility: g.Visibility})
		}
	}
	return out
}
