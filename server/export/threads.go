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
// convention).
func (x *exporter) bracketRanges() [][2]int {
	var rs [][2]int
	for _, t := range x.v.Snapshot.Threads {
		if t.Visibility != mra.Shared || t.Anchor == nil || t.Anchor.Version != x.r.Version {
			continue
		}
		if t.Kind == mra.KindOpenIssue && t.Status == mra.StatusOpen || t.Kind == mra.KindConsensus && t.Status == mra.StatusVoid {
			rs = append(rs, [2]int{t.Anchor.Start, t.Anchor.End})
		}
	}
	return rs
}

// BracketedText is a text with brackets put in, and where they went.
type BracketedText struct {
	Text string
	// Marks are the code-point offsets, in the original text, of each '['
	// and ']' put in (each range's pair, in order).
	Marks []int
}

// Brackets puts '[' before and ']' after each range (code points of text),
// merging ranges that overlap or touch; ranges outside the text are
// clipped to it.
func Brackets(text string, ranges [][2]int) BracketedText {
	n := utf8.RuneCountInString(text)
	rs := make([][2]int, 0, len(ranges))
	for _, r := range ranges {
		s, e := min(max(r[0], 0), n), min(max(r[1], 0), n)
		if e < s {
			s, e = e, s
		}
		rs = append(rs, [2]int{s, e})
	}
	slices.SortFunc(rs, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	var merged [][2]int
	for _, r := range rs {
		if k := len(merged) - 1; k >= 0 && r[0] <= merged[k][1] {
			merged[k][1] = max(merged[k][1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	out := BracketedText{Marks: make([]int, 0, 2*len(merged))}
	var b strings.Builder
	b.Grow(len(text) + 2*len(merged))
	pos, i := 0, 0 // code point and byte offsets in text
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
		advance(r[0])
		b.WriteByte('[')
		advance(r[1])
		b.WriteByte(']')
		out.Marks = append(out.Marks, r[0], r[1])
	}
	b.WriteString(text[i:])
	out.Text = b.String()
	return out
}

// shift maps a range of the original text onto the bracketed one: a range
// starting where a bracket opens starts inside it, one ending where a
// bracket closes ends inside it.
func (bt BracketedText) shift(s, e int) (int, int) {
	before := func(p int, atOpen bool) int {
		k, _ := slices.BinarySearch(bt.Marks, p) // Marks ascend: the brackets before p
		c := k
		for ; k < len(bt.Marks) && bt.Marks[k] == p; k++ {
			if k%2 == 0 && atOpen {
				c++ // a bracket opening at p: the range starts inside it
			}
		}
		return p + c
	}
	s2 := before(s, true)
	e2 := before(e, s == e)
	return s2, max(s2, e2)
}
