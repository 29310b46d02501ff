package diff

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// match returns the runs of units a and b share, on an aligner of its own.
func match(a, b []string) []run { return new(aligner).match(nil, a, b) }

// lcsLen is the length of a longest common subsequence of a and b, by the
// textbook table.
func lcsLen(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			default:
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkRuns fails unless runs are increasing and disjoint on both sides,
// within a and b, and join units that are equal; it returns the units they
// cover.
func checkRuns(t *testing.T, a, b []string, runs []run) int {
	t.Helper()
	n, ei, ej := 0, 0, 0
	for _, r := range runs {
		if r.n <= 0 || r.i < ei || r.j < ej || r.i+r.n > len(a) || r.j+r.n > len(b) {
			t.Fatalf("run %+v out of order or bounds (after %d, %d; sizes %d, %d)", r, ei, ej, len(a), len(b))
		}
		for k := 0; k < r.n; k++ {
			if a[r.i+k] != b[r.j+k] {
				t.Fatalf("run %+v joins %q and %q", r, a[r.i+k], b[r.j+k])
			}
		}
		n += r.n
		ei, ej = r.i+r.n, r.j+r.n
	}
	return n
}

func randomUnits(rng *rand.Rand, n, alphabet int) []string {
	out := make([]string, n)
	for k := range out {
		out[k] = strconv.Itoa(rng.IntN(alphabet))
	}
	return out
}

// edited returns a with about edits random units replaced, deleted or inserted.
func edited(rng *rand.Rand, a []string, edits, alphabet int) []string {
	b := append([]string(nil), a...)
	for e := 0; e < edits && len(b) > 0; e++ {
		k := rng.IntN(len(b))
		switch rng.IntN(3) {
		case 0:
			b[k] = strconv.Itoa(rng.IntN(alphabet))
		case 1:
			b = append(b[:k], b[k+1:]...)
		default:
			b = append(b[:k], append([]string{strconv.Itoa(rng.IntN(alphabet))}, b[k:]...)...)
		}
	}
	return b
}

// TestAlignExactWhenShort: while the edit script is shorter than costMin the
// alignment is a longest common subsequence, with anchors or without
// (patience may only cost units where an anchor is placed wrongly, which
// needs a unit unique to both sides standing in different places: not so
// here, where every unit is common or edits are few).
func TestAlignExactWhenShort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := 0; iter < 400; iter++ {
		alphabet := []int{2, 4, 30}[iter%3]
		a := randomUnits(rng, 1+rng.IntN(300), alphabet)
		b := edited(rng, a, rng.IntN(costMin/4), alphabet)
		runs := match(a, b)
		got, want := checkRuns(t, a, b, runs), lcsLen(a, b)
		if alphabet <= 4 && got != want {
			t.Fatalf("iter %d: aligned %d units, a longest common subsequence has %d\na=%v\nb=%v", iter, got, want, a, b)
		}
		if got < want-costMin/4 {
			t.Fatalf("iter %d: aligned %d units of %d", iter, got, want)
		}
	}
}

// TestAlignMyersExact: Myers's search alone, unbounded, always finds a
// longest common subsequence.
func TestAlignMyersExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var al aligner
	for iter := 0; iter < 600; iter++ {
		alphabet := 1 + rng.IntN(12)
		a := randomUnits(rng, rng.IntN(120), alphabet)
		b := randomUnits(rng, rng.IntN(120), alphabet)
		if iter%2 == 0 {
			b = edited(rng, a, rng.IntN(40), alphabet)
		}
		al.ids = interner{}
		xa, xb := al.intern(nil, a), al.intern(nil, b)
		m := matcher{al: &al}
		m.myers(xa, xb, 0, 0, 1<<30)
		if got, want := checkRuns(t, a, b, m.runs), lcsLen(a, b); got != want {
			t.Fatalf("iter %d: aligned %d units, a longest common subsequence has %d\na=%v\nb=%v", iter, got, want, a, b)
		}
	}
}

