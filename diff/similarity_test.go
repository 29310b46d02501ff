package diff

import (
	"math/rand/v2"
	"slices"
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
		})
	}
}

// TestNearlySame: a common start and end (cut between words) holding half
// the bytes of the longer line make an edit in place.
func TestNearlySame(t *testing.T) {
	tests := []struct {
		a, c string
		want bool
	}{
		{"aaaa bbbb cccc dddd", "aaaa bbbb cXXX YYYY", true},                 // "aaaa bbbb ": 10 of 19 bytes
		{"aaaa bbbb cccc dddd", "aaaa bbbX cccc dddX", false},                // "aaaa ": 5
		{"aaaa bbbb cccc dddd eeee", "aaaa bXXX cccc dddd eeee", true},       // "aaaa " and "cccc dddd eeee"
		{"aaaa bbbb cccc dddd", "aaaa bbbb cccc dddd eeee ffff gggg", false}, // 15 of 34
		{"aaaa bbbb", "aaaa bbbbb", true},                                    // "aaaa ": 5 of 10
	}
	for _, tt := range tests {
		if got := nearlySame(tt.a, tt.c); got != tt.want {
			t.Errorf("nearlySame(%q, %q) = %v, want %v", tt.a, tt.c, got, tt.want)
		}
	}
}

// TestWordPairsFollowTokens: the word pairs are those of the words Tokens
// finds, whatever the script, marks or spacing.
func TestWordPairsFollowTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	bits := []string{"the", "Party", "A1", "x", " ", "  ", "\n", "\u00a0", ",", ".", "(", "é", "e\u0301", "\u0301",
		"税", "关", "🇺🇸", "👩‍⚖️", "a\u200d", "الجمارك", "ศุ", "\t", "-",
		"Notwithstanding", "administrations", "A12345678901234567", "eightchr", "sevench", "Zz09az"}
	for iter := 0; iter < 2000; iter++ {
		var b strings.Builder
		for n := rng.IntN(30); n > 0; n-- {
			b.WriteString(bits[rng.IntN(len(bits))])
		}
		s := b.String()
		var want []pairHash
		var prev uint64
		have := false
		for _, tok := range Tokens(s) {
			if isWord(tok) {
				h := hashString(tok)
				if have {
					want = append(want, pairHash((prev*0x9E3779B97F4A7C15^h)>>32))
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

// TestWordBytes: the eight-at-a-time test of ASCII letters and digits
// agrees with the byte table on every ASCII byte in every position.
func TestWordBytes(t *testing.T) {
	for c := 0; c < 0x80; c++ {
		for pos := 0; pos < 8; pos++ {
			var b [8]byte
			for k := range b {
				b[k] = byte((c + 37*k) % 0x80)
			}
			b[pos] = byte(c)
			m := wordBytes(load8(string(b[:]), 0))
			for k := range b {
				if got, want := m>>(8*k+7)&1 == 1, isASCIIWord(b[k]); got != want {
					t.Fatalf("byte %#x at %d: word %v, want %v", b[k], k, got, want)
				}
			}
		}
	}
}

// TestSortPairs: the bucketed sort sorts every size, spread hashes or not.
func TestSortPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for n := 0; n <= 600; n++ {
		for _, spread := range []bool{true, false} {
			p := make([]pairHash, n)
			for k := range p {
				if p[k] = pairHash(rng.Uint32()); !spread {
					p[k] >>= 28 // all in one bucket or two, with repeats
				}
			}
			want := slices.Clone(p)
			slices.Sort(want)
			got := make([]pairHash, n)
			sortPairs(got, p)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d spread=%v: not sorted", n, spread)
			}
			sortPairs(p, p) // in place
			if !slices.Equal(p, want) {
				t.Fatalf("n=%d spread=%v: not sorted in place", n, spread)
			}
		}
	}
}
