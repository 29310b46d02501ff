package diff

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// rangeOf returns the code-point range of the first occurrence of quote in s.
func rangeOf(t *testing.T, s, quote string) Range {
	t.Helper()
	i := strings.Index(s, quote)
	if i < 0 {
		t.Fatalf("%q not in %q", quote, s)
	}
	start := utf8.RuneCountInString(s[:i])
	return Range{start, start + utf8.RuneCountInString(quote)}
}

// slice returns the text at code-point range [start, end) of s.
func slice(s string, start, end int) string {
	r := []rune(s)
	return string(r[start:end])
}

func TestCarry(t *testing.T) {
	p1 := "1. Each Party shall recognise the validation findings of the other Party."
	p2 := "2. The customs administrations shall exchange membership information."
	p3 := "3. This Arrangement enters into force on the date of the last signature."
	old := "Article 1\n\n" + p1 + "\n\n" + p2 + "\n\n" + p3 + "\n"
	tests := []struct {
		name      string
		new       string
		quote     string
		wantFlag  Flag
		wantQuote string // the text at the new range
	}{
		{"unchanged", "Preamble.\n\n" + old, "validation findings", Moved, "validation findings"},
		{"edited around, intact", strings.Replace(old, "Each Party", "Every Party", 1), "recognise the validation", Moved, "recognise the validation"},
		{"paragraph moved", "Article 1\n\n" + p2 + "\n\n" + p3 + "\n\n" + p1 + "\n", "validation findings of the other", Moved, "validation findings of the other"},
		{"word changed inside", strings.Replace(old, "shall recognise", "may recognise", 1), "Each Party shall recognise", Changed, "Each Party may recognise"},
		{"range replaced", strings.Replace(old, "shall recognise", "may recognise", 1), "shall", Changed, "may"},
		{"start edited", strings.Replace(old, "customs administrations", "tax authorities", 1), "customs administrations shall", Changed, "tax authorities shall"},
		{"text inserted inside", strings.Replace(old, "exchange membership", "exchange AEO membership", 1), "exchange membership information", Changed, "exchange AEO membership information"},
		{"deleted", strings.Replace(old, " of the other Party", "", 1), "of the other", Outdated, ""},
		{"paragraph deleted", strings.Replace(old, p2+"\n\n", "", 1), "exchange membership", Outdated, ""},
		{"insert at edge not taken", strings.Replace(old, "shall exchange", "shall promptly exchange", 1), "exchange membership", Moved, "exchange membership"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rangeOf(t, old, tt.quote)
			got := Carry(old, tt.new, []Range{r})[0]
			if got.Flag != tt.wantFlag {
				t.Fatalf("flag = %s, want %s (anchor %+v, redline %s)", got.Flag, tt.wantFlag, got, Text(Redline(old, tt.new)))
			}
			if q := slice(tt.new, got.Start, got.End); q != tt.wantQuote {
				t.Errorf("new range holds %q, want %q", q, tt.wantQuote)
			}
		})
	}
}

func TestCarryOutdatedStaysInPlace(t *testing.T) {
	old := "alpha beta gamma delta"
	new := "alpha delta"
	got := Carry(old, new, []Range{rangeOf(t, old, "beta gamma")})[0]
	want := utf8.RuneCountInString("alpha ")
	if got.Flag != Outdated || got.Start != got.End || got.Start != want {
		t.Errorf("carry = %+v, want empty outdated range at %d", got, want)
	}
}

func TestCarryManyRangesOneDiff(t *testing.T) {
	old := strings.Repeat("The Party shall act. ", 200)
	new := strings.Replace(old, "shall", "may", 3)
	var ranges []Range
	for p := 0; p+5 <= utf8.RuneCountInString(old); p += 7 {
		ranges = append(ranges, Range{p, p + 5})
	}
	ops := Redline(old, new)
	got := CarryOps(ops, ranges)
	if len(got) != len(ranges) {
		t.Fatalf("got %d anchors for %d ranges", len(got), len(ranges))
	}
	for k, a := range got {
		if a.Flag == Moved && slice(new, a.Start, a.End) != slice(old, ranges[k].Start, ranges[k].End) {
			t.Fatalf("range %d moved but its text differs", k)
		}
	}
}

