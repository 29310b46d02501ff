package diff

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestSplitSentences: sentences end after a mark and the whitespace that
// follows it, or after a blank line, and hold at least three words; the
// pieces rebuild the text. The expected cuts come from a plain reading of
// those rules, a rune at a time, on random texts of words, marks (wide ones
// too), spaces and newlines at every offset.
func TestSplitSentences(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	bits := []string{"the", "Party", "shall", "A1", " ", "  ", "\n", "\n\n", " \n \n", ".", "!", "?", ";", ",", "。", "！", "？", "；",
		"税关", "é", "(a)", "1.", "Art. 5.", "\t", "administrations"}
	for iter := 0; iter < 5000; iter++ {
		var b strings.Builder
		for n := rng.IntN(30); n > 0; n-- {
			b.WriteString(bits[rng.IntN(len(bits))])
		}
		s := b.String()
		got := splitSentences(s)
		if want := sentencesByRunes(s); strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Fatalf("%q:\n got %q\nwant %q", s, got, want)
		}
	}
}

// sentencesByRunes is splitSentences' rule read a rune at a time.
func sentencesByRunes(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if !isSentenceEnd(r) && !(r == '\n' && blankLineAt(s, i)) {
			continue
		}
		for i < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r2) {
				break
			}
			i += n2
		}
		if r != '\n' && Words(s[start:i]) < minSentenceWords {
			continue
		}
		out = append(out, s[start:i])
		start = i
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
