package mra

import (
	"slices"
	"time"
)

// Negotiation is the materialised state of one negotiation: the fold of its
// events (Apply). The store keeps it as Records, so start-up reads state
// rather than replaying every event.
type Negotiation struct {
	ID                NegotiationID `json:"id"`
	Title             string        `json:"title"`
	Parties           []PartyID     `json:"parties"`
	RequiredApprovals int           `json:"required_approvals"`
	CreatedBy         UserID        `json:"created_by"`
	CreatedAt         time.Time     `json:"created_at"`

	Versions   []Version              `json:"-"` // Versions[k] is version k+1
	Threads    map[ThreadID]*Thread   `json:"-"`
	Order      []ThreadID             `json:"-"` // threads in the order they opened
	SignOffs   []SignOff              `json:"-"` // the latest of each reviewer on each version
	Signatures []Signature            `json:"-"`
	Heads      map[StreamKey]Head     `json:"-"` // the last event of each stream
	dirty      map[recordKey]struct{} // records changed since the last Records call

	// blocking counts the shared threads that hold readiness back: open
	// issues that are open and void consensus, kept as threads change.
	openIssues, voidConsensus int
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

// Version is one immutable, numbered text (its meta; the text is stored once,
// by SHA-256). Length is in code points.
type Version struct {
	Number int       `json:"version"`
	Base   int       `json:"base"`
	SHA256 string    `json:"sha256"`
	Note   string    `json:"note"`
	Author UserID    `json:"author"`
	Party  PartyID   `json:"party"`
	At     time.Time `json:"at"`
	Length int       `json:"length"`
}

// Thread kinds, visibilities and statuses of the contract.
const (
	KindConsensus = "consensus"
	KindOpenIssue = "open_issue"
	KindNote      = "note"

	Shared   = "shared"
	Internal = "internal"

	StatusProposed  = "proposed"
	StatusAgreed    = "agreed"
	StatusVoid      = "void"
	StatusOpen      = "open"
	StatusResolved  = "resolved"
	StatusWithdrawn = "withdrawn"
)

// Thread is a comment thread anchored to a range of the text. A note may have
// no anchor (a general comment). Status is "" for a note that was never
// withdrawn.
type Thread struct {
	ID         ThreadID  `json:"id"`
	Kind       string    `json:"kind"`
	Visibility string    `json:"visibility"`
	Party      PartyID   `json:"party"`
	Status     string    `json:"status"`
	Concurred  []PartyID `json:"concurred"`
	Anchor     *Anchor   `json:"anchor"`
	Messages   []Message `json:"messages"`
	CreatedAt  time.Time `json:"created_at"`
	Author     UserID    `json:"author"`
}

// Anchor is where a thread stands: code points [Start, End) of a version,
// the text there, and how carrying it onto that version went (moved, changed
// or outdated; moved also for text never carried).
type Anchor struct {
	Version int    `json:"version"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Quote   string `json:"quote"`
	Flag    string `json:"flag"`
}

// Message is one comment in a thread.
type Message struct {
	ID     MessageID `json:"id"`
	Author UserID    `json:"author"`
	Party  PartyID   `json:"party"`
	Body   string    `json:"body"`
	At     time.Time `json:"at"`
}

// SignOff is a legal reviewer's decision on one version's exact text.
type SignOff struct {
	User     UserID    `json:"user"`
	Party    PartyID   `json:"party"`
	Version  int       `json:"version"`
	SHA256   string    `json:"sha256"`
	Decision string    `json:"decision"`
	Body     string    `json:"body"`
	At       time.Time `json:"at"`
}

// Sign-off decisions.
const (
	Approve        = "approve"
	RequestChanges = "request_changes"
)

// Signature is a party's signature of one version.
type Signature struct {
	User    UserID    `json:"user"`
	Party   PartyID   `json:"party"`
	Version int       `json:"version"`
	SHA256  string    `json:"sha256"`
	At      time.Time `json:"at"`
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

// Visible reports whether a user of party p may see thread t.
func (t *Thread) Visible(p PartyID) bool { return t.Visibility == Shared || t.Party == p }

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

func newNegotiation() *Negotiation {
	return &Negotiation{
		Threads: map[ThreadID]*Thread{},
		Heads:   map[StreamKey]Head{},
		dirty:   map[recordKey]struct{}{},
	}
}

// NewNegotiation returns the empty state of a negotiation before its first
// event: no parties, no versions, every stream at seq 0.
func NewNegotiation(id NegotiationID) *Negotiation {
	n := newNegotiation()
	n.ID = id
	return n
}