func TestCarryPointsAndClamping(t *testing.T) {
	old := "one two three"
	new := "zero one three"
	n := utf8.RuneCountInString(new)
	tests := []struct {
		r    Range
		want Anchor
	}{
		{Range{0, 0}, Anchor{5, 5, Moved}},    // start of "one"
		{Range{4, 4}, Anchor{9, 9, Outdated}}, // inside deleted "two"
		{Range{13, 13}, Anchor{n, n, Moved}},  // end of text
		{Range{-5, 3}, Anchor{5, 8, Moved}},   // clamped to "one"
		{Range{8, 99}, Anchor{9, n, Moved}},   // clamped to "three"
		{Range{7, 2}, Anchor{9, 9, Outdated}}, // reversed: a point at 7, in "two"
		{Range{4, 8}, Anchor{9, 9, Outdated}}, // "two " deleted
	}
	for _, tt := range tests {
		if got := Carry(old, new, []Range{tt.r})[0]; got != tt.want {
			t.Errorf("Carry(%v) = %+v, want %+v (redline %s)", tt.r, got, tt.want, Text(Redline(old, new)))
		}
	}
}

// checkCarry fails t unless anchor a of range r (of old text ro) lies within
// the new text rn, and a Moved range holds the same text, an Outdated one
// none.
func checkCarry(t testing.TB, ro, rn []rune, r Range, a Anchor) {
	t.Helper()
	if a.Start < 0 || a.Start > a.End || a.End > len(rn) {
		t.Fatalf("range %v carried out of bounds: %+v (new has %d code points)", r, a, len(rn))
	}
	s, e := min(max(r.Start, 0), len(ro)), min(max(r.End, 0), len(ro))
	switch a.Flag {
	case Moved:
		if e > s && string(rn[a.Start:a.End]) != string(ro[s:e]) {
			t.Fatalf("range %v moved but holds %q, was %q", r, string(rn[a.Start:a.End]), string(ro[s:e]))
		}
	case Outdated:
		if a.Start != a.End {
			t.Fatalf("outdated range %v is not empty: %+v", r, a)
		}
	case Changed:
	default:
		t.Fatalf("unknown flag %q", a.Flag)
	}
}

// checkIndex fails t unless the index of ops agrees with the texts: its
// lengths, every point it says is kept mapped to the same character, the end
// to the end, CarryOps the same as Index.Carry; and unless every range of a
// few code points passes checkCarry, and each one on text a move kept, that
// the edit did not break up, is Moved.
func checkIndex(t testing.TB, old, new string, ops []Op) {
	t.Helper()
	ro, rn := []rune(old), []rune(new)
	x := NewIndex(ops)
	if x.OldLen() != len(ro) || x.NewLen() != len(rn) {
		t.Fatalf("lengths %d, %d, want %d, %d", x.OldLen(), x.NewLen(), len(ro), len(rn))
	}
	if q := x.Map(len(ro)); q != len(rn) {
		t.Fatalf("Map(end) = %d, want %d", q, len(rn))
	}
	keptInMove := make([]bool, len(ro)) // code points a move kept
	p := 0
	for _, op := range ops {
		n := len([]rune(op.Text))
		if op.Op != Insert {
			for k := p; k < p+n; k++ {
				keptInMove[k] = x.moves[op.Move] != nil && op.Op == Delete && !op.Edit
			}
			p += n
		}
	}
	var ranges []Range
	mapped, moveOf := make([]int, len(ro)), make([]*moved, len(ro))
	for p := 0; p < len(ro); p++ {
		q := x.Map(p)
		mapped[p], moveOf[p] = q, x.moveAt(x.at(p))
		if q < 0 || q > len(rn) {
			t.Fatalf("Map(%d) = %d, out of the new text", p, q)
		}
		pt := x.Carry(Range{p, p})
		if pt.Start != q || pt.Flag == Moved && (q == len(rn) || rn[q] != ro[p]) {
			t.Fatalf("point %d carried to %+v, mapped to %d: not the same character", p, pt, q)
		}
		for n := 1; n <= 6 && p+n <= len(ro); n++ {
			ranges = append(ranges, Range{p, p + n})
		}
	}
	ranges = append(ranges, Range{0, len(ro)}, Range{-3, len(ro) + 3})
	anchors := CarryOps(ops, ranges)
	for k, r := range ranges {
		checkCarry(t, ro, rn, r, anchors[k])
		if a := x.Carry(r); a != anchors[k] {
			t.Fatalf("Index.Carry(%v) = %+v, CarryOps %+v", r, a, anchors[k])
		}
		kept := r.Start >= 0 && r.End <= len(ro)
		for p := max(r.Start, 0); kept && p < min(r.End, len(ro)); p++ {
			kept = keptInMove[p] && moveOf[p] == moveOf[r.Start] && (p == r.Start || mapped[p] == mapped[p-1]+1)
		}
		if kept && anchors[k].Flag != Moved {
			t.Fatalf("range %v (%q) lies in what a move kept but is %+v", r, string(ro[r.Start:r.End]), anchors[k])
		}
	}
}

