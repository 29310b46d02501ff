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
