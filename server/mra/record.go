package mra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Record is one piece of a negotiation's materialised state: Kind is one of
// the record kinds below, Key identifies it within its kind, Value is JSON
// (nil: the record is gone).
type Record struct {
	Kind  string
	Key   string
	Value []byte
}

// Record kinds.
const (
	RecMeta      = "meta"
	RecVersion   = "version"
	RecThread    = "thread"
	RecSignOff   = "signoff"
	RecSignature = "signature"
	RecCarry     = "carry"
	RecOption    = "option"  // option.go
	RecPackage   = "package" // option.go
	RecMeeting   = "meeting" // meeting.go
)

// A carry moves every anchored thread onto the new version. Rather than
// write every thread's record again, each stream's latest carry is one
// record: a thread's own record holds it as its own events left it, and
// the carry, when it came later (by Pos), moves its anchor and status on.

// carry is the latest carry on one stream: its version, where it began,
// and its events' payloads as canonical JSON.
type carry struct {
	version int
	pos     Pos
	chunks  [][]byte
	waits   []carriedWait // threads whose wait began at a carry, not at their own events
}

// carriedWait is when a thread's present wait began, for a thread whose
// wait a carry changed (a consensus made void) after its own last event.
type carriedWait struct {
	Since  time.Time `json:"since"`
	Thread ThreadID  `json:"thread"`
}

// addCarry records a carry event's payload (data, canonical) as part of
// the latest carry on its stream.
func (n *Negotiation) addCarry(key StreamKey, pos Pos, version int, data []byte, waits []carriedWait) {
	c := n.carries[key]
	if c == nil || c.version != version {
		c = &carry{version: version, pos: pos}
		n.carries[key] = c
	}
	c.chunks = append(c.chunks, data)
	c.waits = append(c.waits, waits...)
	n.touch(RecCarry, string(key))
}

// carryRecord is a carry's stored form.
type carryRecord struct {
	Chunks  []json.RawMessage `json:"chunks"`
	Pos     Pos               `json:"pos"`
	Version int               `json:"version"`
	Waits   []carriedWait     `json:"waits,omitempty"`
}

