package mra

import (
	"maps"
	"slices"
	"time"
)

// Negotiation is the materialised state of one negotiation: the fold of its
// events (Apply). The store keeps it as Records, so start-up reads state
// rather than replaying every event. Every array is in event order (see
// Pos), so the state is a function of the stored log alone.
type Negotiation struct {
	ID                NegotiationID `json:"id"`
	Title             string        `json:"title"`
	Parties           []PartyID     `json:"parties"`
	RequiredApprovals int           `json:"required_approvals"`
	CreatedBy         UserID        `json:"created_by"`
	CreatedAt         time.Time     `json:"created_at"`
	// Amends is the signed negotiation this one amends (its version 1 is
	// that one's signed text); Review, once signed, the next periodic
	// review (review.go).
	Amends NegotiationID `json:"amends,omitempty"`
	Review *Review       `json:"review,omitempty"`

	Versions   []Version            `json:"-"` // Versions[k] is version k+1
	Threads    map[ThreadID]*Thread `json:"-"`
	Order      []ThreadID           `json:"-"` // threads by Pos, the order they opened
	SignOffs   []SignOff            `json:"-"` // the latest of each reviewer on each version, by Pos
	Signatures []Signature          `json:"-"` // the standing signatures, by Pos
	Heads      map[StreamKey]Head   `json:"-"` // the last event of each stream

	// Bracket options and their packages (option.go), and meetings
	// (meeting.go), each in the order made. Apply replaces an option,
	// package or meeting it changes with a changed copy, never writing
	// into one, so a clone shares them safely.
	Options  []*Option  `json:"-"`
	Packages []*Package `json:"-"`
	Meetings []*Meeting `json:"-"`

	// carries holds the latest carry on each stream, for its record.
	carries map[StreamKey]*carry

	// dirty holds the records changed since the last Records call; nil
	// when no one asks (a committed copy that is never written back).
	dirty map[recordKey]struct{}

	// openIssues and voidConsensus count the shared threads that hold
	// readiness back, kept as threads change.
	openIssues, voidConsensus int

	// waits counts, for each party, the threads waiting on it (turn.go).
	waits map[PartyID]int

	// gen marks the threads this state may change in place.
	gen *byte
}

// Pos is an event's place in a negotiation's history, across its streams:
// a shared event is (its seq, "", 0); an internal event is (the shared seq
// when it was sealed, its party, its seq). Ordering by Pos is ordering by
// event, for every party's view; internal events of two parties that follow
// the same shared event are ordered by party, which no one can see.
type Pos struct {
	Shared uint64  `json:"shared"`
	Party  PartyID `json:"party,omitempty"`
	Seq    uint64  `json:"seq,omitempty"`
}

// Compare orders positions: -1, 0 or +1.
func (p Pos) Compare(q Pos) int {
	switch {
	case p.Shared != q.Shared:
		return cmpUint(p.Shared, q.Shared)
	case p.Party != q.Party:
		if p.Party < q.Party {
			return -1
		}
		return 1
	}
	return cmpUint(p.Seq, q.Seq)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// tally adds sign (+1 or -1) times t's part in the blocking counts.
func (n *Negotiation) tally(t *Thread, sign int) {
	if t.Visibility != Shared {
		return
	}
	switch {
	case t.Kind == KindOpenIssue && t.Status == StatusOpen:
		n.openIssues += sign
	case t.Kind == KindConsensus && t.Status == StatusVoid:
		n.voidConsensus += sign
	}
}

// Latest returns the latest version, or nil before the first.
func (n *Negotiation) Latest() *Version {
	if len(n.Versions) == 0 {
		return nil
	}
	return &n.Versions[len(n.Versions)-1]
}

// Member reports whether party p takes part in the negotiation.
func (n *Negotiation) Member(p PartyID) bool { return slices.Contains(n.Parties, p) }

// VisibleThreads returns the threads a user of party p may see, oldest first.
func (n *Negotiation) VisibleThreads(p PartyID) []*Thread {
	var out []*Thread
	for _, id := range n.Order {
		if t := n.Threads[id]; t.Visible(p) {
			out = append(out, t)
		}
	}
	return out
}

// Frozen reports whether every party has signed the latest version.
func (n *Negotiation) Frozen() bool { return n.Readiness().Status == StatusSigned }

// signedLatest reports whether a party's signature stands on the latest version.
func (n *Negotiation) signedLatest(p PartyID) bool {
	v := n.Latest()
	return v != nil && slices.ContainsFunc(n.Signatures, func(s Signature) bool {
		return s.Party == p && s.Version == v.Number && s.SHA256 == v.SHA256
	})
}

func newNegotiation() *Negotiation {
	return &Negotiation{
		Threads: map[ThreadID]*Thread{},
		Heads:   map[StreamKey]Head{},
		carries: map[StreamKey]*carry{},
		dirty:   map[recordKey]struct{}{},
		gen:     new(byte),
	}
}

// NewNegotiation returns the empty state of a negotiation before its first
// event: no parties, no versions, every stream at seq 0.
func NewNegotiation(id NegotiationID) *Negotiation {
	n := newNegotiation()
	n.ID = id
	return n
}

// Clone returns a copy that shares nothing Apply changes: the two share
// their threads until either changes one, which it then copies (so Clone
// costs a map of pointers, not the threads). The copy tracks no dirty
// records (see Records) unless track is set. Neither n nor the copy may be
// used by two goroutines at once, as ever.
func (n *Negotiation) Clone(track bool) *Negotiation {
	c := *n
	c.Parties = slices.Clone(n.Parties)
	c.Versions = slices.Clone(n.Versions)
	c.Order = slices.Clone(n.Order)
	c.SignOffs = slices.Clone(n.SignOffs)
	c.Signatures = slices.Clone(n.Signatures)
	c.Options = slices.Clone(n.Options)
	c.Packages = slices.Clone(n.Packages)
	c.Meetings = slices.Clone(n.Meetings)
	c.Heads = make(map[StreamKey]Head, len(n.Heads))
	for k, h := range n.Heads {
		c.Heads[k] = h
	}
	c.carries = make(map[StreamKey]*carry, len(n.carries))
	for k, cr := range n.carries {
		cc := *cr
		cc.chunks = slices.Clone(cr.chunks)
		cc.waits = slices.Clone(cr.waits)
		c.carries[k] = &cc
	}
	c.Threads = maps.Clone(n.Threads)
	c.waits = maps.Clone(n.waits)
	c.gen, n.gen = new(byte), new(byte) // every thread is shared now
	c.dirty = nil
	if track {
		c.dirty = map[recordKey]struct{}{}
	}
	return &c
}
