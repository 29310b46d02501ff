package diff

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSimilarEdges(t *testing.T) {
	tests := []struct {
		name string
		a, c string
		want bool
	}{
		{"the same", "Each Party shall act promptly.", "Each Party shall act promptly.", true},
		// 8 pairs each: 4 shared is exactly half, 3 is below.
		{"half the pairs", "a1 a2 a3 a4 a5 a6 a7 a8 a9", "a1 a2 a3 a4 a5 b6 b7 b8 b9", true},
		{"below half", "a1 a2 a3 a4 a5 a6 a7 a8 a9", "a1 a2 a3 a4 b5 b6 b7 b8 b9", false},
		{"a word changed at each end", "Each Party shall recognise the findings of the other Party", "Every Party shall recognise the findings of the other Administration", true},
		{"a phrase added", "Each Party shall notify the other.", "Each Party shall, within thirty days of any change, notify the other.", true},
		{"same words, other order", "the Party shall act now", "now act shall Party the", false},
		{"punctuation and spacing ignored", "The Party, shall act (now).", "The Party shall   act now", true},
		{"one word has no pairs", "Definitions", "Definitions.", false},
		{"a character changed in Chinese", "海关当局应当相互承认经认证的经营者", "海关当局应该相互承认经认证的经营者", true},
		{"unrelated Chinese", "海关当局应当相互承认", "日本の税関は情報を交換", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pairsOf(tt.a).similar(pairsOf(tt.c)); got != tt.want {
				t.Errorf("similar(%q, %q) = %v, want %v", tt.a, tt.c, got, tt.want)
			}
			var sc sharedCounter
			if got := similarCount(sc.shared(tt.a, tt.c)); got != tt.want {
				t.Errorf("sharedCounter says %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWordPairsFollowTokens: the word pairs are those of the words Tokens
// finds, whatever the script, marks or spacing.
func TestWordPairsFollowTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	bits := []string{"the", "Party", "A1", "x", " ", "  ", "\n", "\u00a0", ",", ".", "(", "é", "e\u0301", "\u0301",
		"税", "关", "🇺🇸", "👩‍⚖️", "a\u200d", "الجمارك", "ศุ", "\t", "-"}
	for iter := 0; iter < 2000; iter++ {
		var b strings.Builder
		for n := rng.IntN(30); n > 0; n-- {
			b.WriteString(bits[rng.IntN(len(bits))])
		}
		s := b.String()
		var want []uint64
		var prev uint64
		have := false
		for _, tok := range Tokens(s) {
			if isWord(tok) {
				h := hashString(tok)
				if have {
					want = append(want, prev*0x9E3779B97F4A7C15^h)
				}
				prev, have = h, true
			}
		}
		got := appendPairs(nil, s)
		if len(got) != len(want) {
			t.Fatalf("%q: %d pairs, want %d", s, len(got), len(want))
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("%q: pair %d differs", s, k)
			}
		}
	}
}

// TestHashShortWordsDistinct: words shorter than eight bytes never collide
// (and these longer ones do not either).
func TestHashShortWordsDistinct(t *testing.T) {
	seen := map[uint64]string{}
	for _, w := range []string{"a", "b", "ab", "ba", "a\x00", "\x00a", "aaaaaaaa", "aaaaaaab", "税关", "Party", "party", "12345678"} {
		h := hashString(w)
		if o, ok := seen[h]; ok {
			t.Fatalf("%q and %q hash alike", o, w)
		}
		seen[h] = w
	}
}
