package mra

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// StreamKey names one stream of a negotiation: "shared", or "internal/P" for
// party P's internal stream.
type StreamKey string

// SharedStream is the stream every party of a negotiation sees.
const SharedStream StreamKey = "shared"

// InternalStream is party p's own stream, seen by p alone.
func InternalStream(p PartyID) StreamKey { return StreamKey("internal/" + string(p)) }

// Head is the last event of a stream: its seq and hash (zero before the first).
type Head struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// Actor is who caused an event.
type Actor struct {
	User  UserID  `json:"user"`
	Party PartyID `json:"party"`
}

// EventKind is what an event records.
type EventKind string

// Event kinds of the contract, and the additions (signature_withdrawn).
const (
	EvNegotiationCreated EventKind = "negotiation_created"
	EvVersionProposed    EventKind = "version_proposed"
	EvThreadOpened       EventKind = "thread_opened"
	EvReplyAdded         EventKind = "reply_added"
	EvConcurred          EventKind = "concurred"
	EvResolved           EventKind = "resolved"
	EvReopened           EventKind = "reopened"
	EvWithdrawn          EventKind = "withdrawn"
	EvAnchorsCarried     EventKind = "anchors_carried"
	EvSignedOff          EventKind = "signed_off"
	EvSigned             EventKind = "signed"
	EvSignatureWithdrawn EventKind = "signature_withdrawn"
	EvReviewScheduled    EventKind = "review_scheduled"
)

// Event is one change, as stored and as sent: the contract's event message.
// Owner is the party whose internal stream holds it ("" for shared), sent as
// "party" on internal events; SharedSeq, on internal events, is the shared
// stream's seq when it was sealed, which places it in the negotiation's
// history (Pos). Seq, SharedSeq, Hash and JSON are set by Seal.
type Event struct {
	Negotiation NegotiationID `json:"negotiation"`
	Stream      Visibility    `json:"stream"` // Shared or Internal
	Seq         uint64        `json:"seq"`
	At          time.Time     `json:"at"`
	Actor       Actor         `json:"actor"`
	Kind        EventKind     `json:"kind"`
	Data        any           `json:"data"` // one of the payload types below

	// Partnership, on a partnership's events, is its id (partnership.go);
	// they have no "negotiation".
	Partnership PartnershipID `json:"partnership,omitempty"`

	Owner     PartyID `json:"party,omitempty"`      // the internal stream's party; "" for shared
	SharedSeq uint64  `json:"shared_seq,omitempty"` // internal events only
	Hash      string  `json:"-"`
	JSON      []byte  `json:"-"` // canonical JSON with "type" and "hash": the bytes stored and sent

	data []byte // the canonical JSON of Data, once sealed

	// For a carry: the threads of its entries as the deciding state holds
	// them, so that Apply on that state finds them without a lookup.
	refs   []*Thread
	refsOf *Negotiation
}

// Key returns the stream that holds the event.
func (e *Event) Key() StreamKey {
	switch e.Stream {
	case Internal:
		return InternalStream(e.Owner)
	case AdminLog:
		return AdminStream
	}
	return SharedStream
}

// Pos returns the event's place in its negotiation's history.
func (e *Event) Pos() Pos {
	if e.Stream == Internal {
		return Pos{Shared: e.SharedSeq, Party: e.Owner, Seq: e.Seq}
	}
	return Pos{Shared: e.Seq}
}

