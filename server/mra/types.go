package mra

// The contract's enumerations, as types: a value of one can never be passed
// where another is meant.

// ThreadKind is what a thread says of its text.
type ThreadKind string

// Thread kinds.
const (
	KindConsensus ThreadKind = "consensus"  // this text is agreed
	KindOpenIssue ThreadKind = "open_issue" // this needs resolution
	KindNote      ThreadKind = "note"       // a remark
)

func (k ThreadKind) valid() bool {
	return k == KindConsensus || k == KindOpenIssue || k == KindNote
}

// Visibility is who may see a thread or a sign-off's body, and which stream
// an event is on.
type Visibility string

// Visibilities (and stream names).
const (
	Shared   Visibility = "shared"   // every party of the negotiation
	Internal Visibility = "internal" // the raising party alone
)

func (v Visibility) valid() bool { return v == Shared || v == Internal }

// ThreadStatus is where a thread stands.
type ThreadStatus string

// Thread statuses.
const (
	StatusProposed  ThreadStatus = "proposed" // a consensus some party has not concurred in
	StatusAgreed    ThreadStatus = "agreed"   // a consensus every party concurs in
	StatusVoid      ThreadStatus = "void"     // a consensus whose clause changed since
	StatusOpen      ThreadStatus = "open"     // an open issue (or a note) still standing
	StatusResolved  ThreadStatus = "resolved" // an open issue settled by its raising party
	StatusWithdrawn ThreadStatus = "withdrawn"
)

// Decision is a legal reviewer's verdict on a version.
type Decision string

// Sign-off decisions.
const (
	Approve        Decision = "approve"
	RequestChanges Decision = "request_changes"
)

// Status is a negotiation's derived status, from first to last.
type Status string

// Negotiation statuses.
const (
	StatusDrafting    Status = "drafting"
	StatusNegotiating Status = "negotiating"
	StatusLegalReview Status = "legal_review"
	StatusReady       Status = "ready_to_sign"
	StatusSigned      Status = "signed"
)

// Flag says how a thread's words at its anchor compare with the words it
// was raised on.
type Flag string

// Anchor flags.
const (
	FlagMoved    Flag = "moved"    // the same words, where they were or elsewhere
	FlagChanged  Flag = "changed"  // other words now stand there
	FlagOutdated Flag = "outdated" // the words are gone: an empty range where they were
)
