package export

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mra/server/mra"
)

// note is a thread as an export shows it: a Word comment or a numbered note.
type note struct {
	Num        int // from 1, in the order the threads opened
	Start, End int // code points of the exported version's text
	Placed     bool
	Party      string // the raising party's name
	PartyID    mra.PartyID
	Internal   bool
	Label      string // "Open issue · open", say
	Quote      string
	Date       time.Time
	Messages   []noteMessage
}

type noteMessage struct {
	Party string // the writing party's name: exports name parties, not people
	Body  string
	At    time.Time
}

// included reports whether thread t goes into the export: shared threads,
// and with r.Internal the viewing party's own internal ones. The snapshot
// holds no other party's internal thread; this checks it again.
func (x *exporter) included(t *mra.Thread) bool {
	switch {
	case t.Status == mra.StatusWithdrawn:
		return false
	case t.Visibility == mra.Shared:
		return true
	}
	return x.r.Internal && x.v.Party != "" && t.Visibility == mra.Internal && t.Party == x.v.Party
}

// notes returns the threads the export carries: those anchored on its
// version (threads stand on the latest one, so an older version carries
// none), and the general notes with the latest version.
func (x *exporter) notes() []note {
	var out []note
	for _, t := range x.v.Snapshot.Threads {
		if !x.included(t) {
			continue
		}
		var n note
		switch {
		case t.Anchor != nil && t.Anchor.Version == x.r.Version:
			n.Start, n.End, n.Placed, n.Quote = t.Anchor.Start, t.Anchor.End, true, t.Anchor.Quote
		case t.Anchor == nil && x.r.Version == x.latest:
		default:
			continue
		}
		n.Num = len(out) + 1
		n.PartyID, n.Party = t.Party, x.partyName(t.Party)
		n.Internal = t.Visibility == mra.Internal
		n.Label = kindLabel(t.Kind) + " · " + string(t.Status)
		if n.Internal {
			n.Label = "Internal — " + n.Party + " · " + n.Label
		}
		n.Date = t.CreatedAt
		for _, m := range t.Messages {
			n.Messages = append(n.Messages, noteMessage{Party: x.partyName(m.Party), Body: m.Body, At: m.At})
		}
		out = append(out, n)
	}
	return out
}

func kindLabel(k mra.ThreadKind) string {
	switch k {
	case mra.KindConsensus:
		return "Consensus"
	case mra.KindOpenIssue:
		return "Open issue"
	}
	return "Note"
}

// commentText is a note as the text of a Word comment: its label and who
// raised it, then each message with its party.
func (n note) commentText() string {
	var b strings.Builder
	b.WriteString(n.Label + " — raised by " + n.Party)
	for _, m := range n.Messages {
		b.WriteString("\n" + m.Party + ": " + m.Body)
	}
	return mra.NormalizeText(b.String())
}

// bracketRanges returns the ranges to bracket: shared open issues that are
// open and shared consensus threads that are void, anchored on the export's
// version (internal threads never: brackets are the parties' shared
// convention), each open issue with the words of its standing options
// (open or agreed, in the order offered).
func (x *exporter) bracketRanges() []BracketRange {
	options := map[mra.ThreadID][]string{}
	for _, o := range x.v.Snapshot.Options {
		if o.Status == mra.OptionOpen || o.Status == mra.OptionAgreed {
			options[o.Thread] = append(options[o.Thread], o.Text)
		}
	}
	var rs []BracketRange
	for _, t := range x.v.Snapshot.Threads {
		if t.Visibility != mra.Shared || t.Anchor == nil || t.Anchor.Version != x.r.Version {
			continue
		}
		switch {
		case t.Kind == mra.KindOpenIssue && t.Status == mra.StatusOpen:
			rs = append(rs, BracketRange{Start: t.Anchor.Start, End: t.Anchor.End, Options: options[t.ID]})
		case t.Kind == mra.KindConsensus && t.Status == mra.StatusVoid:
			rs = append(rs, BracketRange{Start: t.Anchor.Start, End: t.Anchor.End})
		}
	}
	return rs
}

// BracketRange is a range of code points to bracket, and the alternative
// wordings that stand after its present words, in the diplomats' way:
// "[present words / option A / option B]".
type BracketRange struct {
	Start, End int
	Options    []string
}

// BracketedText is a text with brackets put in, and where they went.
type BracketedText struct {
	Text string
	// Marks are the code-point offsets, in the original text, of each '['
	// and ']' put in (each range's pair, in order).
	Marks []int
	// before[k] is how many code points were put in before Marks[k]: a
	// bracket is one, a closing one also has its options before it.
	before []int
}

// optionGap stands between the present words and each option; an option
// that deletes the words reads as a dash.
const optionGap = " / "

// Brackets puts '[' before and ']' after each range (code points of text),
// merging ranges that overlap or touch, with each range's options before
// its ']'; ranges outside the text are clipped to it.
func Brackets(text string, ranges []BracketRange) BracketedText {
	n := utf8.RuneCountInString(text)
	rs := make([]BracketRange, 0, len(ranges))
	for _, r := range ranges {
		s, e := min(max(r.Start, 0), n), min(max(r.End, 0), n)
		if e < s {
			s, e = e, s
		}
		rs = append(rs, BracketRange{Start: s, End: e, Options: r.Options})
	}
	slices.SortStableFunc(rs, func(a, b BracketRange) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	var merged []BracketRange
	for _, r := range rs {
		if k := len(merged) - 1; k >= 0 && r.Start <= merged[k].End {
			merged[k].End = max(merged[k].End, r.End)
			merged[k].Options = append(slices.Clip(merged[k].Options), r.Options...)
			continue
		}
		merged = append(merged, r)
	}
	out := BracketedText{Marks: make([]int, 0, 2*len(merged)), before: make([]int, 0, 2*len(merged)+1)}
	var b strings.Builder
	b.Grow(len(text) + 2*len(merged))
	pos, i, put := 0, 0, 0 // code point and byte offsets in text; code points put in
	advance := func(to int) {
		j := i
		for ; pos < to; pos++ {
			_, size := utf8.DecodeRuneInString(text[j:])
			j += size
		}
		b.WriteString(text[i:j])
		i = j
	}
	for _, r := range merged {
		advance(r.Start)
		out.Marks, out.before = append(out.Marks, r.Start), append(out.before, put)
		b.WriteByte('[')
		put++
		advance(r.End)
		out.Marks, out.before = append(out.Marks, r.End), append(out.before, put)
		for _, o := range r.Options {
			if o == "" {
				o = "\u2014"
			}
			b.WriteString(optionGap)
			b.WriteString(o)
			put += len(optionGap) + utf8.RuneCountInString(o)
		}
		b.WriteByte(']')
		put++
	}
	out.before = append(out.before, put)
	b.WriteString(text[i:])
	out.Text = b.String()
	return out
}

// shift maps a range of the original text onto the bracketed one: a range
// starting where a bracket opens starts inside it, one ending where a
// bracket closes ends inside it (before the options).
func (bt BracketedText) shift(s, e int) (int, int) {
	if len(bt.Marks) == 0 {
		return s, e
	}
	before := func(p int, atOpen bool) int {
		k, _ := slices.BinarySearch(bt.Marks, p) // Marks ascend: the brackets before p
		c := bt.before[k]
		for ; k < len(bt.Marks) && bt.Marks[k] == p; k++ {
			if k%2 == 0 && atOpen {
				c = bt.before[k+1] // a bracket opening at p: the range starts inside it
			}
		}
		return p + c
	}
	s2 := before(s, true)
	e2 := before(e, s == e)
	return s2, max(s2, e2)
}
