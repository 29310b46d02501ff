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
// its text, and an outdated one is empty.
func FuzzCarry(f *testing.F) {
	addSeeds(f, 2, 7)
	f.Fuzz(func(t *testing.T, old, new string, start, end int) {
		if !utf8.ValidString(old) || !utf8.ValidString(new) {
			t.Skip("invalid UTF-8 is refused before the diff")
		}
		ro, rn := []rune(old), []rune(new)
		ranges := []Range{{start, end}, {0, len(ro)}, {start, start}, {end / 2, end}}
		for k, a := range Carry(old, new, ranges) {
			if a.Start < 0 || a.Start > a.End || a.End > len(rn) {
				t.Fatalf("range %v carried out of bounds: %+v (new has %d code points)", ranges[k], a, len(rn))
			}
			s, e := min(max(ranges[k].Start, 0), len(ro)), min(max(ranges[k].End, 0), len(ro))
			switch a.Flag {
			case Moved:
				if e > s && string(rn[a.Start:a.End]) != string(ro[s:e]) {
					t.Fatalf("range %v moved but holds %q, was %q", ranges[k], string(rn[a.Start:a.End]), string(ro[s:e]))
				}
			case Outdated:
				if a.Start != a.End {
					t.Fatalf("outdated range %v is not empty: %+v", ranges[k], a)
				}
			case Changed:
			default:
				t.Fatalf("unknown flag %q", a.Flag)
			}
		}
	})
}