func (c *carry) record() []byte {
	b := []byte(`{"chunks":[`)
	for k, ch := range c.chunks {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, ch...)
	}
	b = append(b, `],"pos":`...)
	pos, _ := json.Marshal(c.pos)
	b = append(b, pos...)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(c.version), 10)
	if len(c.waits) > 0 {
		b = append(b, `,"waits":[`...)
		for k, w := range c.waits {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"since":`...)
			b = appendTime(b, w.Since)
			b = append(b, `,"thread":`...)
			b = appendCanonicalString(b, string(w.Thread))
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

type recordKey struct{ kind, key string }

func (n *Negotiation) touch(kind, key string) {
	if n.dirty != nil {
		n.dirty[recordKey{kind, key}] = struct{}{}
	}
}

func versionKey(v int) string { return fmt.Sprintf("%08d", v) }

func signOffKey(u UserID, v int) string { return string(u) + "/" + versionKey(v) }

func signatureKey(p PartyID, v int) string { return string(p) + "/" + versionKey(v) }

// The stored forms of the records that keep their place in the history.
type (
	threadRecord struct {
		*Thread
		WaitingOn []PartyID `json:"waiting_on,omitempty"` // never stored: derived from the rest
		Pos       Pos       `json:"pos"`
		Own       Pos       `json:"own"` // its last own event
	}
	signOffRecord struct {
		SignOff
		Pos Pos `json:"pos"`
	}
	signatureRecord struct {
		Signature
		Pos Pos `json:"pos"`
	}
)

// Records returns the records changed since the last call, in a stable
// order; a record whose thing is gone has a nil Value.
func (n *Negotiation) Records() ([]Record, error) {
	keys := make([]recordKey, 0, len(n.dirty))
	for k := range n.dirty {
		keys = append(keys, k)
	}
	clear(n.dirty)
	return n.records(keys)
}

// AllRecords returns every record of the state, in (kind, key) order: what
// the store holds for it.
func (n *Negotiation) AllRecords() ([]Record, error) {
	keys := []recordKey{{RecMeta, ""}}
	for _, v := range n.Versions {
		keys = append(keys, recordKey{RecVersion, versionKey(v.Number)})
	}
	for id := range n.Threads {
		keys = append(keys, recordKey{RecThread, string(id)})
	}
	for _, s := range n.SignOffs {
		keys = append(keys, recordKey{RecSignOff, signOffKey(s.User, s.Version)})
	}
	for _, s := range n.Signatures {
		keys = append(keys, recordKey{RecSignature, signatureKey(s.Party, s.Version)})
	}
	for k := range n.carries {
		keys = append(keys, recordKey{RecCarry, string(k)})
	}
	keys = append(keys, n.optionKeys()...)
	keys = append(keys, n.meetingKeys()...)
	return n.records(keys)
}

func (n *Negotiation) records(keys []recordKey) ([]Record, error) {
	slices.SortFunc(keys, func(a, b recordKey) int {
		if c := strings.Compare(a.kind, b.kind); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	out := make([]Record, 0, len(keys))
	for _, k := range keys {
		v, err := n.recordValue(k)
		if err != nil {
			return nil, fmt.Errorf("record %s %s: %w", k.kind, k.key, err)
		}
		out = append(out, Record{Kind: k.kind, Key: k.key, Value: v})
	}
	return out, nil
}

func (n *Negotiation) recordValue(k recordKey) ([]byte, error) {
	switch k.kind {
	case RecMeta:
		return json.Marshal(n)
	case RecVersion:
		v, err := strconv.Atoi(k.key)
		if err != nil || v < 1 || v > len(n.Versions) {
			return nil, fmt.Errorf("no version %q", k.key)
		}
		return json.Marshal(n.Versions[v-1])
	case RecThread:
		t := n.Threads[ThreadID(k.key)]
		if t == nil {
			return nil, fmt.Errorf("no thread %q", k.key)
		}
		return appendThreadRecord(nil, t), nil
	case RecCarry:
		c := n.carries[StreamKey(k.key)]
		if c == nil {
			return nil, fmt.Errorf("no carry on %q", k.key)
		}
		return c.record(), nil
	case RecSignOff:
		for _, s := range n.SignOffs {
			if signOffKey(s.User, s.Version) == k.key {
				return json.Marshal(signOffRecord{s, s.Pos})
			}
		}
		return nil, fmt.Errorf("no sign-off %q", k.key)
	case RecSignature:
		for _, s := range n.Signatures {
			if signatureKey(s.Party, s.Version) == k.key {
				return json.Marshal(signatureRecord{s, s.Pos})
			}
		}
		return nil, nil // withdrawn: the record goes
	case RecOption, RecPackage:
		return n.optionRecord(k)
	case RecMeeting:
		return n.meetingRecord(k)
	}
	return nil, fmt.Errorf("unknown record")
}

// Restore rebuilds a negotiation from its stored records and heads; it is
// the state the events folded into (see Fold), in the same order.
func Restore(s Stored) (*Negotiation, error) {
	n := newNegotiation()
	byKind := map[string][]Record{}
	for _, r := range s.Records {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	metas := byKind[RecMeta]
	if len(metas) != 1 {
		return nil, fmt.Errorf("restore %s: %d meta records", s.ID, len(metas))
	}
	if err := json.Unmarshal(metas[0].Value, n); err != nil {
		return nil, fmt.Errorf("restore %s meta: %w", s.ID, err)
	}
	vs := byKind[RecVersion]
	slices.SortFunc(vs, func(a, b Record) int { return strings.Compare(a.Key, b.Key) })
	for _, r := range vs {
		var v Version
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return nil, fmt.Errorf("restore %s version %s: %w", s.ID, r.Key, err)
		}
		if v.Number != len(n.Versions)+1 {
			return nil, fmt.Errorf("restore %s: version %d out of order", s.ID, v.Number)
		}
		n.Versions = append(n.Versions, v)
	}
	for _, r := range byKind[RecThread] {
		rec := threadRecord{Thread: &Thread{}}
		if err := json.Unmarshal(r.Value, &rec); err != nil {
			return nil, fmt.Errorf("restore %s thread %s: %w", s.ID, r.Key, err)
		}
		t := rec.Thread
		t.Pos, t.gen = rec.Pos, n.gen
		t.WaitingOn = n.waitingOn(t) // its own state's; WaitingSince came with it
		if t.WaitingOn == nil {
			t.WaitingSince = nil
		}
		t.touched(rec.Own)
		n.Threads[t.ID] = t
		n.Order = append(n.Order, t.ID)
	}
	for _, r := range byKind[RecCarry] {
		var rec carryRecord
		if err := json.Unmarshal(r.Value, &rec); err != nil {
			return nil, fmt.Errorf("restore %s carry %s: %w", s.ID, r.Key, err)
		}
		c := &carry{version: rec.Version, pos: rec.Pos, waits: rec.Waits}
		since := make(map[ThreadID]time.Time, len(rec.Waits))
		for _, w := range rec.Waits {
			since[w.Thread] = w.Since
		}
		for _, raw := range rec.Chunks {
			var d AnchorsCarried
			if err := json.Unmarshal(raw, &d); err != nil {
				return nil, fmt.Errorf("restore %s carry %s: %w", s.ID, r.Key, err)
			}
			for _, e := range d.Threads {
				t := n.Threads[e.Thread]
				if t == nil || t.Anchor == nil {
					return nil, fmt.Errorf("restore %s carry %s: no anchored thread %s", s.ID, r.Key, e.Thread)
				}
				if t.own.Compare(rec.Pos) < 0 { // the carry came after the thread's own last event
					t.Anchor = &Anchor{Version: d.Version, Start: e.Start, End: e.End, Quote: e.Quote, Flag: e.Flag, Original: t.Anchor.Original}
					t.Status = e.Status
					if t.WaitingOn = n.waitingOn(t); t.WaitingOn == nil {
						t.WaitingSince = nil
					} else if at, ok := since[t.ID]; ok {
						t.WaitingSince = &at // a carry began its wait
					}
				}
			}
			c.chunks = append(c.chunks, []byte(raw))
		}
		n.carries[StreamKey(r.Key)] = c
	}
	n.waits = nil
	for _, t := range n.Threads {
		n.tally(t, +1)
		n.countWaits(t, +1)
	}
	slices.SortFunc(n.Order, func(a, b ThreadID) int { return n.Threads[a].Pos.Compare(n.Threads[b].Pos) })
	for _, r := range byKind[RecSignOff] {
		var rec signOffRecord
		if err := json.Unmarshal(r.Value, &rec); err != nil {
			return nil, fmt.Errorf("restore %s sign-off %s: %w", s.ID, r.Key, err)
		}
		rec.SignOff.Pos = rec.Pos
		n.SignOffs = append(n.SignOffs, rec.SignOff)
	}
	slices.SortFunc(n.SignOffs, func(a, b SignOff) int { return a.Pos.Compare(b.Pos) })
	for _, r := range byKind[RecSignature] {
		var rec signatureRecord
		if err := json.Unmarshal(r.Value, &rec); err != nil {
			return nil, fmt.Errorf("restore %s signature %s: %w", s.ID, r.Key, err)
		}
		rec.Signature.Pos = rec.Pos
		n.Signatures = append(n.Signatures, rec.Signature)
	}
	slices.SortFunc(n.Signatures, func(a, b Signature) int { return a.Pos.Compare(b.Pos) })
	if err := n.restoreOptions(byKind[RecOption], byKind[RecPackage]); err != nil {
		return nil, fmt.Errorf("restore %s: %w", s.ID, err)
	}
	if err := n.restoreMeetings(byKind[RecMeeting]); err != nil {
		return nil, fmt.Errorf("restore %s: %w", s.ID, err)
	}
	for k, h := range s.Heads {
		n.Heads[k] = h
	}
	return n, nil
}

// Fold rebuilds a negotiation from its events alone (every stream's, in any
// order): they are applied in history order (Pos), and the heads are the
// last event of each stream.
func Fold(id NegotiationID, events []*Event) (*Negotiation, error) {
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b *Event) int { return a.Pos().Compare(b.Pos()) })
	n := NewNegotiation(id)
	for _, e := range events {
		if err := n.Apply(e); err != nil {
			return nil, fmt.Errorf("fold %s: %s %d: %w", id, e.Key(), e.Seq, err)
		}
		n.Heads[e.Key()] = Head{Seq: e.Seq, Hash: e.Hash}
	}
	clear(n.dirty)
	return n, nil
}

// DiffRecords compares the records a store holds for a negotiation with the
// records its state should have (both in (kind, key) order) and describes
// the first difference, or returns "" when they agree.
func DiffRecords(stored, want []Record) string {
	i, j := 0, 0
	for i < len(stored) || j < len(want) {
		switch {
		case j == len(want) || i < len(stored) && keyLess(stored[i], want[j]):
			return stored[i].name() + " is stored but no event made it"
		case i == len(stored) || keyLess(want[j], stored[i]):
			return want[j].name() + " is missing: the events make it"
		case !bytes.Equal(stored[i].Value, want[j].Value):
			return want[j].name() + " differs from the fold of its events"
		}
		i, j = i+1, j+1
	}
	return ""
}

// name is how a message names the record: its kind and key.
func (r Record) name() string {
	if r.Key == "" {
		return r.Kind
	}
	return r.Kind + " " + r.Key
}

// appendThreadRecord writes a thread's record (threadRecord, as its own
// events left it) as canonical JSON, without reflection: a hundred
// thousand of them are written at each audit.
func appendThreadRecord(b []byte, t *Thread) []byte {
	b = append(b, `{"anchor":`...)
	if a := t.ownAnchor; a == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"end":`...)
		b = strconv.AppendInt(b, int64(a.End), 10)
		b = append(b, `,"flag":`...)
		b = appendCanonicalString(b, string(a.Flag))
		b = append(b, `,"original":{"quote":`...)
		b = appendCanonicalString(b, a.Original.Quote)
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, int64(a.Original.Version), 10)
		b = append(b, `},"quote":`...)
		b = appendCanonicalString(b, a.Quote)
		b = append(b, `,"start":`...)
		b = strconv.AppendInt(b, int64(a.Start), 10)
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, int64(a.Version), 10)
		b = append(b, '}')
	}
	b = append(b, `,"author":`...)
	b = appendCanonicalString(b, string(t.Author))
	b = append(b, `,"concurred":`...)
	if t.Concurred == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for k, p := range t.Concurred {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendCanonicalString(b, string(p))
		}
		b = append(b, ']')
	}
	b = append(b, `,"created_at":`...)
	b = appendTime(b, t.CreatedAt)
	b = append(b, `,"id":`...)
	b = appendCanonicalString(b, string(t.ID))
	b = append(b, `,"kind":`...)
	b = appendCanonicalString(b, string(t.Kind))
	b = append(b, `,"messages":`...)
	if t.Messages == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for k, m := range t.Messages {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"at":`...)
			b = appendTime(b, m.At)
			b = append(b, `,"author":`...)
			b = appendCanonicalString(b, string(m.Author))
			b = append(b, `,"body":`...)
			b = appendCanonicalString(b, m.Body)
			b = append(b, `,"id":`...)
			b = appendCanonicalString(b, string(m.ID))
			b = append(b, `,"party":`...)
			b = appendCanonicalString(b, string(m.Party))
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"own":`...)
	b = appendPos(b, t.own)
	b = append(b, `,"party":`...)
	b = appendCanonicalString(b, string(t.Party))
	b = append(b, `,"pos":`...)
	b = appendPos(b, t.Pos)
	b = append(b, `,"status":`...)
	b = appendCanonicalString(b, string(t.ownStatus))
	b = append(b, `,"visibility":`...)
	b = appendCanonicalString(b, string(t.Visibility))
	b = append(b, `,"waiting_since":`...)
	if t.ownSince == nil {
		b = append(b, "null"...)
	} else {
		b = appendTime(b, *t.ownSince)
	}
	return append(b, '}')
}

func appendPos(b []byte, p Pos) []byte {
	if p.Party != "" {
		b = append(b, `{"party":`...)
		b = appendCanonicalString(b, string(p.Party))
		b = append(b, `,"seq":`...)
		b = strconv.AppendUint(b, p.Seq, 10)
		b = append(b, `,"shared":`...)
	} else {
		b = append(b, `{"shared":`...)
	}
	b = strconv.AppendUint(b, p.Shared, 10)
	return append(b, '}')
}

func keyLess(a, b Record) bool {
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.Key < b.Key
}