func TestCarryEditedMove(t *testing.T) {
	p1 := "1. Each Party shall recognise the validation findings of the other Party."
	p1e := "1. Each Party may recognise the findings of the other Party in full."
	p2 := "2. The customs administrations shall exchange membership information."
	p3 := "3. This Arrangement enters into force on the date of the last signature."
	old := "Article 1\n\n" + p1 + "\n\n" + p2 + "\n\n" + p3 + "\n"
	new := "Article 1\n\n" + p2 + "\n\n" + p3 + "\n\n" + p1e + "\n"
	ops := Redline(old, new)
	checkRedline(t, old, new, ops)
	if m := moveTexts(ops); len(m) != 1 {
		t.Fatalf("want the paragraph moved and edited, got %s", Text(ops))
	}
	checkIndex(t, old, new, ops)
	at := strings.Index(new, p1e) // the new place: every anchor into the paragraph lies after it
	tests := []struct {
		name      string
		quote     string // in old
		wantFlag  Flag
		wantQuote string // the text at the new range
	}{
		{"kept words", "findings of the other", Moved, "findings of the other"},
		{"kept words at its start", "1. Each Party", Moved, "1. Each Party"},
		{"a word replaced", "Party shall recognise", Changed, "Party may recognise"},
		{"the word alone", "shall", Changed, "may"},
		{"words added inside", "other Party.", Changed, "other Party in full."},
		{"a word removed", "validation", Outdated, ""},
		{"a word removed with its neighbours", "the validation findings", Changed, "the findings"},
		{"the whole paragraph", p1, Changed, p1e},
		{"the paragraph and its line break", p1 + "\n", Changed, p1e},
		{"mostly in the move", "the other Party.\n\n2", Changed, "the other Party in full."},
	}
	x := NewIndex(ops)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := x.Carry(rangeOf(t, old, tt.quote))
			if got.Flag != tt.wantFlag {
				t.Fatalf("flag = %s, want %s (anchor %+v, redline %s)", got.Flag, tt.wantFlag, got, Text(ops))
			}
			if q := slice(new, got.Start, got.End); q != tt.wantQuote {
				t.Errorf("new range holds %q, want %q", q, tt.wantQuote)
			}
			if got.Start < len([]rune(new[:at])) {
				t.Errorf("anchor %+v is not in the paragraph's new place", got)
			}
		})
	}

	// Mostly outside the move: carried where it was.
	got := x.Carry(rangeOf(t, old, "Article 1\n\n1. E"))
	if got.Flag != Changed || !strings.HasPrefix(slice(new, got.Start, got.End), "Article 1") {
		t.Errorf("straddling range carried to %+v (%q), want changed where it was", got, slice(new, got.Start, got.End))
	}

	// Map: kept words to the same words, a removed one to where the edit stands.
	for _, tt := range []struct{ old, new string }{
		{"findings", "findings"}, {"shall", "may"}, {"validation", "findings"}, {"2. The", "2. The"},
	} {
		p, want := rangeOf(t, old, tt.old).Start, rangeOf(t, new, tt.new).Start
		if got := x.Map(p); got != want {
			t.Errorf("Map(%q at %d) = %d, want %d", tt.old, p, got, want)
		}
	}
	if got := x.Map(x.OldLen() + 5); got != x.NewLen() {
		t.Errorf("Map past the end = %d, want %d", got, x.NewLen())
	}
}

