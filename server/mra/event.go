package mra

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
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

// Event kinds of the contract.
const (
	EvNegotiationCreated = "negotiation_created"
	EvVersionProposed    = "version_proposed"
	EvThreadOpened       = "thread_opened"
	EvReplyAdded         = "reply_added"
	EvConcurred          = "concurred"
	EvResolved           = "resolved"
	EvReopened           = "reopened"
	EvWithdrawn          = "withdrawn"
	EvAnchorsCarried     = "anchors_carried"
	EvSignedOff          = "signed_off"
	EvSigned             = "signed"
)

// Event is one change, as stored and as sent: the contract's event message.
// Owner is the party whose internal stream holds it ("" for shared), sent as
// "party" on internal events. Seq, Hash and JSON are set by Seal.
type Event struct {
	Negotiation NegotiationID `json:"negotiation"`
	Stream      string        `json:"stream"` // Shared or Internal
	Seq         uint64        `json:"seq"`
	At          time.Time     `json:"at"`
	Actor       Actor         `json:"actor"`
	Kind        string        `json:"kind"`
	Data        any           `json:"data"` // one of the payload types below

	Owner PartyID `json:"party,omitempty"` // the internal stream's party; "" for shared
	Hash  string  `json:"-"`
	JSON  []byte  `json:"-"` // canonical JSON with "type" and "hash": the bytes stored and sent
}

// Key returns the stream that holds the event.
func (e *Event) Key() StreamKey {
	if e.Stream == Internal {
		return InternalStream(e.Owner)
	}
	return SharedStream
}

// Payloads of the event kinds.
type (
	NegotiationCreated struct {
		Title             string    `json:"title"`
		Parties           []PartyID `json:"parties"`
		RequiredApprovals int       `json:"required_approvals"`
	}
	VersionProposed struct {
		Version int    `json:"version"`
		Base    int    `json:"base"`
		SHA256  string `json:"sha256"`
		Note    string `json:"note"`
		Length  int    `json:"length"`
	}
	ThreadOpened struct {
		Thread     ThreadID  `json:"thread"`
		Kind       string    `json:"kind"`
		Visibility string    `json:"visibility"`
		Party      PartyID   `json:"party"`
		Status     string    `json:"status"`
		Concurred  []PartyID `json:"concurred"`
		Anchor     *Anchor   `json:"anchor"`
		Message    Message   `json:"message"`
	}
	ReplyAdded struct {
		Thread  ThreadID `json:"thread"`
		Message Message  `json:"message"`
	}
	// StatusChanged is the payload of concurred, resolved, reopened and
	// withdrawn: the thread's new status, and the message that came with it.
	StatusChanged struct {
		Thread    ThreadID  `json:"thread"`
		Status    string    `json:"status"`
		Concurred []PartyID `json:"concurred"`
		Message   *Message  `json:"message,omitempty"`
	}
	AnchorsCarried struct {
		Version int             `json:"version"`
		Threads []CarriedAnchor `json:"threads"`
	}
	// CarriedAnchor is one thread's new place; Quote is the text there.
	CarriedAnchor struct {
		Thread ThreadID `json:"thread"`
		Start  int      `json:"start"`
		End    int      `json:"end"`
		Flag   string   `json:"flag"`
		Status string   `json:"status"`
		Quote  string   `json:"quote"`
	}
)

// payloadFor returns a new payload of an event kind, for decoding.
func payloadFor(kind string) (any, error) {
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
		return &SignOff{}, nil
	case EvSigned:
		return &Signature{}, nil
	}
	return nil, fmt.Errorf("unknown event kind %q", kind)
}

// Seal numbers events on their streams after n's heads, hash chains them,
// sets their JSON, and moves the heads on. Each hash is
// hex(sha256(prev_hash || canonical JSON of the event without its hash)).
func (n *Negotiation) Seal(events []*Event) error {
	for _, e := range events {
		key := e.Key()
		head := n.Heads[key]
		e.Seq = head.Seq + 1
		e.Negotiation = n.ID
		raw, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("seal %s: %w", e.Kind, err)
		}
		var m map[string]any
		if err := unmarshalNumbers(raw, &m); err != nil {
			return fmt.Errorf("seal %s: %w", e.Kind, err)
		}
		m["type"] = "event"
		canon := Canonical(m)
		e.Hash = ChainHash(head.Hash, canon)
		m["hash"] = e.Hash
		e.JSON = Canonical(m)
		n.Heads[key] = Head{Seq: e.Seq, Hash: e.Hash}
	}
	return nil
}

// ChainHash is the hash of an event whose canonical JSON without its hash is
// canon, after the event whose hash is prev ("" for the first).
func ChainHash(prev string, canon []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil))
}

// CheckEvent verifies a stored event against the hash of the event before it
// and returns its seq and hash. It fails when the bytes are not an event or
// its hash does not match its content and prev.
func CheckEvent(prev string, stored []byte) (seq uint64, hash string, err error) {
	var m map[string]any
	if err := unmarshalNumbers(stored, &m); err != nil {
		return 0, "", fmt.Errorf("not an event: %w", err)
	}
	h, _ := m["hash"].(string)
	delete(m, "hash")
	if want := ChainHash(prev, Canonical(m)); h != want {
		return 0, "", fmt.Errorf("hash %q does not match its content and the previous hash (want %q)", h, want)
	}
	num, _ := m["seq"].(json.Number)
	s, err := strconv.ParseUint(string(num), 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("bad seq %q", num)
	}
	return s, h, nil
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

// Canonical encodes a value decoded from JSON (maps, slices, strings,
// json.Number, bools, nil) as canonical JSON in the manner of RFC 8785:
// object keys sorted by code unit, no insignificant whitespace, strings with
// only the escapes JSON requires. Numbers are written as they were read (the
// contract's numbers are integers).
func Canonical(v any) []byte {
	return appendCanonical(nil, v)
}

func appendCanonical(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case json.Number:
		return append(b, x...)
	case string:
		return appendCanonicalString(b, x)
	case []any:
		b = append(b, '[')
		for k, e := range x {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendCanonical(b, e)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		b = append(b, '{')
		for k, key := range keys {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendCanonicalString(b, key)
			b = append(b, ':')
			b = appendCanonical(b, x[key])
		}
		return append(b, '}')
	}
	panic(fmt.Sprintf("canonical: unexpected %T", v))
}

// compareUTF16 orders strings by UTF-16 code units, as RFC 8785 sorts keys.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return int(utf16Key(ra)) - int(utf16Key(rb))
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// utf16Key maps r to a value that orders like its first UTF-16 code unit.
func utf16Key(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}

func appendCanonicalString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
