package mra

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"mra/diff"
)

// clauses is a short text of two articles, their sentences and lines.
const clauses = `Article 1
Purpose

1. The Customs Administrations shall recognise the validation findings of the partner program. This applies to importers.

Article 2
Exchange of information

1. The Customs Administrations shall exchange membership information within 30 days.
2. Each Customs Administration shall designate a contact point.
`

// TestClauseRule: which edits void an agreed consensus (PROTOCOL,
// "Consensus guards its clause").
func TestClauseRule(t *testing.T) {
	const info = "exchange membership information"
	const findings = "validation findings"
	const whole = "The Customs Administrations shall recognise the validation findings of the partner program."
	sub := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				panic(old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	tests := []struct {
		name  string
		quote string
		edit  func(string) string
		void  bool
	}{
		{"another article", info, sub("recognise", "accept"), false},
		{"a word of the quote", info, sub("exchange membership", "exchange full membership"), true},
		{"a word before the quote", info, sub("shall exchange", "shall not exchange"), true},
		{"a word after the quote", info, sub("information within", "information promptly within"), true},
		{"another word of its sentence", info, sub("30 days", "60 days"), true},
		{"its sentence's full stop", info, sub("30 days.", "30 days;"), true},
		{"the next paragraph", info, sub("designate a contact", "designate one contact"), false},
		{"whitespace in the quote", info, sub("exchange membership", "exchange   membership"), false},
		{"whitespace in its sentence", info, sub("within 30", "within\t30"), false},
		{"a line break in its sentence", info, sub("information within", "information\nwithin"), false},
		{"whitespace before a mark", info, sub("30 days.", "30 days ."), false},
		{"the next sentence on its line", findings, sub("importers", "exporters"), false},
		{"its own sentence, far from the quote", findings, sub("partner program", "partner's program"), true},
		{"the previous sentence on its line", "This applies to importers", sub("partner program", "partner's program"), false},
		{"a sentence added next to a whole-sentence range", whole, sub("program. This", "program. It binds both. This"), true},
		{"a sentence added next to its sentence", findings, sub("program. This", "program. It binds both. This"), false},
		{"a sentence added before a whole-sentence range", "This applies to importers.", sub("program. This", "program. Also this. This"), true},
		{"a word added at a sentence start", "The Customs Administrations shall exchange", sub("1. The Customs Administrations shall exchange", "1. Both The Customs Administrations shall exchange"), true},
		{"the paragraph renumbered", "The Customs Administrations shall exchange", sub("1. The Customs Administrations shall exchange", "3. The Customs Administrations shall exchange"), false},
		{"a paragraph added after it", info, sub("30 days.\n", "30 days.\n3. A new paragraph of the article.\n"), false},
		{"a word appended to a line without a full stop", "Exchange of", sub("Exchange of information", "Exchange of information and data"), true},
		{"its sentence deleted", info, sub("1. The Customs Administrations shall exchange membership information within 30 days.\n", ""), true},
		{"its paragraph moved, unchanged", info, func(s string) string {
			p := "1. The Customs Administrations shall exchange membership information within 30 days.\n"
			s = strings.Replace(s, p, "", 1)
			return strings.Replace(s, "Purpose\n", "Purpose\n"+p, 1)
		}, false},
		{"a word added at the very start", "Article 1", func(s string) string { return "Draft " + s }, true},
		{"a word added at the very end", "designate a contact point.", func(s string) string { return strings.TrimSuffix(s, "\n") + " Indeed.\n" }, true},
		{"an edit two articles away, twice", info, func(s string) string {
			return strings.Replace(strings.Replace(s, "Purpose", "Aim", 1), "importers", "exporters", 1)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1, clauses)
			id := f.agreed(tt.quote)
			f.propose("sg-neg", tt.edit(clauses))
			got := f.status(id) == StatusVoid
			if got != tt.void {
				t.Errorf("void = %v, want %v (status %s)", got, tt.void, f.status(id))
			}
			// The same rule decides for a consensus raised on version 1 now.
			r := f.must("us-neg", f.commentCmd(1, tt.quote, KindConsensus, Shared)).(CommentResult)
			if startsVoid := r.Status == StatusVoid; startsVoid != tt.void {
				t.Errorf("a consensus raised on version 1 starts %s, want void %v", r.Status, tt.void)
			}
		})
	}
}