func TestCarryMovedWithLineBreak(t *testing.T) {
	p1 := "1. Each Party shall recognise the validation findings of the other Party."
	p2 := "2. The customs administrations shall exchange membership information."
	old := p1 + "\n\n" + p2 + "\n"
	new := p2 + "\n\n" + p1 + "\n"
	got := Carry(old, new, []Range{rangeOf(t, old, p1+"\n\n")})[0]
	if got.Flag != Changed || slice(new, got.Start, got.End) != p1 {
		t.Errorf("carry = %+v (%q), want changed on the paragraph at its new place (redline %s)", got, slice(new, got.Start, got.End), Text(Redline(old, new)))
	}
}

// TestIndexOfOddOps: ops that no redline makes (a move missing a side, or
// whose sides keep different text) are taken for plain deletes and inserts.
func TestIndexOfOddOps(t *testing.T) {
	tests := []struct {
		name string
		ops  []Op
	}{
		{"delete without insert", []Op{{Op: Equal, Text: "a "}, {Op: Delete, Text: "moved text", Move: 1}, {Op: Equal, Text: " b"}}},
		{"different texts", []Op{{Op: Delete, Text: "one two", Move: 1}, {Op: Equal, Text: " x "}, {Op: Insert, Text: "one three", Move: 1}}},
		{"kept texts differ", []Op{{Op: Delete, Text: "one ", Move: 1}, {Op: Delete, Text: "two", Move: 1, Edit: true}, {Op: Equal, Text: " x "}, {Op: Insert, Text: "uno ", Move: 1}, {Op: Insert, Text: "dos", Move: 1, Edit: true}}},
		{"deletes apart", []Op{{Op: Delete, Text: "one ", Move: 1}, {Op: Equal, Text: " x "}, {Op: Delete, Text: "two", Move: 1}, {Op: Insert, Text: "one two", Move: 1}}},
		{"another move between", []Op{{Op: Delete, Text: "one ", Move: 1}, {Op: Delete, Text: "gone", Move: 2, Edit: true}, {Op: Delete, Text: "two", Move: 1}, {Op: Equal, Text: " x "}, {Op: Insert, Text: "one two", Move: 1}, {Op: Insert, Text: "here", Move: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(NewIndex(tt.ops).moves) != 0 {
				t.Fatalf("move taken as well formed")
			}
			checkIndex(t, Old(tt.ops), New(tt.ops), tt.ops)
		})
	}
}

// TestCarryDeletedNextToMoved: a range mostly on deleted text, the rest on a
// moved paragraph, is not outdated while the moved part survives.
func TestCarryDeletedNextToMoved(t *testing.T) {
	gone := "This line is deleted and nothing replaces it at all."
	p1 := "1. Each Party shall recognise the validation findings of the other Party."
	p2 := "2. The customs administrations shall exchange membership information."
	old := "Article 1\n" + gone + "\n" + p1 + "\n\n" + p2 + "\n"
	new := "Article 1\n\n" + p2 + "\n\n" + p1 + "\n"
	x := NewIndex(Redline(old, new))
	got := x.Carry(rangeOf(t, old, "nothing replaces it at all.\n1. Each"))
	if got.Flag != Changed || slice(new, got.Start, got.End) != "1. Each" {
		t.Errorf("carry = %+v (%q), want changed on the moved words (redline %s)", got, slice(new, got.Start, got.End), Text(Redline(old, new)))
	}
	if got := x.Carry(rangeOf(t, old, "nothing replaces it")); got.Flag != Outdated {
		t.Errorf("the deleted words alone carry to %+v, want outdated", got)
	}
}

// TestKept: a span is kept only inside one equal op with no change touching
// either of its ends.
func TestKept(t *testing.T) {
	old := "one two three four five"
	x := NewIndex(Redline(old, "one two THREE four five six"))
	tests := []struct {
		quote string
		want  bool
	}{
		{"one", true},
		{"one two", true}, // "one two " is equal; the span ends inside it
		{"two thr", false},
		{"four", true},
		{"five", false}, // "six" is inserted right after it
	}
	for _, tt := range tests {
		r := rangeOf(t, old, tt.quote)
		if got := x.Kept(r.Start, r.End); got != tt.want {
			t.Errorf("Kept(%q) = %v, want %v (redline %s)", tt.quote, !tt.want, tt.want, Text(x.ops))
		}
	}
	if x.Kept(3, 3) || x.Kept(-1, 2) || x.Kept(0, 100) {
		t.Error("Kept of an empty or out-of-range span")
	}
}
