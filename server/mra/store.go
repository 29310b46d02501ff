package mra

import (
	"context"
	"errors"
	"time"
)

// Store keeps parties, users, sessions and negotiations durably. Every
// method is safe for concurrent use. A Store never logs and never exits.
type Store interface {
	// Directory returns the parties and users as stored, password hashes
	// included, at the admin stream's head. They change only by a Commit
	// of admin events (a Change without a negotiation).
	Directory() (*Directory, error)

	// PutSession stores a session (by the hash of its token).
	PutSession(Session) error
	// DeleteSession removes a session; no error if it is gone already.
	DeleteSession(hash string) error
	// Sessions returns every stored session that has not expired at now.
	Sessions(now time.Time) ([]Session, error)

	// Commit durably applies one command's change: appends its events to
	// their streams, stores its new texts, records and answer, in one
	// transaction with others committed at the same moment, and returns
	// once that transaction is on disk. It fails, changing nothing, when an
	// event does not follow its stream's head (seq and hash; every event's
	// stream must be in c.Prev), and with ErrExists when c's answer is
	// stored already.
	Commit(ctx context.Context, c *Change) error
	// Submit queues a change for the next group commit and returns at
	// once: changes are committed in the order submitted, so a caller that
	// submits while holding its own lock keeps its order without holding
	// the lock through the fsync. wait returns what Commit would.
	Submit(c *Change) (wait func() error)
	// Load returns every negotiation as last committed: its records and
	// the head of each of its streams.
	Load() ([]Stored, error)
	// Partnerships returns every partnership as last committed, the fold
	// of its streams.
	Partnerships() ([]*Partnership, error)
	// Text returns the text stored under a SHA-256; ErrNotFound if none.
	Text(sha256 string) (string, error)
	// Events returns up to limit events (all when limit <= 0) of one stream
	// with seq > since, in order, as stored (canonical JSON); with maxBytes
	// > 0, no more than maxBytes in all, but always the first.
	Events(n NegotiationID, stream StreamKey, since uint64, limit, maxBytes int) ([][]byte, error)
	// PartnershipEvents is Events of a partnership's stream.
	PartnershipEvents(p PartnershipID, stream StreamKey, since uint64, limit, maxBytes int) ([][]byte, error)
	// Answer returns the stored answer to a user's command id, if any.
	Answer(user UserID, id string) ([]byte, bool, error)
	// Verify checks every stream of every negotiation: seqs gapless from 1
	// and each hash matching the event's content and the previous hash. Its
	// error names the first bad event.
	Verify() error
	// Close waits for pending commits and closes the store.
	Close() error
}

// ErrExists and ErrNotFound are the store's expected failures.
var (
	ErrExists   = errors.New("already exists")
	ErrNotFound = errors.New("not found")
)

// Session is a logged-in user. Hash is the hex SHA-256 of the token the
// client holds; the token itself is never stored.
type Session struct {
	Hash    string    `json:"hash"`
	User    UserID    `json:"user"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// Change is everything one command writes.
type Change struct {
	Negotiation NegotiationID
	Partnership PartnershipID      // a partnership's change instead (no records)
	Events      []*Event           // sealed: Seq, Hash and JSON set
	Prev        map[StreamKey]Head // the head each stream must have before Events
	Texts       map[string]string  // new texts by SHA-256, stored once
	Records     []Record           // the negotiation's changed state
	// A change of the directory has no Negotiation: its Events are on the
	// admin stream, and Parties and Users are the entries they change.
	Parties []Party
	Users   []User
	Answer  *Answer // the idempotency record, if the command had an id
}

// Answer is the first answer to a user's command id, returned again for a
// repeat of it.
type Answer struct {
	User UserID
	ID   string
	Body []byte
}

// Stored is a negotiation as the store holds it.
type Stored struct {
	ID      NegotiationID
	Records []Record
	Heads   map[StreamKey]Head
}