// TestFlagsAgainstOriginal: a flag compares the words now at the anchor
// with the words the thread was raised on, across any number of versions.
func TestFlagsAgainstOriginal(t *testing.T) {
	const q = "membership information within 30 days"
	tests := []struct {
		name  string
		edits []func(string) string // one new version each
		want  []Flag                // the flag after each
		quote string                // the words at the anchor at the end
	}{
		{"changed stays changed", []func(string) string{
			func(s string) string { return strings.Replace(s, "30 days", "60 days", 1) },
			func(s string) string { return strings.Replace(s, "Purpose", "Aim", 1) },
			func(s string) string { return strings.Replace(s, "contact point", "contact office", 1) },
		}, []Flag{FlagChanged, FlagChanged, FlagChanged}, "membership information within 60 days"},
		{"outdated stays outdated", []func(string) string{
			func(s string) string { return strings.Replace(s, " membership information within 30 days", "", 1) },
			func(s string) string { return strings.Replace(s, "Purpose", "Aim", 1) },
		}, []Flag{FlagOutdated, FlagOutdated}, ""},
		{"restored words are moved again", []func(string) string{
			func(s string) string { return strings.Replace(s, "30 days", "60 days", 1) },
			func(s string) string { return strings.Replace(s, "60 days", "30 days", 1) },
		}, []Flag{FlagChanged, FlagMoved}, q},
		{"whitespace is not a change", []func(string) string{
			func(s string) string { return strings.Replace(s, "within 30", "within  30", 1) },
			func(s string) string { return strings.Replace(s, "Purpose", "Aim", 1) },
		}, []Flag{FlagMoved, FlagMoved}, "membership information within  30 days"},
		{"moved with its paragraph", []func(string) string{
			func(s string) string {
				p := "1. The Customs Administrations shall exchange membership information within 30 days.\n"
				s = strings.Replace(s, p, "", 1)
				return strings.Replace(s, "Purpose\n", "Purpose\n"+p, 1)
			},
		}, []Flag{FlagMoved}, q},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1, clauses)
			id := f.comment("sg-neg", 1, q, KindOpenIssue, Shared)
			text := clauses
			for k, edit := range tt.edits {
				text = edit(text)
				f.propose("us-neg", text)
				if a := f.thread(id).Anchor; a.Flag != tt.want[k] {
					t.Fatalf("after version %d: flag %s, want %s (quote %q)", k+2, a.Flag, tt.want[k], a.Quote)
				}
			}
			a := f.thread(id).Anchor
			if a.Quote != tt.quote || a.Version != len(tt.edits)+1 {
				t.Errorf("anchor %+v, want quote %q on version %d", a, tt.quote, len(tt.edits)+1)
			}
			if a.Original != (Origin{Version: 1, Quote: q}) {
				t.Errorf("original %+v", a.Original)
			}
		})
	}
}

// TestClauseOf pins the sentence bounds the rule works with.
func TestClauseOf(t *testing.T) {
	text := "Prev. The parties shall act; now! Next one\nLine two 3.5 here. End"
	tests := []struct{ quote, clause string }{
		{"parties", "The parties shall act;"},
		{"act; now", "The parties shall act; now!"},
		{"now", "now!"},
		{"Next", "Next one"},
		{"3.5", "Line two 3.5 here."},
		{"End", "End"},
		{"Prev.", "Prev."},
		{" parties ", "The parties shall act;"},
	}
	nt := NewText(text)
	for _, tt := range tests {
		i := strings.Index(text, tt.quote)
		c := clauseOf(nt, i, i+len(tt.quote))
		got, _ := nt.Slice(c.gs, c.ge)
		if got != tt.clause {
			t.Errorf("clause of %q = %q, want %q", tt.quote, got, tt.clause)
		}
	}
}

