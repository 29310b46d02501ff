package mra

import (
	"slices"
	"time"
	"unicode/utf8"

	"mra/diff"
)

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
	// Options are the bracket options the version took in (option.go).
	Options []OptionID `json:"options,omitempty"`
}

// ProposedResult is the ack's result of propose_version.
type ProposedResult struct {
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
}

func (d *decider) propose() (*Outcome, error) {
	c, n := d.cmd, d.n
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	if c.Base == nil {
		return nil, badRequest("base is required: the latest version number you know, 0 for the first")
	}
	if c.Text == nil {
		return nil, badRequest("text is required")
	}
	if len(*c.Text) > MaxTextBytes {
		return nil, Errorf(CodeTooLarge, "text is %d bytes; at most %d (8 MiB)", len(*c.Text), MaxTextBytes)
	}
	if utf8.RuneCountInString(c.Note) > MaxNoteChars {
		return nil, badRequest("note is at most %d characters", MaxNoteChars)
	}
	for _, p := range n.Parties {
		if n.signedLatest(p) {
			return nil, Errorf(CodeSigning, "party %s has signed version %d; a new version needs its signature withdrawn first (withdraw_signature)", p, n.Latest().Number)
		}
	}
	latest := 0
	if v := n.Latest(); v != nil {
		latest = v.Number
	}
	if *c.Base != latest {
		return nil, Errorf(CodeConflict, "base %d is not the latest version (%d): someone proposed meanwhile", *c.Base, latest)
	}
	text := NormalizeText(*c.Text)
	options, err := d.proposedOptions(text)
	if err != nil {
		return nil, err
	}
	nt := NewText(text)
	sha := SHA256(text)
	events := []*Event{d.event(EvVersionProposed, "", &VersionProposed{
		Version: latest + 1, Base: latest, SHA256: sha, Note: c.Note, Length: nt.Len(), Options: options,
	})}
	if latest > 0 {
		old := d.in.Texts[latest]
		if old == nil {
			return nil, Errorf(CodeInternal, "the latest text is not at hand")
		}
		events = append(events, d.carry(old, nt, latest+1)...)
	}
	return &Outcome{Events: events, Texts: map[string]string{sha: text}, Latest: nt, Result: func(n *Negotiation) any {
		v := n.Latest()
		return ProposedResult{Version: v.Number, SHA256: v.SHA256}
	}}, nil
}

// Bounds on one anchors_carried event: a carry of many threads is split into
// events of at most this many threads or (about) bytes, so that no event is
// too large to store, send or read.
const (
	carryChunkThreads = 1000
	carryChunkBytes   = 256 << 10
)

// carry re-anchors every anchored thread onto the new version with one
// redline. Flags compare the words at the new place with the words each
// thread was raised on; a consensus whose clause changed is void. Shared
// threads go in anchors_carried events on the shared stream; each party's
// internal threads in events on its own internal stream.
func (d *decider) carry(old, nt *Text, version int) []*Event {
	var threads []*Thread
	for _, id := range d.n.Order {
		if t := d.n.Threads[id]; t.Anchor != nil {
			threads = append(threads, t)
		}
	}
	if len(threads) == 0 {
		return nil
	}
	idx := diff.NewIndex(diff.Redline(old.String(), nt.String()))
	byOwner := map[PartyID][]CarriedAnchor{}
	refs := map[PartyID][]*Thread{}
	for _, t := range threads {
		a := idx.Carry(diff.Range{Start: t.Anchor.Start, End: t.Anchor.End})
		quote, _ := nt.Slice(a.Start, a.End)
		status := t.Status
		if t.Kind == KindConsensus && (status == StatusProposed || status == StatusAgreed) &&
			clauseChanged(old, nt, idx, t.Anchor.Start, t.Anchor.End) {
			status = StatusVoid
		}
		o := t.owner()
		byOwner[o] = append(byOwner[o], CarriedAnchor{Thread: t.ID, Start: a.Start, End: a.End,
			Flag: flagOf(quote, t.Anchor.Original.Quote, a.Flag), Status: status, Quote: quote})
		refs[o] = append(refs[o], t)
	}
	owners := make([]PartyID, 0, len(byOwner))
	for o := range byOwner {
		owners = append(owners, o)
	}
	slices.Sort(owners) // shared ("") first
	var events []*Event
	for _, o := range owners {
		list, ts := byOwner[o], refs[o]
		for len(list) > 0 {
			k, size := 0, 0
			for k < len(list) && k < carryChunkThreads && (k == 0 || size+len(list[k].Quote) < carryChunkBytes) {
				size += len(list[k].Quote) + 128
				k++
			}
			e := d.event(EvAnchorsCarried, o, &AnchorsCarried{Version: version, Threads: list[:k:k]})
			e.refs, e.refsOf = ts[:k:k], d.n
			events = append(events, e)
			list, ts = list[k:], ts[k:]
		}
	}
	return events
}