// Payloads of the event kinds.
type (
	NegotiationCreated struct {
		Title             string        `json:"title"`
		Parties           []PartyID     `json:"parties"`
		RequiredApprovals int           `json:"required_approvals"`
		Amends            NegotiationID `json:"amends,omitempty"`
	}
	VersionProposed struct {
		Version int    `json:"version"`
		Base    int    `json:"base"`
		SHA256  string `json:"sha256"`
		Note    string `json:"note"`
		Length  int    `json:"length"`
		// Options are the agreed bracket options the version takes in.
		Options []OptionID `json:"options,omitempty"`
	}
	ThreadOpened struct {
		Thread     ThreadID     `json:"thread"`
		Kind       ThreadKind   `json:"kind"`
		Visibility Visibility   `json:"visibility"`
		Party      PartyID      `json:"party"`
		Status     ThreadStatus `json:"status"`
		Concurred  []PartyID    `json:"concurred"`
		Anchor     *Anchor      `json:"anchor"`
		Message    Message      `json:"message"`
	}
	ReplyAdded struct {
		Thread  ThreadID `json:"thread"`
		Message Message  `json:"message"`
	}
	// StatusChanged is the payload of concurred, resolved, reopened and
	// withdrawn: the thread's new status, and the message that came with it.
	StatusChanged struct {
		Thread    ThreadID     `json:"thread"`
		Status    ThreadStatus `json:"status"`
		Concurred []PartyID    `json:"concurred"`
		Message   *Message     `json:"message,omitempty"`
	}
	// AnchorsCarried holds new places of threads on a version; one carry of
	// many threads may take several such events on each stream.
	AnchorsCarried struct {
		Version int             `json:"version"`
		Threads []CarriedAnchor `json:"threads"`
	}
	// CarriedAnchor is one thread's new place; Quote is the text there.
	CarriedAnchor struct {
		Thread ThreadID     `json:"thread"`
		Start  int          `json:"start"`
		End    int          `json:"end"`
		Flag   Flag         `json:"flag"`
		Status ThreadStatus `json:"status"`
		Quote  string       `json:"quote"`
	}
	// SignedOff is a sign-off. On the shared stream Body is left out when
	// the sign-off is internal; the same sign-off with its body then follows
	// on the reviewer's party's internal stream.
	SignedOff struct {
		User       UserID     `json:"user"`
		Party      PartyID    `json:"party"`
		Version    int        `json:"version"`
		SHA256     string     `json:"sha256"`
		Decision   Decision   `json:"decision"`
		Visibility Visibility `json:"visibility"`
		Body       *string    `json:"body,omitempty"`
		At         time.Time  `json:"at"`
		// Carry: what carried from the reviewer's earlier approval.
		Carry *SignOffCarry `json:"carry,omitempty"`
	}
	// SignatureWithdrawn removes a party's signature of a version.
	SignatureWithdrawn struct {
		Party   PartyID `json:"party"`
		Version int     `json:"version"`
		SHA256  string  `json:"sha256"`
		Body    string  `json:"body"`
	}
)

// payloadFor returns a new payload of an event kind, for decoding.
func payloadFor(kind EventKind) (any, error) {
	switch kind {
	case EvNegotiationCreated:
		return &NegotiationCreated{}, nil
	case EvVersionProposed:
		return &VersionProposed{}, nil
	case EvThreadOpened:
		return &ThreadOpened{}, nil
	case EvReplyAdded:
		return &ReplyAdded{}, nil
	case EvConcurred, EvResolved, EvReopened, EvWithdrawn:
		return &StatusChanged{}, nil
	case EvAnchorsCarried:
		return &AnchorsCarried{}, nil
	case EvSignedOff:
		return &SignedOff{}, nil
	case EvSigned:
		return &Signature{}, nil
	case EvSignatureWithdrawn:
		return &SignatureWithdrawn{}, nil
	case EvReviewScheduled:
		return &ReviewScheduled{}, nil
	case EvPartnershipCreated:
		return &PartnershipCreated{}, nil
	case EvStageMarked:
		return &StageMarked{}, nil
	case EvStageNoted:
		return &StageNoted{}, nil
	case EvNegotiationLinked:
		return &NegotiationLinked{}, nil
	case EvItemAdded:
		return &ItemAdded{}, nil
	case EvItemUpdated:
		return &ItemUpdated{}, nil
	case EvItemAgreed:
		return &ItemAgreed{}, nil
	case EvCriteriaSet:
		return &CriteriaSet{}, nil
	case EvCriterionMarked:
		return &CriterionMarked{}, nil
	case EvDirectoryRecorded:
		return &DirectoryRecorded{}, nil
	}
	if p := optionPayload(kind); p != nil {
		return p, nil
	}
	if p := meetingPayload(kind); p != nil {
		return p, nil
	}
	switch kind {
	case EvPartyAdded:
		return &PartyAdded{}, nil
	case EvUserAdded:
		return &UserAdded{}, nil
	case EvPasswordReset, EvPasswordChanged:
		return &CredentialSet{}, nil
	case EvOneTimePasswordUsed, EvUserDisabled, EvUserEnabled:
		return &UserChanged{}, nil
	}
	return nil, fmt.Errorf("unknown event kind %q", kind)
}