// TestAlignBounded: past the cost bound the alignment is still valid, on
// inputs of every kind, and still finds most of what a heavy edit left in
// place; a stretch moved far is found by its anchors (units unique to both
// sides), as the bounded search looks only so far from the diagonal it is on.
func TestAlignBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for iter := 0; iter < 60; iter++ {
		alphabet := []int{2, 5, 50, 5000}[iter%4]
		a := randomUnits(rng, 500+rng.IntN(3000), alphabet)
		var b []string
		kind := iter % 3
		switch kind {
		case 0:
			b = randomUnits(rng, 500+rng.IntN(3000), alphabet) // unrelated
		case 1:
			b = edited(rng, a, len(a)/3, alphabet) // heavily edited
		default:
			b = append(edited(rng, a[len(a)/2:], 50, alphabet), edited(rng, a[:len(a)/2], 50, alphabet)...) // halves swapped
		}
		got := checkRuns(t, a, b, match(a, b))
		if kind == 1 || kind == 2 && alphabet > 1000 {
			if want := lcsLen(a, b); float64(got) < 0.8*float64(want) {
				t.Errorf("iter %d (alphabet %d, kind %d): aligned %d units of a longest common subsequence's %d", iter, alphabet, kind, got, want)
			}
		}
	}
}

// TestAlignDeterministic: the same inputs give the same runs, whatever ran
// before on the same aligner (its buffers are reused).
func TestAlignDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	a := randomUnits(rng, 4000, 40)
	b := edited(rng, a, 2000, 40)
	want := match(a, b)
	var al aligner
	for k := 0; k < 3; k++ {
		al.match(nil, randomUnits(rng, 1000, 7), randomUnits(rng, 900, 7))
		got := al.match(nil, a, b)
		if len(got) != len(want) {
			t.Fatalf("run %d: %d runs, want %d", k, len(got), len(want))
		}
		for x := range got {
			if got[x] != want[x] {
				t.Fatalf("run %d: runs differ at %d: %+v, want %+v", k, x, got[x], want[x])
			}
		}
	}
}

// TestTokenizeAsTokens: the aligner's one-pass tokenizer cuts every text as
// Tokens does, gives equal tokens one id and different tokens different
// ids, and lists as words exactly the tokens that are not whitespace.
func TestTokenizeAsTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	bits := []string{"the", "Party", "A1", "x", " ", "  ", "\n", "\n\n", " \n", "\u00a0", " \u00a0", "\v", "\f", ",", ".", "(",
		"é", "e\u0301", "\u0301", "税", "关", "🇺🇸", "👩‍⚖️", "a\u200d", "الجمارك", "ศุ", "\t", "-",
		"Notwithstanding", "administrations", "A12345678901234567", "eightchr", "sevench"}
	var al aligner
	byID := map[int32]string{}
	for iter := 0; iter < 3000; iter++ {
		var b strings.Builder
		for n := rng.IntN(40); n > 0; n-- {
			b.WriteString(bits[rng.IntN(len(bits))])
		}
		s := b.String()
		var tk tokenized
		al.tokenize(&tk, s)
		want := Tokens(s)
		if len(tk.ids) != len(want) {
			t.Fatalf("%q: %d tokens, want %d (%q)", s, len(tk.ids), len(want), want)
		}
		w := 0
		for k, tok := range want {
			if got := s[tk.start(k):tk.ends[k]]; got != tok {
				t.Fatalf("%q: token %d is %q, want %q", s, k, got, tok)
			}
			if prev, ok := byID[tk.ids[k]]; ok && prev != tok {
				t.Fatalf("%q: %q and %q share id %d", s, prev, tok, tk.ids[k])
			}
			byID[tk.ids[k]] = tok
			if !SpaceToken(tok) {
				if w >= len(tk.words) || int(tk.words[w]) != k || tk.wids[w] != tk.ids[k] {
					t.Fatalf("%q: token %d (%q) is not listed as word %d", s, k, tok, w)
				}
				w++
			}
		}
		if w != len(tk.words) {
			t.Fatalf("%q: %d words listed, want %d", s, len(tk.words), w)
		}
	}
	seen := map[string]int32{}
	for id, tok := range byID {
		if other, ok := seen[tok]; ok {
			t.Fatalf("%q has ids %d and %d", tok, other, id)
		}
		seen[tok] = id
	}
}
