package diff

import (
	"testing"
	"unicode/utf8"
)

// Seeds beyond these live in testdata/fuzz/.
func addSeeds(f *testing.F, extra ...any) {
	pairs := [][2]string{
		{"", ""},
		{"The Party shall act.", "The Party may act."},
		{"a\n\nb\n\nc", "c\n\na\n\nb"},
		{"税关当局", "海关当局"},
		{"🇺🇸👩‍⚖️", "🇸🇬👩‍⚖️"},
		{"cafe\u0301 \u200d x", "cafe \u200d\u0301x"},
		{"A b c d e f.\n\nX y z.\n\nZ w v.", "X y z.\n\nZ w v.\n\nA b c Q e f."},
		// Rewritten: a paragraph split, one merged, one rewritten whole, renumbered.
		{"1. The Parties shall meet once a year and review this Arrangement.\n\n2. Either Party may end it.\n\n3. Disputes go to consultation.",
			"1. The Parties shall meet once a year.\n\n2. They shall review this Arrangement. Either Party may end it.\n\n3. No dispute shall be referred to any third party."},
		{"1.1. a b c. 1.2. d e f. 1.3. g h i.", "2.1. g h i. 2.2. a b x. 2.3. d e f."},
		// Words of seven, eight, nine and sixteen bytes, and marks, spaces and
		// wider letters at every offset of the eight-byte scans.
		{"administrations recognise abcdefgh abcdefghi abcdefghijklmnop. Seven77 end", "administration recognises abcdefg abcdefghij abcdefghijklmnoq! Seven77 end."},
		{"x\v\fy  z\u00a0w;ab.cd\n\nabcdefgé abcdefghé", "x\fy\v z w;ab!cd\n \nabcdefgè abcdefghè"},
	}
	for _, p := range pairs {
		f.Add(append([]any{p[0], p[1]}, extra...)...)
	}
}

// FuzzRedline: for any valid UTF-8 pair, Redline never panics, rebuilds both
// texts, and never splits a word.
func FuzzRedline(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, old, new string) {
		if !utf8.ValidString(old) || !utf8.ValidString(new) {
			t.Skip("invalid UTF-8 is refused before the diff")
		}
		checkRedline(t, old, new, Redline(old, new))
	})
}

// FuzzCarry: carried ranges stay within the new text, an intact range keeps
// its text, an outdated one is empty, and the index agrees with the texts
// (see checkIndex).
func FuzzCarry(f *testing.F) {
	addSeeds(f, 2, 7)
	f.Fuzz(func(t *testing.T, old, new string, start, end int) {
		if !utf8.ValidString(old) || !utf8.ValidString(new) {
			t.Skip("invalid UTF-8 is refused before the diff")
		}
		ro, rn := []rune(old), []rune(new)
		ranges := []Range{{start, end}, {0, len(ro)}, {start, start}, {end / 2, end}}
		ops := Redline(old, new)
		for k, a := range CarryOps(ops, ranges) {
			checkCarry(t, ro, rn, ranges[k], a)
		}
		if len(ro) <= 4000 {
			checkIndex(t, old, new, ops)
		}
	})
}
