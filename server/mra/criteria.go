package mra

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"mra/diff"
)

// The program and criteria comparison: each party's minimum security
// criteria as a text, its paragraphs aligned with the other party's side
// by side (diff.AlignParagraphs), each row marked by each party as
// equivalent, partly equivalent or a gap, and counted.

// Mark is a party's verdict on one row of a comparison.
type Mark string

// Marks.
const (
	MarkEquivalent Mark = "equivalent"
	MarkPartly     Mark = "partly"
	MarkGap        Mark = "gap"
)

func (m Mark) valid() bool { return m == MarkEquivalent || m == MarkPartly || m == MarkGap }

// Criteria command and event types.
const (
	CmdSetCriteria    CommandType = "set_criteria"
	CmdMarkCriterion  CommandType = "mark_criterion"
	EvCriteriaSet     EventKind   = "criteria_set"
	EvCriterionMarked EventKind   = "criterion_marked"
)

// MaxCriteriaParagraphs bounds the paragraphs of one party's criteria (an
// alignment compares every pair).
const MaxCriteriaParagraphs = 1000

// Payloads of the criteria events.
type (
	CriteriaSet struct {
		Text string `json:"text"`
	}
	CriterionMarked struct {
		Row  string `json:"row"`
		Mark Mark   `json:"mark"`
	}
)

// Criteria is one party's criteria as it stands.
type Criteria struct {
	Text string    `json:"-"`
	By   UserID    `json:"by"`
	At   time.Time `json:"at"`
}

// CriteriaView is who set a party's criteria when, and for the reader's
// own party the text itself (to edit it; the other side's paragraphs are
// in the comparison).
type CriteriaView struct {
	By   UserID    `json:"by"`
	At   time.Time `json:"at"`
	Text string    `json:"text,omitempty"`
}

func (p *Partnership) criteriaView(reader PartyID) map[PartyID]CriteriaView {
	if len(p.Criteria) == 0 {
		return nil
	}
	out := make(map[PartyID]CriteriaView, len(p.Criteria))
	for party, c := range p.Criteria {
		v := CriteriaView{By: c.By, At: c.At}
		if party == reader {
			v.Text = c.Text
		}
		out[party] = v
	}
	return out
}

// Comparison is the side-by-side reading of two parties' criteria.
type Comparison struct {
	Parties [2]PartyID      `json:"parties"`
	Rows    []ComparisonRow `json:"rows"`
	// Summary counts, for each of the two parties, its rows by mark
	// ("unmarked" for the rest).
	Summary map[PartyID]map[string]int `json:"summary"`
}

// ComparisonRow is one row: a paragraph of each side (or of one), its key,
// and the marks the parties gave it. The key names the two paragraphs'
// words: a row whose words change is another row, unmarked.
type ComparisonRow struct {
	Row   string           `json:"row"`
	A     *string          `json:"a"`
	B     *string          `json:"b"`
	Marks map[PartyID]Mark `json:"marks"`
}

// paragraphs returns the non-empty lines of a criteria text, trimmed.
func paragraphs(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// alignCache keeps a partnership's alignments of two criteria texts by
// their pair of SHA-256s: an alignment costs the product of their
// paragraphs, and the texts seldom change. Every copy of a partnership
// shares it; it forgets all once it holds alignCap.
type alignCache struct {
	mu sync.Mutex
	m  map[[2]string][]diff.Pair
}

const alignCap = 16

func (c *alignCache) align(a, b string) []diff.Pair {
	key := [2]string{SHA256(a), SHA256(b)}
	c.mu.Lock()
	pairs, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return pairs
	}
	pairs = diff.AlignParagraphs(paragraphs(a), paragraphs(b))
	c.mu.Lock()
	if c.m == nil || len(c.m) >= alignCap {
		c.m = map[[2]string][]diff.Pair{}
	}
	c.m[key] = pairs
	c.mu.Unlock()
	return pairs
}

// rowKey names a row by the parties and the words on each side.
func rowKey(pa, pb PartyID, a, b *string) string {
	s := func(p *string) string {
		if p == nil {
			return "\x01"
		}
		return *p
	}
	return "r-" + SHA256(string(pa) + "\x00" + s(a) + "\x00" + string(pb) + "\x00" + s(b))[:16]
}

// Comparisons returns the comparison of each two parties that have both
// set their criteria, in party order.
func (p *Partnership) Comparisons() []Comparison {
	var parties []PartyID
	for _, party := range p.Parties {
		if _, ok := p.Criteria[party]; ok {
			parties = append(parties, party)
		}
	}
	slices.Sort(parties)
	var out []Comparison
	for i := range parties {
		for j := i + 1; j < len(parties); j++ {
			out = append(out, p.compare(parties[i], parties[j]))
		}
	}
	return out
}

