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