// TestMovedAndEditedParagraph: threads on a paragraph that moved and was
// lightly edited follow it; a consensus voids only if its own sentence was
// edited.
func TestMovedAndEditedParagraph(t *testing.T) {
	const para = "3. The Customs Administrations shall notify each other of suspensions within ten days. A notice shall state its reasons in writing.\n"
	old := clauses + "\nArticle 3\nSuspension\n\n" + para
	f := newFixture(t, 1, old)
	kept := f.agreed("A notice shall state its reasons")
	edited := f.agreed("notify each other of suspensions")
	note := f.comment("sg-neg", 1, "state its reasons in writing", KindNote, Shared)
	// Article 3's paragraph moves into Article 1 and one word changes.
	moved := strings.Replace(para, "within ten days", "within five days", 1)
	nw := strings.Replace(strings.Replace(old, para, "", 1), "Purpose\n", "Purpose\n\n"+moved, 1)
	f.propose("us-neg", nw)
	for _, c := range []struct {
		id     ThreadID
		status ThreadStatus
		flag   Flag
		quote  string
	}{
		{kept, StatusAgreed, FlagMoved, "A notice shall state its reasons"},
		{edited, StatusVoid, FlagMoved, "notify each other of suspensions"},
		{note, StatusOpen, FlagMoved, "state its reasons in writing"},
	} {
		th := f.thread(c.id)
		if th.Status != c.status || th.Anchor.Flag != c.flag || th.Anchor.Quote != c.quote {
			t.Errorf("%s: %s %s %q, want %s %s %q", c.quote, th.Status, th.Anchor.Flag, th.Anchor.Quote, c.status, c.flag, c.quote)
		}
		if i := strings.Index(nw, c.quote); i < 0 || th.Anchor.Start != len([]rune(nw[:i])) {
			t.Errorf("%s: anchored at %d, not in the moved paragraph", c.quote, th.Anchor.Start)
		}
	}
}

// TestClauseShortcut: where the lines around a range did not change, the
// full rule finds nothing either, so skipping it changes no answer; and
// the shortcut is taken for most ranges of a lightly edited text. Random
// texts of several lines, with letters beyond ASCII, random edits.
func TestClauseShortcut(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	words := []string{"Customs", "shall", "recognise", "É", "données", "“findings”", "税关", "😀", "30", "days.", "it;", "so!", "why?", "—", " ", "  ", "\t", "\n", "\n\n"}
	text := func(n int) []string {
		w := make([]string, n)
		for i := range w {
			w[i] = words[r.IntN(len(words))]
		}
		return w
	}
	join := func(w []string) string {
		var b strings.Builder
		for i, x := range w {
			if i > 0 && !strings.ContainsAny(x, " \t\n") && !strings.ContainsAny(w[i-1], " \t\n") {
				b.WriteByte(' ')
			}
			b.WriteString(x)
		}
		return b.String()
	}
	shortcuts, ranges := 0, 0
	for range 300 {
		w := text(40 + r.IntN(200))
		oldS := join(w)
		for range 1 + r.IntN(3) { // a few edits: replace, insert or delete a word
			k := r.IntN(len(w))
			switch r.IntN(3) {
			case 0:
				w[k] = words[r.IntN(len(words))]
			case 1:
				w = slices.Insert(w, k, words[r.IntN(len(words))])
			default:
				w = slices.Delete(w, k, k+1)
			}
		}
		old, nt := NewText(oldS), NewText(join(w))
		idx := diff.NewIndex(diff.Redline(old.String(), nt.String()))
		for range 30 {
			s := r.IntN(old.Len())
			e := s + 1 + r.IntN(min(30, old.Len()-s))
			ranges++
			lo, hi := old.line(s, e)
			if ls, _ := old.Slice(lo, hi); lo > 0 && ls[0] != '\n' || hi < old.Len() && ls[len(ls)-1] != '\n' {
				t.Fatalf("line(%d, %d) of %q = %q: not from line break to line break", s, e, oldS, ls)
			}
			if !idx.Kept(lo, hi) {
				continue
			}
			shortcuts++
			if clauseVoided(old, nt, idx, s, e) {
				t.Fatalf("%q → %q: [%d, %d) voided although its lines [%d, %d) were kept", oldS, nt.String(), s, e, lo, hi)
			}
		}
	}
	if shortcuts < ranges/10 {
		t.Fatalf("the shortcut was taken for %d of %d ranges", shortcuts, ranges)
	}
}

// TestPointAt: byte offsets map back to code points, past many marks.
func TestPointAt(t *testing.T) {
	s := strings.Repeat("aé税😀\n", 300)
	nt := NewText(s)
	p := 0
	for b := range s {
		if got := nt.pointAt(b); got != p {
			t.Fatalf("pointAt(%d) = %d, want %d", b, got, p)
		}
		p++
	}
	if got := nt.pointAt(len(s)); got != nt.Len() {
		t.Fatalf("pointAt(len) = %d, want %d", got, nt.Len())
	}
}