// Seal numbers events on their streams after n's heads, places internal
// events after the shared stream's head, hash chains them, sets their JSON,
// and moves the heads on. Each hash is hex(sha256(prev_hash || canonical
// JSON of the event without its hash)).
func (n *Negotiation) Seal(events []*Event) error {
	for _, e := range events {
		e.Negotiation = n.ID
	}
	return sealOn(n.Heads, events)
}

// sealOn seals events (their negotiation or partnership set) after heads,
// and moves heads on.
func sealOn(heads map[StreamKey]Head, events []*Event) error {
	for _, e := range events {
		key := e.Key()
		head := heads[key]
		e.Seq = head.Seq + 1
		e.SharedSeq = 0
		if e.Stream == Internal {
			e.SharedSeq = heads[SharedStream].Seq
		}
		data, err := appendTyped(nil, e.Data)
		if err != nil {
			return fmt.Errorf("seal %s: %w", e.Kind, err)
		}
		e.Hash = e.sealHash(head.Hash, data)
		e.JSON = e.canonical(data, e.Hash)
		e.data = data
		heads[key] = Head{Seq: e.Seq, Hash: e.Hash}
	}
	return nil
}

// canonical returns the event's canonical JSON with its encoded data, and
// its hash unless hash is "". Keys are in canonical (sorted) order.
func (e *Event) canonical(data []byte, hash string) []byte {
	head, tail := e.frame()
	b := make([]byte, 0, len(head)+len(data)+len(tail)+80)
	b = append(append(b, head...), data...)
	if hash != "" {
		b = append(b, `,"hash":`...)
		b = appendCanonicalString(b, hash)
	}
	return append(b, tail...)
}

// frame returns the canonical JSON of the event around its data and hash:
// what comes before the data's value, and what comes after the hash.
func (e *Event) frame() (head, tail []byte) {
	head = append(head, `{"actor":{"party":`...)
	head = appendCanonicalString(head, string(e.Actor.Party))
	head = append(head, `,"user":`...)
	head = appendCanonicalString(head, string(e.Actor.User))
	head = append(head, `},"at":`...)
	head = appendTime(head, e.At)
	head = append(head, `,"data":`...)
	tail = append(tail, `,"kind":`...)
	tail = appendCanonicalString(tail, string(e.Kind))
	if e.Partnership == "" {
		tail = append(tail, `,"negotiation":`...)
		tail = appendCanonicalString(tail, string(e.Negotiation))
	} else {
		tail = append(tail, `,"partnership":`...)
		tail = appendCanonicalString(tail, string(e.Partnership))
	}
	if e.Owner != "" {
		tail = append(tail, `,"party":`...)
		tail = appendCanonicalString(tail, string(e.Owner))
	}
	tail = append(tail, `,"seq":`...)
	tail = strconv.AppendUint(tail, e.Seq, 10)
	if e.SharedSeq != 0 {
		tail = append(tail, `,"shared_seq":`...)
		tail = strconv.AppendUint(tail, e.SharedSeq, 10)
	}
	tail = append(tail, `,"stream":`...)
	tail = appendCanonicalString(tail, string(e.Stream))
	return head, append(tail, `,"type":"event"}`...)
}

// sealHash is ChainHash of the event without its hash, written piece by
// piece rather than joined first.
func (e *Event) sealHash(prev string, data []byte) string {
	head, tail := e.frame()
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(head)
	h.Write(data)
	h.Write(tail)
	return hex.EncodeToString(h.Sum(nil))
}

// ChainHash is the hash of an event whose canonical JSON without its hash is
// canon, after the event whose hash is prev ("" for the first).
func ChainHash(prev string, canon []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil))
}

// DecodeEvent parses a stored event, its payload typed by its kind.
func DecodeEvent(stored []byte) (*Event, error) {
	var raw struct {
		Event
		Data json.RawMessage `json:"data"`
		Hash string          `json:"hash"`
	}
	if err := json.Unmarshal(stored, &raw); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	e := raw.Event
	p, err := payloadFor(e.Kind)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw.Data, p); err != nil {
		return nil, fmt.Errorf("decode %s payload: %w", e.Kind, err)
	}
	e.Data, e.Hash, e.JSON = p, raw.Hash, stored
	return &e, nil
}

func unmarshalNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}