func (p *Partnership) compare(pa, pb PartyID) Comparison {
	ta, tb := p.Criteria[pa].Text, p.Criteria[pb].Text
	la, lb := paragraphs(ta), paragraphs(tb)
	c := Comparison{Parties: [2]PartyID{pa, pb}, Rows: []ComparisonRow{},
		Summary: map[PartyID]map[string]int{pa: {}, pb: {}}}
	for _, pr := range p.aligned.align(ta, tb) {
		var row ComparisonRow
		if pr.A >= 0 {
			row.A = &la[pr.A]
		}
		if pr.B >= 0 {
			row.B = &lb[pr.B]
		}
		row.Row = rowKey(pa, pb, row.A, row.B)
		row.Marks = map[PartyID]Mark{}
		for _, party := range []PartyID{pa, pb} {
			m, ok := p.Marks[row.Row][party]
			if ok {
				row.Marks[party] = m
				c.Summary[party][string(m)]++
			} else {
				c.Summary[party]["unmarked"]++
			}
		}
		c.Rows = append(c.Rows, row)
	}
	return c
}

func (d *partnershipDecider) setCriteria() (*PartnershipOutcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	if d.cmd.Text == nil {
		return nil, badRequest("text (your party's minimum security criteria) is required")
	}
	text := NormalizeText(*d.cmd.Text)
	n := len(paragraphs(text))
	if n == 0 || len(text) > MaxTextBytes {
		return nil, badRequest("text is required, at most %d bytes", MaxTextBytes)
	}
	if n > MaxCriteriaParagraphs {
		return nil, badRequest("criteria have at most %d paragraphs, not %d", MaxCriteriaParagraphs, n)
	}
	out := &PartnershipOutcome{Result: func(p *Partnership) any { return map[string]any{"paragraphs": n} }}
	if c, ok := d.p.Criteria[d.in.Actor.Party]; !ok || c.Text != text {
		out.Events = []*Event{d.event(EvCriteriaSet, "", &CriteriaSet{Text: text})}
	}
	return out, nil
}

func (d *partnershipDecider) markCriterion() (*PartnershipOutcome, error) {
	if err := d.need(Negotiator, Legal); err != nil {
		return nil, err
	}
	if !d.cmd.Mark.valid() {
		return nil, badRequest("mark must be equivalent, partly or gap")
	}
	if !d.rowOfMine(d.cmd.Row) {
		return nil, Errorf(CodeNotFound, "no row %q in a comparison of your criteria (the texts may have changed)", d.cmd.Row)
	}
	out := &PartnershipOutcome{Result: func(p *Partnership) any { return map[string]any{"row": d.cmd.Row, "mark": d.cmd.Mark} }}
	if d.p.Marks[d.cmd.Row][d.in.Actor.Party] != d.cmd.Mark {
		out.Events = []*Event{d.event(EvCriterionMarked, "", &CriterionMarked{Row: d.cmd.Row, Mark: d.cmd.Mark})}
	}
	return out, nil
}

// rowOfMine reports whether a row is in a comparison of the actor's
// party's criteria.
func (d *partnershipDecider) rowOfMine(row string) bool {
	for _, c := range d.p.Comparisons() {
		if (c.Parties[0] == d.in.Actor.Party || c.Parties[1] == d.in.Actor.Party) &&
			slices.ContainsFunc(c.Rows, func(r ComparisonRow) bool { return r.Row == row }) {
			return true
		}
	}
	return false
}

// applyCriteria folds a criteria event.
func (p *Partnership) applyCriteria(e *Event) error {
	switch d := e.Data.(type) {
	case *CriteriaSet:
		if p.Criteria == nil {
			p.Criteria = map[PartyID]Criteria{}
		}
		p.Criteria[e.Actor.Party] = Criteria{Text: d.Text, By: e.Actor.User, At: e.At}
	case *CriterionMarked:
		if p.Marks == nil {
			p.Marks = map[string]map[PartyID]Mark{}
		}
		m := map[PartyID]Mark{}
		for k, v := range p.Marks[d.Row] {
			m[k] = v
		}
		m[e.Actor.Party] = d.Mark
		p.Marks[d.Row] = m
	default:
		return fmt.Errorf("apply: %s is not a criteria event", e.Kind)
	}
	return nil
}
